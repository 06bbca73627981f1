import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addDays, formatInstant, type WorkCalendar } from "../../src/engine/calendar.ts";
import { Engine } from "../../src/engine/engine.ts";
import { calendarOf } from "../../src/engine/calendar-of.ts";
import type { Assignment } from "../../src/plan/types.ts";
import { loadPlanText } from "../../src/plan/load.ts";
import { windowPlan, windowPlanText } from "./window-plan.ts";

const iso = (ms: number) => formatInstant(ms, "Asia/Shanghai").slice(0, 16);

/** A report due every working day (Monday to Friday) across Mid-Autumn 2021: 09-20 and 09-21 off, Saturday 09-18 worked. */
function daily(rule: "next" | "previous") {
  return windowPlan({
    deliverables: [`  - { id: daily, title: 日报, from: [north], recurring: { weekdays: [1, 2, 3, 4, 5], from: 2021-09-13, until: 2021-09-24 }, dueOnRestDay: ${rule} }`],
    steps: ["      - { at: 0wd, notify: [assignee] }"],
  });
}

const windows = (as: Assignment[]) => Object.fromEntries(as.filter((a) => a.deliverable === "daily").map((a) => [a.id.slice("daily@".length, -"/north".length), `${iso(a.opensAt)} → ${iso(a.dueAt!)}`]));

describe("a daily series whose instances the rest-day rule moves onto one day", () => {
  it("rule next: the 09-21 and 09-22 instances open on the morning of 09-22, not at its due instant", () => {
    expect(windows(daily("next").assignments)).toMatchObject({
      "2021-09-17": "2021-09-16T18:00 → 2021-09-17T18:00",
      "2021-09-20": "2021-09-17T18:00 → 2021-09-22T18:00",
      "2021-09-21": "2021-09-22T09:00 → 2021-09-22T18:00",
      "2021-09-22": "2021-09-22T09:00 → 2021-09-22T18:00",
      "2021-09-23": "2021-09-22T18:00 → 2021-09-23T18:00",
    });
  });

  it("rule previous: the 09-21 instance, moved to Saturday 09-18 with the 09-20 one, opens that morning", () => {
    expect(windows(daily("previous").assignments)).toMatchObject({
      "2021-09-17": "2021-09-16T18:00 → 2021-09-17T18:00",
      "2021-09-20": "2021-09-17T18:00 → 2021-09-18T18:00",
      "2021-09-21": "2021-09-18T09:00 → 2021-09-18T18:00",
      "2021-09-22": "2021-09-18T18:00 → 2021-09-22T18:00",
    });
  });

  it("no instance opens before the campaign starts, even one due before any send time (Labour Day 2021-05-01, rule keep)", () => {
    const plan = windowPlan({
      deliverables: ["  - { id: daily, title: 日报, from: [north], recurring: { weekdays: [6], from: 2021-05-01, until: 2021-05-08 }, dueOnRestDay: keep }"],
      steps: ["      - { at: 0wd, notify: [assignee] }"],
    });
    expect(windows(plan.assignments)).toEqual({
      "2021-05-01": "2021-05-01T00:00 → 2021-05-01T18:00",
      "2021-05-08": "2021-05-01T18:00 → 2021-05-08T18:00", // a make-up working Saturday
    });
  });

  it("an instance due on a rest day kept by the rule opens by the send time of the working day before", () => {
    const plan = windowPlan({
      deliverables: ["  - { id: daily, title: 日报, from: [north], recurring: { weekdays: [5, 6], from: 2021-06-04, until: 2021-06-12 }, dueOnRestDay: keep }"],
      steps: ["      - { at: 0wd, notify: [assignee] }"],
    });
    expect(windows(plan.assignments)).toEqual({
      "2021-06-04": "2021-06-04T00:00 → 2021-06-04T18:00",
      "2021-06-05": "2021-06-04T09:00 → 2021-06-05T18:00",
      "2021-06-11": "2021-06-05T18:00 → 2021-06-11T18:00",
      "2021-06-12": "2021-06-11T09:00 → 2021-06-12T18:00",
    });
  });

  it("the unit is told of such an instance at its send time and can hand it in on time", () => {
    const plan = daily("next");
    const e = new Engine(plan);
    const r = e.tick(Date.parse("2021-09-22T09:00:00+08:00"));
    const told = r.events.filter((x) => x.type === "reminded" && x.assignment === "daily@2021-09-21/north");
    expect(told.map((x) => iso(x.at))).toEqual(["2021-09-22T09:00"]);
    const s = e.step({ type: "submit", assignment: "daily@2021-09-21/north", actor: { kind: "unit", unit: "north" } }, Date.parse("2021-09-22T10:00:00+08:00"));
    expect(s.refused).toBeUndefined();
    expect(s.events.at(-1)).toMatchObject({ type: "submitted", late: false });
  });
});

// ---- property: every instance of a series leaves its unit a send time to act on it ----

const FIRST = "2021-01-01";
const LAST = "2026-12-31";

/** The recurrence forms: weekdays (every working day among them), month days (with `last`), months, every N working days. */
const formArb = fc.oneof(
  fc.constant("weekdays: [1, 2, 3, 4, 5]"),
  fc.constant("weekdays: [1, 2, 3, 4, 5, 6, 7]"),
  fc.subarray([1, 2, 3, 4, 5, 6, 7], { minLength: 1 }).map((ds) => `weekdays: [${ds.join(", ")}]`),
  fc.uniqueArray(fc.integer({ min: 1, max: 28 }), { minLength: 1, maxLength: 12 }).map((ds) => `monthDays: [${ds.sort((a, b) => a - b).join(", ")}]`),
  fc.constant("monthDays: [last]"),
  fc.constant("months: [3, 6, 9, 12], monthDays: [last]"),
  fc.integer({ min: 1, max: 10 }).map((n) => `everyWorkingDays: ${n}`),
);

const seriesArb = fc.record({
  form: formArb,
  from: fc.integer({ min: 0, max: 6 * 365 - 70 }),
  length: fc.integer({ min: 0, max: 60 }),
  rule: fc.constantFrom("next", "previous", "keep"),
  sendAt: fc.constantFrom("08:30", "09:00", "17:00"),
  dueAt: fc.constantFrom("09:00", "12:00", "18:00"),
});

/** The first working day's send time in [opensAt, dueAt), if any. */
function sendTimeInWindow(cal: WorkCalendar, sendAt: string, a: Assignment): number | undefined {
  for (let d = cal.dateOf(a.opensAt); ; d = addDays(d, 1)) {
    const at = cal.at(d, sendAt);
    if (at >= a.dueAt!) return undefined;
    if (cal.isWorkingDay(d) && at >= a.opensAt) return at;
  }
}

describe("property: no instance of a recurring deliverable opens without a send time before its due", () => {
  it("holds for random weekday and month-day series, rest-day rules and send/due times in 2021-2026", () => {
    fc.assert(
      fc.property(seriesArb, (s) => {
        const from = addDays(FIRST, s.from);
        const text = windowPlanText({
          deliverables: [`  - { id: series, title: 周期报告, from: [north], recurring: { ${s.form}, from: ${from}, until: ${addDays(from, s.length)} }, dueOnRestDay: ${s.rule} }`],
          steps: ["      - { at: 0wd, notify: [assignee] }"],
          calendar: [`  sendAt: "${s.sendAt}"`, `  dueAt: "${s.dueAt}"`],
          start: FIRST,
          end: LAST,
        });
        const r = loadPlanText("series.yaml", text);
        const errors = r.diagnostics.filter((d) => d.severity === "error");
        // Plan errors (an instance moved before the series starts or out of the campaign, a stretch with no
        // day of the form) are the resolver's to report; they are not instances to open.
        fc.pre(errors.every((d) => /DUE_BEFORE_OPEN|EMPTY_ASSIGNEES|DATE_OUTSIDE_CAMPAIGN/.test(d.code)));
        fc.pre(r.plan !== undefined);
        const plan = r.plan!;
        const cal = calendarOf(plan);
        const campaignStart = plan.campaign.startAt;
        for (const a of plan.assignments.filter((x) => x.deliverable === "series")) {
          const firstSend = sendTimeInWindow(cal, s.sendAt, a);
          // Only a due instant with no send time at all since the campaign began may stay without one.
          const anySince = sendTimeInWindow(cal, s.sendAt, { ...a, opensAt: campaignStart });
          if (anySince === undefined) continue;
          expect(firstSend, `${a.id}: opens ${iso(a.opensAt)}, due ${iso(a.dueAt!)}`).toBeDefined();
          expect(a.opensAt).toBeLessThan(a.dueAt!);
        }
      }),
      { numRuns: 300 },
    );
  });
});

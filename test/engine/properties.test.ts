import fc from "fast-check";
import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { WorkCalendar } from "../../src/engine/calendar.ts";
import { Engine } from "../../src/engine/engine.ts";
import type { DomainEvent, ReminderIntent, UnitAction } from "../../src/engine/types.ts";
import { chongqing, cst } from "../helpers.ts";

const plan = chongqing();
const calendar = new WorkCalendar({ base: "cn", zone: plan.campaign.timezone });
const START = plan.campaign.startAt;
const END = plan.campaign.endAt;
const HOUR = 3_600_000;

/** An instant anywhere in the campaign, on the hour grid or not. */
const instant = fc.integer({ min: START, max: END + 5 * 24 * HOUR });
/** A few assignments, and actions on them by their rightful units or the office. */
const assignmentIds = plan.assignments.map((a) => a.id);
const action = fc.record({
  at: instant,
  id: fc.constantFrom(...assignmentIds),
  verb: fc.constantFrom("submit", "submit", "return", "accept", "extend", "waive", "recall"),
  days: fc.integer({ min: 1, max: 30 }),
});

function toInput(a: { id: string; verb: string; days: number; at: number }): UnitAction {
  const asg = plan.assignments.find((x) => x.id === a.id)!;
  const owner = { kind: "unit" as const, unit: asg.unit };
  const office = { kind: "unit" as const, unit: plan.leadingGroup.office.unit };
  switch (a.verb) {
    case "submit":
      return { type: "submit", assignment: a.id, actor: owner };
    case "recall":
      return { type: "recall", assignment: a.id, actor: owner };
    case "extend":
      return { type: "extend", assignment: a.id, actor: office, until: a.at + a.days * 24 * HOUR };
    default:
      return { type: a.verb as "accept" | "return" | "waive", assignment: a.id, actor: office };
  }
}

function run(actions: { at: number; input: UnitAction }[], ticks: number[]) {
  const e = new Engine(plan);
  const events: DomainEvent[] = [];
  const reminders: ReminderIntent[] = [];
  const inputs = [...actions.map((a) => ({ at: a.at, input: a.input })), ...ticks.map((t) => ({ at: t, input: { type: "tick" as const } }))].sort((x, y) => x.at - y.at);
  for (const { at, input } of inputs) {
    const r = e.step(input, at);
    events.push(...r.events);
    reminders.push(...r.reminders);
  }
  return { e, events, reminders };
}

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

describe("engine properties", () => {
  it("never reminds or escalates on a non-working day or outside the plan's send hour", () => {
    fc.assert(
      fc.property(fc.array(instant, { minLength: 1, maxLength: 6 }), fc.array(action, { maxLength: 8 }), (ticks, acts) => {
        const { events, reminders } = run(acts.map((a) => ({ at: a.at, input: toInput(a) })), sorted(ticks));
        for (const ev of events) {
          if (ev.type !== "reminded") continue;
          const local = DateTime.fromMillis(ev.at, { zone: "Asia/Shanghai" });
          expect(local.toFormat("HH:mm")).toBe(plan.calendar.sendAt);
          expect(calendar.isWorkingDay(local.toISODate()!)).toBe(true);
        }
        for (const r of reminders) expect(calendar.isWorkingDay(DateTime.fromMillis(r.at, { zone: "Asia/Shanghai" }).toISODate()!)).toBe(true);
      }),
      { numRuns: 12 },
    );
  });

  it("tick(t1) then tick(t2) gives the same state and events as tick(t2) alone, and tells the same recipients of the same items", () => {
    fc.assert(
      fc.property(instant, instant, (x, y) => {
        const [t1, t2] = x <= y ? [x, y] : [y, x];
        const split = run([], [t1, t2]);
        const whole = run([], [t2]);
        expect(split.e.persist()).toEqual(whole.e.persist());
        expect(split.events).toEqual(whole.events);
        const pairs = (rs: ReminderIntent[]) => new Set(rs.flatMap((r) => r.items.map((i) => `${r.recipient}|${i.assignment}`)));
        expect(pairs(split.reminders)).toEqual(pairs(whole.reminders));
        // Collapsing: one intent per recipient per tick.
        expect(new Set(whole.reminders.map((r) => r.recipient)).size).toBe(whole.reminders.length);
      }),
      { numRuns: 15 },
    );
  });

  it("the same inputs always give the same outputs", () => {
    fc.assert(
      fc.property(fc.array(instant, { minLength: 1, maxLength: 5 }), fc.array(action, { maxLength: 10 }), (ticks, acts) => {
        const inputs = acts.map((a) => ({ at: a.at, input: toInput(a) }));
        const a = run(inputs, sorted(ticks));
        const b = run(inputs, sorted(ticks));
        expect(b.events).toEqual(a.events);
        expect(b.reminders).toEqual(a.reminders);
        expect(b.e.persist()).toEqual(a.e.persist());
      }),
      { numRuns: 10 },
    );
  });

  it("a submitted item is never reminded or escalated after its submission (until it is returned)", () => {
    fc.assert(
      fc.property(fc.constantFrom(...assignmentIds), instant, fc.array(instant, { minLength: 1, maxLength: 5 }), (id, at, ticks) => {
        const asg = plan.assignments.find((x) => x.id === id)!;
        const { events } = run([{ at, input: { type: "submit", assignment: id, actor: { kind: "unit", unit: asg.unit } } }], sorted([...ticks, END]));
        const sub = events.find((e) => e.type === "submitted" && e.assignment === id);
        if (!sub) return; // refused: the item had not opened yet
        const after = events.filter((e) => e.type === "reminded" && e.assignment === id && e.at >= sub.at);
        expect(after).toEqual([]);
      }),
      { numRuns: 25 },
    );
  });
});

describe("recall (撤回报送)", () => {
  it("an item recalled is owed again: from the recall on it is reminded exactly as one never handed in", () => {
    fc.assert(
      fc.property(fc.constantFrom(...assignmentIds), instant, fc.integer({ min: 1, max: 30 * 24 }), fc.array(instant, { minLength: 1, maxLength: 4 }), (id, at, hours, ticks) => {
        const asg = plan.assignments.find((x) => x.id === id)!;
        const owner = { kind: "unit" as const, unit: asg.unit };
        const back = at + hours * HOUR;
        const recalled = run(
          [
            { at, input: { type: "submit", assignment: id, actor: owner } },
            { at: back, input: { type: "recall", assignment: id, actor: owner } },
          ],
          sorted([...ticks, END]),
        );
        if (!recalled.events.some((e) => e.type === "recalled")) return; // the submission was refused: not open yet
        const never = run([], sorted([...ticks, back, END]));
        const remindedAfter = (evs: DomainEvent[]) => evs.filter((e) => e.type === "reminded" && e.assignment === id && e.at > back);
        expect(remindedAfter(recalled.events)).toEqual(remindedAfter(never.events));
      }),
      { numRuns: 25 },
    );
  });
});

describe("calendar facts behind the ladder", () => {
  it("has no reminder on the Dragon Boat (06-12..14) or National Day (10-01..07) holidays in a silent campaign", () => {
    const { events } = run([], [END]);
    const days = new Set(events.filter((e) => e.type === "reminded").map((e) => DateTime.fromMillis(e.at, { zone: "Asia/Shanghai" }).toISODate()));
    for (const d of ["2021-06-12", "2021-06-13", "2021-06-14", "2021-10-01", "2021-10-02", "2021-10-03", "2021-10-04", "2021-10-05", "2021-10-06", "2021-10-07"]) expect(days.has(d)).toBe(false);
    // The make-up working Saturday 10-09 does get reminders.
    expect(days.has("2021-10-09")).toBe(true);
    expect(cst("2021-10-09T09:00")).toBeGreaterThan(START);
  });
});

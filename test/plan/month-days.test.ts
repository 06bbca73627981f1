import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatInstant } from "../../src/engine/calendar.ts";
import { calendarOf } from "../../src/engine/calendar-of.ts";
import { loadPlanText, type LoadResult } from "../../src/plan/load.ts";
import type { ResolvedPlan } from "../../src/plan/types.ts";
import { BASE, planText } from "./minimal-plan.ts";

/**
 * `monthDays` for days 1-28, which every month has: an instance on exactly the listed days of every month
 * in the range, whatever their digits (a reader of only the last digit, or of only the first, passes on
 * [8, 18, 28] alone). Month ends (29-31) and February are defined elsewhere and are not tested here.
 */

const DAY_MS = 86_400_000;
const ZONE = "Asia/Shanghai";

/** A four-year campaign, so random ranges cross month and year boundaries; the series has no phase. */
function planResult(days: readonly number[], from: string, until: string, rule: "keep" | "next" | "previous"): LoadResult {
  const series = `  - { id: series, title: 月报, from: [north], recurring: { monthDays: [${days.join(", ")}], from: ${from}, until: ${until} }, dueOnRestDay: ${rule} }`;
  const text = planText({
    6: "  start: 2021-01-01",
    7: "  end: 2024-12-31",
    20: "  - { id: first, name: 第一阶段, start: 2021-01-01, end: 2022-12-31 }",
    21: "  - { id: second, name: 第二阶段, start: 2023-01-01, end: 2024-12-31 }",
    25: [BASE[24]!, series],
  });
  return loadPlanText("plan.yaml", text);
}

function plan(days: readonly number[], from: string, until: string, rule: "keep" | "next" | "previous"): ResolvedPlan {
  const r = planResult(days, from, until, rule);
  if (!r.plan) throw new Error(r.diagnostics.map((d) => `${d.line}:${d.col} ${d.code} ${d.message}`).join("\n"));
  return r.plan;
}

const isoOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The oracle, independent of the resolver's date helpers: every date in [from, until] whose day of the month is listed. */
function expectedDays(days: readonly number[], from: string, until: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${until}T00:00:00Z`); t += DAY_MS) {
    if (days.includes(new Date(t).getUTCDate())) out.push(isoOf(t));
  }
  return out;
}

/** The written day of each instance, from its id `series@YYYY-MM-DD/north`. */
function writtenDays(p: ResolvedPlan): string[] {
  return p.assignments.filter((a) => a.deliverable === "series").map((a) => a.id.slice("series@".length, "series@".length + 10));
}

// Two months clear of the campaign's ends, so that no holiday moves an instance out of it.
const START = Date.parse("2021-03-01T00:00:00Z");
const END = Date.parse("2024-10-31T00:00:00Z");
/** A range of 0 to about 14 months inside the campaign. */
const range = fc
  .tuple(fc.integer({ min: 0, max: (END - START) / DAY_MS }), fc.integer({ min: 0, max: 430 }))
  .map(([start, length]) => {
    const from = START + start * DAY_MS;
    return [isoOf(from), isoOf(Math.min(END, from + length * DAY_MS))] as const;
  });
const daySet = fc.uniqueArray(fc.integer({ min: 1, max: 28 }), { minLength: 1, maxLength: 6 });

describe("monthDays 1-28", () => {
  it("falls on the 1st, 9th, 10th, 15th, 20th, 21st, 25th and 28th, and on no other day", () => {
    const p = plan([1, 9, 10, 15, 20, 21, 25, 28], "2021-07-01", "2021-08-31", "keep");
    expect(writtenDays(p)).toEqual(
      ["07-01", "07-09", "07-10", "07-15", "07-20", "07-21", "07-25", "07-28", "08-01", "08-09", "08-10", "08-15", "08-20", "08-21", "08-25", "08-28"].map((d) => `2021-${d}`),
    );
  });

  it("property: an instance on exactly the listed days of each month in the range, due that day under keep", () => {
    fc.assert(
      fc.property(daySet, range, (days, [from, until]) => {
        const want = expectedDays(days, from, until);
        fc.pre(want.length > 0); // an empty series is an error of its own (EMPTY_ASSIGNEES)
        const p = plan(days, from, until, "keep");
        const series = p.assignments.filter((a) => a.deliverable === "series");
        expect(writtenDays(p)).toEqual(want);
        expect(series.map((a) => formatInstant(a.dueAt!, ZONE).slice(0, 10))).toEqual(want);
        expect(series.every((a) => a.dueShiftedFrom === undefined)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it("property: under next and previous, each instance moves to the nearest working day that way, over rest days only", () => {
    fc.assert(
      fc.property(daySet, range, fc.constantFrom("next" as const, "previous" as const), (days, [from, until], rule) => {
        const want = expectedDays(days, from, until);
        fc.pre(want.length > 0);
        const r = planResult(days, from, until, rule);
        if (!r.plan) {
          // The one refusal: moved back before the series opens, the first instance would be due before it opens.
          const cal = calendarOf(plan(days, from, until, "keep"));
          expect([rule, cal.isWorkingDay(want[0]!), r.diagnostics.filter((d) => d.severity === "error").map((d) => d.code)]).toEqual(["previous", false, ["DUE_BEFORE_OPEN"]]);
          return;
        }
        const p = r.plan;
        const cal = calendarOf(p);
        const series = p.assignments.filter((a) => a.deliverable === "series");
        expect(writtenDays(p)).toEqual(want);
        const step = rule === "next" ? DAY_MS : -DAY_MS;
        for (const [i, a] of series.entries()) {
          const written = want[i]!;
          const due = cal.dateOf(a.dueAt!);
          expect(cal.isWorkingDay(due), `${a.id} due ${due}`).toBe(true);
          expect(a.dueShiftedFrom).toBe(due === written ? undefined : written);
          // Every day from the written one up to (not including) the due one is a rest day.
          for (let t = Date.parse(`${written}T00:00:00Z`); isoOf(t) !== due; t += step) expect(cal.isWorkingDay(isoOf(t)), `${a.id}: ${isoOf(t)}`).toBe(false);
        }
      }),
      { numRuns: 40 },
    );
  });
});

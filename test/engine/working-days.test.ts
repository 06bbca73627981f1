import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addDays, WorkCalendar, type CalendarSpec } from "../../src/engine/calendar.ts";

/** The definition, one day at a time: what workingDaysBetween counted before it used a prefix sum. */
function walk(cal: WorkCalendar, from: string, to: string): number {
  if (to >= from) {
    let n = 0;
    for (let d = addDays(from, 1); d <= to; d = addDays(d, 1)) if (cal.isWorkingDay(d)) n++;
    return n;
  }
  // 0 - n, not -n: a reversed span with no working day in it counts 0, as the calendar says (never -0).
  return 0 - walk(cal, to, from);
}

const DAY0 = Date.UTC(2000, 0, 1) / 86_400_000;
const DAY1 = Date.UTC(2030, 11, 31) / 86_400_000;
const dateArb = fc.integer({ min: DAY0, max: DAY1 }).map((n) => new Date(n * 86_400_000).toISOString().slice(0, 10));
const specArb: fc.Arbitrary<CalendarSpec> = fc.record({
  base: fc.constantFrom("cn" as const, "weekends" as const),
  zone: fc.constant("Asia/Shanghai"),
  // Plans declare extra rest days and make-up days, inside and outside the data package's years.
  holidays: fc.array(dateArb, { maxLength: 6 }),
  workdays: fc.array(dateArb, { maxLength: 6 }),
});

describe("WorkCalendar.workingDaysBetween", () => {
  it("equals the day-by-day count for every pair of dates, reversed pairs and spans past the holiday data included", () => {
    fc.assert(
      fc.property(specArb, dateArb, dateArb, (spec, a, b) => {
        const cal = new WorkCalendar(spec);
        expect(cal.workingDaysBetween(a, b)).toBe(walk(cal, a, b));
      }),
      { numRuns: 200 },
    );
  });

  it("counts across the National Day week and its make-up Saturday", () => {
    const cal = new WorkCalendar({ base: "cn", zone: "Asia/Shanghai" });
    // 2021-09-30 (Thu) to 2021-10-09 (Sat, a make-up working day): 10-08 and 10-09 only.
    expect(cal.workingDaysBetween("2021-09-30", "2021-10-09")).toBe(2);
    expect(cal.workingDaysBetween("2021-10-09", "2021-09-30")).toBe(-2);
    expect(cal.workingDaysBetween("2021-10-09", "2021-10-09")).toBe(0);
  });

  it("answers a span of eight thousand years without walking it", () => {
    const cal = new WorkCalendar({ base: "cn", zone: "Asia/Shanghai" });
    // About 261 weekdays a year past the data package: the count is exact, and it returns at once.
    const n = cal.workingDaysBetween("2021-10-29", "9999-12-31");
    const tail = cal.workingDaysBetween("2100-01-01", "9999-12-31");
    expect(tail).toBe(walkWeekdays("2100-01-01", "9999-12-31"));
    expect(n).toBeGreaterThan(tail);
  });
});

/** Monday-to-Friday in (from, to], counted by whole weeks and a remainder walked by hand. */
function walkWeekdays(from: string, to: string): number {
  const a = Date.UTC(+from.slice(0, 4), +from.slice(5, 7) - 1, +from.slice(8, 10)) / 86_400_000;
  const b = Date.UTC(+to.slice(0, 4), +to.slice(5, 7) - 1, +to.slice(8, 10)) / 86_400_000;
  const weeks = Math.floor((b - a) / 7);
  let n = weeks * 5;
  for (let d = a + weeks * 7 + 1; d <= b; d++) {
    const w = new Date(d * 86_400_000).getUTCDay();
    if (w !== 0 && w !== 6) n++;
  }
  return n;
}

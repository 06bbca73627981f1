import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { calendarOf } from "../../src/engine/calendar-of.ts";
import { offsetFrom } from "../../src/engine/offsets.ts";
import { chongqing, cst } from "../helpers.ts";

const plan = chongqing();
const calendar = calendarOf(plan);
const clock = { calendar, dueAt: "18:00", sendAt: "09:00" };
const iso = (ms: number) => new Date(ms).toISOString();
const H = 3_600_000;

describe("deadlines counted from an opening", () => {
  it("+5wd is the fifth working day after at the due time, over the Dragon Boat holiday (2021-06-14)", () => {
    expect(iso(offsetFrom(clock, cst("2021-06-10T15:00"), { n: 5, unit: "wd" }))).toBe(iso(cst("2021-06-18T18:00")));
  });
  it("+3d lands on a rest day and moves to the next working day", () => {
    expect(iso(offsetFrom(clock, cst("2021-06-09T15:00"), { n: 3, unit: "d" }))).toBe(iso(cst("2021-06-15T18:00")));
  });
  it("+24h is to the minute, on a Saturday night too", () => {
    expect(iso(offsetFrom(clock, cst("2021-06-04T21:13"), { n: 24, unit: "h" }))).toBe(iso(cst("2021-06-05T21:13")));
  });
  it("+4h in working hours skips the night and the weekend: Friday 16:00 + 4 working hours is Monday 11:00", () => {
    expect(iso(offsetFrom(clock, cst("2021-06-04T16:00"), { n: 4, unit: "h" }, true))).toBe(iso(cst("2021-06-07T11:00")));
  });
  it("property: N working hours from any instant end inside working hours, with exactly N hours of working time between", () => {
    const start = cst("2021-05-01T00:00");
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 120 * 24 * 4 }), fc.integer({ min: 1, max: 60 }), (quarter, n) => {
        const from = start + quarter * 15 * 60_000;
        const end = offsetFrom(clock, from, { n, unit: "h" }, true);
        const day = calendar.dateOf(end);
        expect(calendar.isWorkingDay(day)).toBe(true);
        expect(end).toBeGreaterThan(calendar.at(day, "09:00"));
        expect(end).toBeLessThanOrEqual(calendar.at(day, "18:00"));
        // Working time in (from, end], counted quarter hour by quarter hour.
        let worked = 0;
        for (let t = from; t < end; t += 15 * 60_000) {
          const d = calendar.dateOf(t);
          if (calendar.isWorkingDay(d) && t >= calendar.at(d, "09:00") && t < calendar.at(d, "18:00")) worked += 15 * 60_000;
        }
        expect(worked).toBe(n * H);
      }),
      { numRuns: 150 },
    );
  });
});

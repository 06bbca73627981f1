import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { calendarOf } from "../../src/engine/calendar-of.ts";
import { offsetFrom } from "../../src/engine/offsets.ts";
import { chongqing, cst } from "../helpers.ts";

/**
 * An engine's opening clock remembers offsets by instant (src/engine/offsets.ts), so an import at one
 * instant computes each deadline once: a remembered offset must equal one computed afresh, for any
 * instant, offset and working-hours flag, on a first call and on a call that finds it remembered.
 */
describe("remembered offsets", () => {
  const calendar = calendarOf(chongqing());
  const plain = { calendar, dueAt: "18:00", sendAt: "09:00" };
  const memo = { ...plain, memo: new Map<string, number>() };
  it("equal offsets computed afresh", () => {
    const start = cst("2021-05-01T00:00");
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 120 * 24 * 4 }), fc.integer({ min: 0, max: 40 }), fc.constantFrom("wd" as const, "d" as const, "h" as const), fc.boolean(), (quarter, n, unit, wh) => {
        const from = start + quarter * 15 * 60_000;
        const want = offsetFrom(plain, from, { n, unit }, wh);
        expect(offsetFrom(memo, from, { n, unit }, wh)).toBe(want);
        expect(offsetFrom(memo, from, { n, unit }, wh)).toBe(want);
      }),
      { numRuns: 500 },
    );
    expect(memo.memo.size).toBeGreaterThan(0);
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addDays, WorkCalendar } from "../../src/engine/calendar.ts";
import type { Offset } from "../../src/model/kind.ts";
import { surelyLater } from "../../src/plan/kinds.ts";

/**
 * DUE_BOUNDS compares two offsets of different units (`min: +3d, max: +24h`) without an opening instant.
 * It may call a pair a mistake only if the first falls due later than the second from every instant: a
 * plan it refuses must be wrong on every day, never refused for a rule that holds on some days.
 */
const cal = new WorkCalendar({ base: "cn", zone: "Asia/Shanghai" });
const DUE_AT = fc.constantFrom("18:00", "17:30", "09:00", "00:00", "23:59");

/** The deadline as the model defines it: hours to the minute, calendar and working days to the due time of their day. */
function dueOf(o: Offset, from: number, dueAt: string): number {
  if (o.unit === "h") return from + o.n * 3_600_000;
  const day = cal.dateOf(from);
  return cal.at(o.unit === "d" ? addDays(day, o.n) : cal.addWorkingDays(day, o.n), dueAt);
}

const offset = fc.record({ n: fc.integer({ min: 1, max: 60 }), unit: fc.constantFrom<Offset["unit"]>("wd", "d", "h") });
// Any minute of 2021 and 2022: holidays, make-up working days, nights and weekends.
const instant = fc.integer({ min: cal.at("2021-01-01", "00:00"), max: cal.at("2022-12-31", "23:59") }).map((ms) => ms - (ms % 60_000));

describe("kinds: comparing offsets of different units", () => {
  it("property: an offset called surely later falls due later from every opening instant", () => {
    fc.assert(
      fc.property(offset, offset, instant, DUE_AT, (a, b, from, dueAt) => {
        if (surelyLater(a, b, false, dueAt)) expect(dueOf(a, from, dueAt)).toBeGreaterThan(dueOf(b, from, dueAt));
      }),
      { numRuns: 3000 },
    );
  });

  it("calls the plain cases: +3d after +24h, +3wd after +1d, not +2d after +48h", () => {
    expect(surelyLater({ n: 3, unit: "d" }, { n: 24, unit: "h" }, false, "18:00")).toBe(true);
    expect(surelyLater({ n: 3, unit: "wd" }, { n: 1, unit: "d" }, false, "18:00")).toBe(true);
    // +2d opened at 20:00 falls due 46 hours later, before +48h.
    expect(surelyLater({ n: 2, unit: "d" }, { n: 48, unit: "h" }, false, "18:00")).toBe(false);
    // Working hours stretch an hour offset over nights and rest days: it has no upper bound.
    expect(surelyLater({ n: 3, unit: "d" }, { n: 24, unit: "h" }, true, "18:00")).toBe(false);
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addDays, WorkCalendar, type IsoDate } from "../../src/engine/calendar.ts";

const zone = "Asia/Shanghai";
const cn = new WorkCalendar({ base: "cn", zone });

describe("WorkCalendar facts for 2021", () => {
  it("knows the holidays and make-up working days", () => {
    expect(cn.isWorkingDay("2021-06-14")).toBe(false); // 端午
    expect(cn.isWorkingDay("2021-09-18")).toBe(true); // a Saturday, make-up day for 中秋
    expect(cn.isWorkingDay("2021-10-09")).toBe(true); // a Saturday, make-up day for 国庆
    for (let d = 1; d <= 7; d++) expect(cn.isWorkingDay(`2021-10-0${d}`), `2021-10-0${d}`).toBe(false);
    expect(cn.isWorkingDay("2021-10-08")).toBe(true);
    expect(cn.isWorkingDay("2021-10-10")).toBe(false); // an ordinary Sunday
  });

  it("counts working days across the Dragon Boat holiday", () => {
    expect(cn.addWorkingDays("2021-06-15", -3)).toBe("2021-06-09");
    expect(cn.addWorkingDays("2021-06-11", 1)).toBe("2021-06-15");
    expect(cn.nextWorkingDay("2021-10-10")).toBe("2021-10-11");
    expect(cn.addWorkingDays("2021-10-01", 0)).toBe("2021-10-08");
    expect(cn.workingDaysBetween("2021-06-09", "2021-06-15")).toBe(3);
    expect(cn.workingDaysBetween("2021-06-15", "2021-06-09")).toBe(-3);
  });

  it("lets the plan's holidays and workdays override the data package", () => {
    const plan = new WorkCalendar({ base: "cn", zone, holidays: ["2021-06-15", "2021-06-16"], workdays: ["2021-06-14", "2021-06-16"] });
    expect(plan.isWorkingDay("2021-06-15")).toBe(false); // a working Tuesday declared a holiday
    expect(plan.isWorkingDay("2021-06-14")).toBe(true); // the package's holiday declared a working day
    expect(plan.isWorkingDay("2021-06-16")).toBe(true); // listed in both: the working day wins
    expect(plan.addWorkingDays("2021-06-11", 1)).toBe("2021-06-14");

    const weekends = new WorkCalendar({ base: "weekends", zone });
    expect(weekends.isWorkingDay("2021-06-14")).toBe(true);
    expect(weekends.isWorkingDay("2021-10-09")).toBe(false);
  });

  it("covers the years of the data package, and a year the plan declares a holiday in", () => {
    expect(cn.hasDataFor("2021-01-01")).toBe(true);
    expect(cn.hasDataFor("2027-01-01")).toBe(false);
    expect(new WorkCalendar({ base: "cn", zone, holidays: ["2027-10-01"] }).hasDataFor("2027-06-01")).toBe(true);
  });
});

// Dates from 2004 (the first year of holiday data) to 2027 (past its end): both sides of the data.
const DAY0 = "2004-01-01";
const date = fc.integer({ min: 0, max: 24 * 366 }).map((n) => addDays(DAY0, n));
const nonZero = fc.integer({ min: -40, max: 40 }).filter((n) => n !== 0);
const CALENDARS = [
  cn,
  new WorkCalendar({ base: "weekends", zone }),
  new WorkCalendar({ base: "cn", zone, holidays: ["2021-06-15", "2027-10-01", "2027-10-04"], workdays: ["2021-06-14", "2027-10-09"] }),
];
// Drawn by index, so a counterexample prints as a number rather than the calendar's memo.
const calendars = fc.integer({ min: 0, max: CALENDARS.length - 1 }).map((i) => CALENDARS[i]!, (c) => CALENDARS.indexOf(c as WorkCalendar));
const dayNumber = (d: IsoDate) => Date.parse(`${d}T00:00:00Z`) / 86_400_000;

describe("WorkCalendar properties", () => {
  it("addWorkingDays(d, n) is a working day for every n ≠ 0", () => {
    fc.assert(fc.property(calendars, date, nonZero, (cal, d, n) => cal.isWorkingDay(cal.addWorkingDays(d, n))));
  });

  it("addWorkingDays(d, 0) is d on a working day, else the next working day", () => {
    fc.assert(fc.property(calendars, date, (cal, d) => cal.addWorkingDays(d, 0) === (cal.isWorkingDay(d) ? d : cal.nextWorkingDay(d))));
  });

  it("going n working days and back -n returns to a working day d", () => {
    fc.assert(
      fc.property(calendars, date, fc.integer({ min: -40, max: 40 }), (cal, d0, n) => {
        const d = cal.addWorkingDays(d0, 0); // a working day
        expect(cal.addWorkingDays(cal.addWorkingDays(d, n), -n)).toBe(d);
      }),
    );
  });

  it("workingDaysBetween(d, addWorkingDays(d, n)) === n", () => {
    // From any day forwards; from a working day in both directions.
    fc.assert(
      fc.property(calendars, date, fc.integer({ min: 0, max: 40 }), (cal, d, n) => {
        if (n === 0 && !cal.isWorkingDay(d)) return; // n = 0 on a rest day moves to the next working day
        expect(cal.workingDaysBetween(d, cal.addWorkingDays(d, n))).toBe(n);
      }),
    );
    fc.assert(
      fc.property(calendars, date, fc.integer({ min: -40, max: 40 }), (cal, d0, n) => {
        const d = cal.addWorkingDays(d0, 0);
        expect(cal.workingDaysBetween(d, cal.addWorkingDays(d, n))).toBe(n);
      }),
    );
  });

  it("a span never holds more working days than calendar days, and the count is antisymmetric", () => {
    fc.assert(
      fc.property(calendars, date, fc.integer({ min: 0, max: 120 }), (cal, a, len) => {
        const b = addDays(a, len);
        const n = cal.workingDaysBetween(a, b);
        expect(n).toBeGreaterThanOrEqual(0);
        expect(n).toBeLessThanOrEqual(dayNumber(b) - dayNumber(a));
        expect(cal.workingDaysBetween(b, a)).toBe(n === 0 ? 0 : -n);
        // and a full week always holds at most seven, at least none
        if (len === 7) expect(n).toBeLessThanOrEqual(7);
      }),
    );
  });

  it("nextWorkingDay and previousWorkingDay skip only rest days", () => {
    fc.assert(
      fc.property(calendars, date, (cal, d) => {
        const next = cal.nextWorkingDay(d);
        const prev = cal.previousWorkingDay(d);
        expect(next > d && prev < d).toBe(true);
        for (let x = addDays(d, 1); x < next; x = addDays(x, 1)) expect(cal.isWorkingDay(x)).toBe(false);
        for (let x = addDays(prev, 1); x < d; x = addDays(x, 1)) expect(cal.isWorkingDay(x)).toBe(false);
      }),
    );
  });
});

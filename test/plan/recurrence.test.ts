import { describe, expect, it } from "vitest";
import { formatInstant } from "../../src/engine/calendar.ts";
import { loadPlanText, type LoadResult } from "../../src/plan/load.ts";
import { col, rows } from "./diagnostic-rows.ts";
import { planText } from "./minimal-plan.ts";

/** The minimal plan moved to one whole year, so that a series can cross February and every month end. */
function yearPlan(year: number, recurring: string, extra = ""): { text: string; line: string } {
  const line = `  - { id: s, title: 周期报送, from: [north], recurring: { ${recurring} }${extra} }`;
  const text = planText({
    6: `  start: ${year}-01-01`,
    7: `  end: ${year}-12-31`,
    20: `  - { id: first, name: 第一阶段, start: ${year}-01-01, end: ${year}-06-30 }`,
    21: `  - { id: second, name: 第二阶段, start: ${year}-07-01, end: ${year}-12-31 }`,
    25: [`  - { id: report, title: 报告, phase: first, from: ["@districts"], due: ${year}-06-15 }`, line],
  });
  return { text, line };
}

const load = (text: string): LoadResult => loadPlanText("plan.yaml", text);
/** The series' days as written (the date in each instance id), and their due dates. */
const days = (r: LoadResult) => r.plan!.assignments.filter((a) => a.deliverable === "s").map((a) => a.id.slice("s@".length, "s@".length + 10));
const dues = (r: LoadResult) => r.plan!.assignments.filter((a) => a.deliverable === "s").map((a) => formatInstant(a.dueAt!, "Asia/Shanghai").slice(0, 10));

describe("month days that some month lacks are refused, never skipped", () => {
  it("monthDays: [31] over a range holding 30-day months: an error at the 31, naming the months, suggesting last", () => {
    const { text, line } = yearPlan(2021, "monthDays: [31], from: 2021-05-01, until: 2021-10-31");
    const r = load(text);
    expect(rows(r)).toEqual([["error", "BAD_RECURRENCE", 26, col(line, "31]")]]);
    expect(r.diagnostics[0]!.message).toBe("2021-06、2021-09 没有 31 日，这些月份不会有这一期；每月最后一天请写 last（例如 monthDays: [last]），或改用 1 至 28 日");
    expect(r.plan).toBeUndefined();
  });

  it("February: 29 and 30 are refused in 2021 (and 29 is fine in the leap year 2024); each bad day at its own position", () => {
    const { text, line } = yearPlan(2021, "monthDays: [15, 29, 30], from: 2021-01-01, until: 2021-03-31");
    const r = load(text);
    expect(rows(r)).toEqual([
      ["error", "BAD_RECURRENCE", 26, col(line, "29")],
      ["error", "BAD_RECURRENCE", 26, col(line, "30")],
    ]);
    expect(r.diagnostics.map((d) => d.message.split("，")[0])).toEqual(["2021-02 没有 29 日", "2021-02 没有 30 日"]);

    const leap = load(yearPlan(2024, "monthDays: [29], from: 2024-01-01, until: 2024-03-31").text);
    expect(leap.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(days(leap)).toEqual(["2024-01-29", "2024-02-29", "2024-03-29"]);
  });

  it("a month counts only when its last day is in the range: [31] from July to August is fine", () => {
    const r = load(yearPlan(2021, "monthDays: [31], from: 2021-07-01, until: 2021-09-29").text);
    expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(days(r)).toEqual(["2021-07-31", "2021-08-31"]);
  });

  it("many lacking months are shown as the first four and a count", () => {
    const { text } = yearPlan(2021, "monthDays: [31], from: 2021-01-01, until: 2021-12-31");
    expect(load(text).diagnostics[0]!.message).toContain("2021-02、2021-04、2021-06、2021-09 等 5 个月 没有 31 日");
  });
});

describe("month ends: monthDays [last]", () => {
  it("is the last day of every month, February included (28 in 2021, 29 in 2024)", () => {
    const r = load(yearPlan(2021, "monthDays: [last], from: 2021-01-01, until: 2021-06-30", ", dueOnRestDay: keep").text);
    expect(r.diagnostics).toEqual([]);
    expect(days(r)).toEqual(["2021-01-31", "2021-02-28", "2021-03-31", "2021-04-30", "2021-05-31", "2021-06-30"]);
    const leap = load(yearPlan(2024, "monthDays: [last], from: 2024-02-01, until: 2024-02-29").text);
    expect(days(leap)).toEqual(["2024-02-29"]);
  });

  it("names a day once when a number and last meet (28 and last in February 2021)", () => {
    const r = load(yearPlan(2021, "monthDays: [28, last], from: 2021-02-01, until: 2021-03-31").text);
    expect(days(r)).toEqual(["2021-02-28", "2021-03-28", "2021-03-31"]);
  });

  it("moves a month end on a rest day like any date: one summarised warning for the series", () => {
    const { text, line } = yearPlan(2021, "monthDays: [last], from: 2021-01-01, until: 2021-06-30");
    const r = load(text);
    // 01-31 Sunday, 02-28 Sunday, 05-31 Monday, 03-31 Wednesday, 04-30 Friday, 06-30 Wednesday
    expect(rows(r)).toEqual([["warning", "DUE_ON_REST_DAY", 26, col(line, "{ monthDays")]]);
    expect(r.diagnostics[0]!.message).toBe(
      "“s”的 6 次截止日期中有 2 次是休息日，按规则“next”顺延至工作日：2021-01-31（周日） → 2021-02-01（周一）、2021-02-28（周日） → 2021-03-01（周一）",
    );
    expect(dues(r).slice(0, 2)).toEqual(["2021-02-01", "2021-03-01"]);
  });
});

describe("quarterly: months [3, 6, 9, 12] with monthDays [last]", () => {
  it("is the last day of each quarter", () => {
    const r = load(yearPlan(2021, "months: [3, 6, 9, 12], monthDays: [last], from: 2021-01-01, until: 2021-12-31").text);
    expect(r.diagnostics).toEqual([]);
    expect(days(r)).toEqual(["2021-03-31", "2021-06-30", "2021-09-30", "2021-12-31"]);
  });

  it("filters weekdays, too, and checks month days only in the months it keeps", () => {
    // 31 is fine: January, March, May have one. Mondays of February only.
    const r = load(yearPlan(2021, "months: [1, 3, 5], monthDays: [31], from: 2021-01-01, until: 2021-06-30").text);
    expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(days(r)).toEqual(["2021-01-31", "2021-03-31", "2021-05-31"]);
    const feb = load(yearPlan(2021, "months: [2], weekdays: [1], from: 2021-01-01, until: 2021-03-31").text);
    expect(days(feb)).toEqual(["2021-02-01", "2021-02-08", "2021-02-15", "2021-02-22"]);
  });

  it("months alone names no day: an error at the recurring mapping", () => {
    const { text, line } = yearPlan(2021, "months: [3, 6, 9, 12], from: 2021-01-01, until: 2021-12-31");
    const r = load(text);
    expect(rows(r)).toEqual([["error", "BAD_RECURRENCE", 26, col(line, "{ months")]]);
    expect(r.diagnostics[0]!.message).toContain("周期安排须写 monthDays（每月几日，月末写 last）、weekdays（每周几，1 = 周一）或 everyWorkingDays（每 N 个工作日）之一");
  });
});

describe("weekly: weekdays", () => {
  it("is every Friday of the range", () => {
    const r = load(yearPlan(2021, "weekdays: [5], from: 2021-07-01, until: 2021-07-31").text);
    expect(days(r)).toEqual(["2021-07-02", "2021-07-09", "2021-07-16", "2021-07-23", "2021-07-30"]);
  });
});

describe("every N working days: everyWorkingDays", () => {
  it("counts working days from `from` on the PRC calendar: across National Day, onto a make-up Saturday", () => {
    const r = load(yearPlan(2021, "everyWorkingDays: 5, from: 2021-09-27, until: 2021-10-31").text);
    expect(r.diagnostics).toEqual([]); // never on a rest day, so nothing moves
    // 09-28, 09-29, 09-30, 10-08, 10-09 (a make-up working Saturday); then five more each time
    expect(days(r)).toEqual(["2021-10-09", "2021-10-15", "2021-10-22", "2021-10-29"]);
    expect(dues(r)).toEqual(days(r));
  });

  it("is not combined with the calendar forms: an error at the key", () => {
    const { text, line } = yearPlan(2021, "everyWorkingDays: 5, weekdays: [1], from: 2021-09-27, until: 2021-10-31");
    const r = load(text);
    expect(rows(r)).toEqual([["error", "BAD_RECURRENCE", 26, col(line, "everyWorkingDays")]]);
    expect(r.diagnostics[0]!.message).toBe("everyWorkingDays（每 5 个工作日）不能与 weekdays 同时使用；每种周期请只用一种写法");
  });

  it("refuses 0 and words where a count belongs, at the value", () => {
    const { text, line } = yearPlan(2021, "everyWorkingDays: 0, from: 2021-09-27, until: 2021-10-31");
    expect(rows(load(text))).toEqual([["error", "SCHEMA_VALUE", 26, col(line, "0,")]]);
    const w = yearPlan(2021, "monthDays: [end], from: 2021-09-27, until: 2021-10-31");
    const r = load(w.text);
    expect(rows(r)).toEqual([["error", "SCHEMA_VALUE", 26, col(w.line, "end]")]]);
    expect(r.diagnostics[0]!.message).toBe("deliverables[1].recurring.monthDays[0]：“end”不是每月的日期；请写 1 至 31 的数字，每月最后一天请写 last");
  });
});

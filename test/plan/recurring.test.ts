import { describe, expect, it } from "vitest";
import { formatInstant } from "../../src/engine/calendar.ts";
import { loadPlanText } from "../../src/plan/load.ts";
import { BASE, planText } from "./minimal-plan.ts";

/** The minimal plan plus a report due on the 8th, 18th and 28th of every month of the second phase (2021-07-01 to 10-31). */
function fixture(rule?: "next" | "previous") {
  const extra = rule ? `, dueOnRestDay: ${rule}` : "";
  return planText({
    25: [BASE[24]!, `  - { id: ten-day, title: 旬报, phase: second, from: [north, south], recurring: { monthDays: [8, 18, 28], from: "start:second", until: "end:second" }${extra} }`],
  });
}

const iso = (ms: number) => formatInstant(ms, "Asia/Shanghai");

describe("a recurring deliverable (monthDays 8, 18, 28 through a phase)", () => {
  const r = loadPlanText("plan.yaml", fixture());
  const mine = r.plan!.assignments.filter((a) => a.deliverable === "ten-day");
  const north = mine.filter((a) => a.unit === "north");

  it("resolves with one rest-day warning for the whole series, at its recurring: mapping", () => {
    const line26 = fixture().split("\n")[25]!;
    expect(r.diagnostics.map((d) => [d.severity, d.code, d.line, d.col])).toEqual([["warning", "DUE_ON_REST_DAY", 26, line26.indexOf("{ monthDays") + 1]]);
    expect(r.diagnostics[0]!.message).toBe(
      "“ten-day”的 12 次截止日期中有 3 次是休息日，按规则“next”顺延至工作日：2021-07-18（周日） → 2021-07-19（周一）、2021-08-08（周日） → 2021-08-09（周一）、2021-08-28（周六） → 2021-08-30（周一）",
    );
    expect(r.plan).toBeDefined();
  });

  it("has one instance per scheduled day and unit, id@YYYY-MM-DD/unit", () => {
    const days = ["07-08", "07-18", "07-28", "08-08", "08-18", "08-28", "09-08", "09-18", "09-28", "10-08", "10-18", "10-28"].map((d) => `2021-${d}`);
    expect(north.map((a) => a.id)).toEqual(days.map((d) => `ten-day@${d}/north`));
    expect(mine).toHaveLength(2 * days.length);
    expect(mine.filter((a) => a.unit === "south").map((a) => a.id)).toEqual(days.map((d) => `ten-day@${d}/south`));
    for (const a of mine) expect(a).toMatchObject({ kind: "deliverable", role: "owner", phase: "second", to: "hq", policy: "standard" });
  });

  it("moves a day that falls on a rest day by the rule (next), and keeps make-up working days", () => {
    const due = Object.fromEntries(north.map((a) => [a.id.slice("ten-day@".length, -"/north".length), [iso(a.dueAt!), a.dueShiftedFrom]]));
    expect(due).toEqual({
      "2021-07-08": ["2021-07-08T18:00:00+08:00", undefined],
      "2021-07-18": ["2021-07-19T18:00:00+08:00", "2021-07-18"], // Sunday → Monday
      "2021-07-28": ["2021-07-28T18:00:00+08:00", undefined],
      "2021-08-08": ["2021-08-09T18:00:00+08:00", "2021-08-08"], // Sunday → Monday
      "2021-08-18": ["2021-08-18T18:00:00+08:00", undefined],
      "2021-08-28": ["2021-08-30T18:00:00+08:00", "2021-08-28"], // Saturday → Monday
      "2021-09-08": ["2021-09-08T18:00:00+08:00", undefined],
      "2021-09-18": ["2021-09-18T18:00:00+08:00", undefined], // a Saturday, but a make-up working day (中秋)
      "2021-09-28": ["2021-09-28T18:00:00+08:00", undefined],
      "2021-10-08": ["2021-10-08T18:00:00+08:00", undefined], // the first working day after National Day
      "2021-10-18": ["2021-10-18T18:00:00+08:00", undefined],
      "2021-10-28": ["2021-10-28T18:00:00+08:00", undefined],
    });
  });

  it("moves them back under the rule previous", () => {
    const prev = loadPlanText("plan.yaml", fixture("previous"));
    expect(prev.diagnostics.map((d) => d.code)).toEqual(["DUE_ON_REST_DAY"]);
    expect(prev.diagnostics[0]!.message).toContain("有 3 次是休息日，按规则“previous”提前至工作日：2021-07-18（周日） → 2021-07-16（周五）");
    const due = prev.plan!.assignments.filter((a) => a.deliverable === "ten-day" && a.unit === "north").map((a) => iso(a.dueAt!).slice(0, 10));
    expect(due).toEqual(["07-08", "07-16", "07-28", "08-06", "08-18", "08-27", "09-08", "09-18", "09-28", "10-08", "10-18", "10-28"].map((d) => `2021-${d}`));
  });

  it("opens each instance when the previous one falls due; the first at the start of the phase", () => {
    expect(iso(north[0]!.opensAt)).toBe("2021-07-01T00:00:00+08:00");
    for (let i = 1; i < north.length; i++) expect(north[i]!.opensAt, north[i]!.id).toBe(north[i - 1]!.dueAt);
    expect(iso(north[2]!.opensAt)).toBe("2021-07-19T18:00:00+08:00"); // the shifted due of the 07-18 instance
  });
});

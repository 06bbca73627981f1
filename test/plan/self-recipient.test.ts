import { describe, expect, it } from "vitest";
import { loadPlanText } from "../../src/plan/load.ts";
import { planText } from "./minimal-plan.ts";

// In the minimal plan the office is hosted by hq, which also leads the task "inspect".
const load = (line25: string) => loadPlanText("plan.yaml", planText({ 25: line25 }));
const rows = (r: ReturnType<typeof load>) => r.diagnostics.map((d) => [d.severity, d.code, d.line, d.col]);

describe("SELF_RECIPIENT: a unit does not owe a deliverable to itself", () => {
  it("drops the office's own unit from @task-leads when the report goes to the office, and says so at from:", () => {
    const line = '  - { id: report, title: 报告, phase: first, from: ["@districts", "@task-leads"], due: 2021-06-15 }';
    const r = load(line);
    expect(rows(r)).toEqual([["warning", "SELF_RECIPIENT", 25, line.indexOf("[") + 1]]);
    expect(r.diagnostics[0]!.message).toBe("领导小组办公室（设在测试局）是“report”的接收单位，不向自身报送；已从报送单位中略去");
    expect(r.plan!.assignments.filter((a) => a.deliverable === "report").map((a) => a.unit)).toEqual(["north", "south"]);
  });

  it("drops any recipient listed among the owners, not only the office", () => {
    const r = load('  - { id: report, title: 报告, phase: first, from: ["@districts"], to: north, due: 2021-06-15 }');
    expect(rows(r).map((x) => x[1])).toEqual(["SELF_RECIPIENT"]);
    expect(r.diagnostics[0]!.message).toBe("“north”（北区）是“report”的接收单位，不向自身报送；已从报送单位中略去");
    expect(r.plan!.assignments.filter((a) => a.deliverable === "report").map((a) => [a.unit, a.to])).toEqual([["south", "north"]]);
  });

  it("refuses a deliverable owed only by its own recipient", () => {
    const r = load("  - { id: report, title: 报告, phase: first, from: [hq], due: 2021-06-15 }");
    expect(rows(r).map((x) => x[1])).toEqual(["SELF_RECIPIENT", "EMPTY_ASSIGNEES"]);
    expect(r.diagnostics[1]!.message).toBe("“report”没有任何报送单位：from 中只有接收单位本身；请在 from 中列出报送单位，或改 to");
    expect(r.plan).toBeUndefined();
  });

  it("says nothing when no owner is the recipient", () => {
    const r = load('  - { id: report, title: 报告, phase: first, from: ["@districts"], due: 2021-06-15 }');
    expect(r.diagnostics).toEqual([]);
  });
});

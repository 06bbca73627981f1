import { describe, expect, it } from "vitest";
import { loadPlanText } from "../../src/plan/load.ts";
import { planText } from "./minimal-plan.ts";

describe("todo: a draft's open questions", () => {
  it("each entry is an UNRESOLVED_TODO error at its own line and column, and the plan does not load", () => {
    const text = planText({}, [
      "todo:",
      "  - what: 报送日期未写明",
      "    source: 五（四）“另行报送市劳动保障监察总队”",
      "    document: 渝人社发〔2021〕140号",
      "    draft: { title: 第二项相关情况, from: ['@districts'], to: hq }",
      "  - { what: 新单位联系方式 }",
    ]);
    const r = loadPlanText("plan.yaml", text);
    expect(r.plan).toBeUndefined();
    const todos = r.diagnostics.filter((d) => d.code === "UNRESOLVED_TODO");
    expect(todos.map((d) => [d.line, d.col, d.severity])).toEqual([
      [33, 5, "error"],
      [37, 5, "error"],
    ]);
    expect(todos[0]!.message).toContain("渝人社发〔2021〕140号");
    expect(todos[0]!.message).toContain("五（四）");
    // Only the todo entries are wrong: the draft object is free-form and the rest of the plan is valid.
    expect(r.diagnostics.filter((d) => d.severity === "error")).toHaveLength(2);
  });

  it("an empty todo list, or none, leaves a valid plan", () => {
    expect(loadPlanText("plan.yaml", planText({}, ["todo: []"])).plan).toBeDefined();
    expect(loadPlanText("plan.yaml", planText()).plan).toBeDefined();
  });

  it("an entry without `what` is a schema error, not a silent pass", () => {
    const r = loadPlanText("plan.yaml", planText({}, ["todo:", "  - { source: 三（一） }"]));
    expect(r.plan).toBeUndefined();
    expect(r.diagnostics.some((d) => d.code === "SCHEMA_REQUIRED")).toBe(true);
  });
});

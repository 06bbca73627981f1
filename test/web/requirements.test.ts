import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadPlanText } from "../../src/plan/load.ts";
import { requirements } from "../../src/web/views/item.ts";

/** 报送要求 on the item page: what the plan says a hand-in must contain (issue 13, the unit's page). */
describe("an item's 报送要求", () => {
  const text = readFileSync("plans/chongqing-2021.yaml", "utf8").replace(
    "    source: 三、整治时间（一）\n    phase: self-inspection\n    from: [\"@districts\"]\n    due: 2021-05-20\n  - id: self-inspection-report",
    "    source: 三、整治时间（一）\n    checklist: [工作目标与时间安排, 责任分工, 联系人及电话]\n    template: https://example.gov.cn/模板/实施方案.docx\n    phase: self-inspection\n    from: [\"@districts\"]\n    due: 2021-05-20\n  - id: self-inspection-report",
  );

  it("lists the deliverable's description, checklist, template and source, from a plan that gives them", () => {
    expect(text).toContain("checklist:");
    const r = loadPlanText("plans/chongqing-2021.yaml", text);
    expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const plan = r.plan!;
    const a = plan.assignments.find((x) => x.id === "implementation-plan/yuzhong")!;
    const out = requirements(plan, { ...a, unitName: "", toName: "", leadName: "" }).value;
    expect(out).toContain("<h3>报送要求</h3>");
    expect(out).toContain("各区县（自治县）人力社保部门结合实际，于5月20日前制定具体实施方案");
    expect(out).toContain('<ol class="checklist"><li>工作目标与时间安排</li><li>责任分工</li><li>联系人及电话</li></ol>');
    expect(out).toContain('模板/格式：<a href="https://example.gov.cn/模板/实施方案.docx" rel="noopener noreferrer">');
    expect(out).toContain("依据：");
    expect(out).toContain("三、整治时间（一）");
  });

  it("refuses a checklist that is not a list of lines, at its position", () => {
    const r = loadPlanText("plans/chongqing-2021.yaml", text.replace("checklist: [工作目标与时间安排, 责任分工, 联系人及电话]", "checklist: 工作目标"));
    expect(r.plan).toBeUndefined();
    expect(r.diagnostics.some((d) => d.severity === "error" && /checklist/.test(d.message + JSON.stringify(d)))).toBe(true);
  });
});

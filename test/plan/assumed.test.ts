import { describe, expect, it } from "vitest";
import { boardRows } from "../../src/campaign/board.ts";
import { lightOf } from "../../src/publish/light.ts";
import { boardText } from "../../src/cli/format-board.ts";
import { Engine } from "../../src/engine/engine.ts";
import { loadPlanText } from "../../src/plan/load.ts";
import { planToJson } from "../../src/present/plan-json.ts";
import { planMermaid, planSummary, planTable } from "../../src/present/plan-text.ts";
import { composeReminder } from "../../src/reminders/compose.ts";
import { composeDailySummary } from "../../src/reminders/summary.ts";
import { itemPage } from "../../src/web/views/item.ts";
import { chongqing, cst } from "../helpers.ts";
import { planText } from "./minimal-plan.ts";

const REASON = "依据另一份通知，日期待核实";

describe("assumed: a due date the document does not set", () => {
  it("ASSUMED_DATE: validate lists every assumed date at the due value's file:line:col", () => {
    const lines = planText({
      25: [
        '  - { id: report, title: 报告, phase: first, from: ["@districts"], due: 2021-06-15, assumed: 依据另一份通知，日期待核实 }',
        "  - id: ten-day",
        "    title: 旬报",
        '    from: ["@districts"]',
        "    assumed: 报送周期待核实",
        "    recurring: { monthDays: [10, 20], from: 2021-07-01, until: 2021-07-31 }",
      ],
    }).split("\n");
    const r = loadPlanText("plan.yaml", lines.join("\n"));
    expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const warned = r.diagnostics.filter((d) => d.code === "ASSUMED_DATE");
    expect(warned.map((d) => [d.line, d.col, d.message])).toEqual([
      [25, 71, `“report”的截止日期 2021-06-15 是假定的，不是方案写明的日期（${REASON}）；核实后请改为确定日期并删去 assumed`],
      [30, 16, "“ten-day”的截止日期 2021-07-12、2021-07-20 是假定的，不是方案写明的日期（报送周期待核实）；核实后请改为确定日期并删去 assumed"],
    ]);
    expect(lines[24]!.slice(70)).toMatch(/^2021-06-15/);
    expect(lines[29]!.slice(15)).toMatch(/^\{ monthDays/);
    const plan = r.plan!;
    expect(new Set(plan.assignments.filter((a) => a.deliverable === "report").map((a) => a.dueAssumed))).toEqual(new Set([REASON]));
    expect(plan.assignments.find((a) => a.deliverable === undefined)!.dueAssumed).toBeUndefined();
  });

  it("a plan without assumed: has no ASSUMED_DATE and no dueAssumed", () => {
    const r = loadPlanText("plan.yaml", planText());
    expect(r.diagnostics).toEqual([]);
    expect(r.plan!.assignments.every((a) => a.dueAssumed === undefined)).toBe(true);
  });

  it("schema: assumed is a non-empty string", () => {
    const r = loadPlanText("plan.yaml", planText({ 25: '  - { id: report, title: 报告, phase: first, from: ["@districts"], due: 2021-06-15, assumed: "" }' }));
    expect(r.diagnostics.map((d) => d.code)).toEqual(["SCHEMA_VALUE"]);
  });
});

describe("an assumed date is shown as assumed wherever it is shown", () => {
  const plan = chongqing();
  const mark = "（日期为假定：依据渝人社发〔2021〕140号，日期待核实";

  it("duban plan: the table, the summary, the Gantt chart and --json", () => {
    const table = planTable(plan);
    expect(table).toContain(`2021-06-15 周二 18:00  清理整顿人力资源市场秩序专项执法行动推进情况 → 市劳动保障监察总队${mark}`);
    expect(table).toMatch(/2021-06-15 周二 18:00 {2}阶段性集中整治工作推进情况 → 领导小组办公室\n/); // the document's own date: no mark
    expect(planSummary(plan)).toContain("假定日期：enforcement-progress、enforcement-summary 的截止日期是假定的");
    expect(planSummary(plan)).toContain("假定期限：new-situation-report、rectification、effectiveness-evaluation 的期限是假定的");
    expect(table).toContain("期限：开启后 1 个工作日（期限为假定：方案要求“及时”报告");
    expect(planMermaid(plan)).toContain("清理整顿人力资源市场秩序专项执法行动推进情况（假定日期） :milestone, 2021-06-15, 0d");
    const json = planToJson(plan);
    expect(json.assignments.find((a) => a.id === "enforcement-progress/yuzhong")!.dueAssumed).toContain("渝人社发〔2021〕140号");
    expect(json.assignments.find((a) => a.id === "progress-report/yuzhong")!.dueAssumed).toBeUndefined();
  });

  it("the board: rows carry the reason; duban status marks the date", () => {
    const engine = new Engine(plan);
    const now = cst("2021-06-10T10:00");
    engine.tick(now);
    const rows = boardRows(plan, engine.calendar, engine.views(), now);
    expect(rows.find((r) => r.id === "enforcement-progress/yuzhong")!.dueAssumed).toContain("渝人社发〔2021〕140号");
    expect(rows.find((r) => r.id === "progress-report/yuzhong")!.dueAssumed).toBeUndefined();
    const text = boardText(plan, rows, false, "2021-06-10T10:00:00+08:00");
    expect(text).toContain(`清理整顿人力资源市场秩序专项执法行动推进情况  截止 2021-06-15 周二 18:00${mark}`);
    expect(text).toMatch(/阶段性集中整治工作推进情况 {2}截止 2021-06-15 周二 18:00 {2}已报送/);
  });

  it("reminders: the digest's date line says the date is assumed, in text, HTML and Markdown", () => {
    const engine = new Engine(plan);
    const all = engine.tick(cst("2021-06-09T09:00")).reminders.find((r) => r.recipient === "yuzhong")!;
    // The two reports due 06-15 (the district's overdue May items are left out of this digest).
    const intent = { ...all, items: all.items.filter((i) => !i.overdue) };
    expect(intent.items.map((i) => i.assignment).sort()).toEqual(["enforcement-progress/yuzhong", "progress-report/yuzhong"]);
    const m = composeReminder(plan, intent, { calendar: engine.calendar });
    const dateLines = m.text.split("\n").filter((l) => l.includes("截止时间："));
    expect(dateLines).toEqual([
      `   截止时间：2021年6月15日（周二）18:00（还有3个工作日）${mark}；暂按阶段性推进情况的报送日期（6月15日前）计）`,
      "   截止时间：2021年6月15日（周二）18:00（还有3个工作日）",
    ]);
    expect(m.html).toContain(mark);
    expect(m.markdown).toContain(`> 截止时间：2021年6月15日（周二）18:00（还有3个工作日）${mark}`);
  });

  it("the office's daily summary marks the assumed dates and lists tasks without a deadline", () => {
    const engine = new Engine(plan);
    const at = cst("2021-06-10T17:00");
    engine.tick(at);
    const rows = engine.views().map((v) => ({ assignment: v.assignment, progress: v.progress, lateness: v.lateness, level: v.context.level, late: v.context.late }));
    const m = composeDailySummary(plan, { at, rows, failedDeliveries: [], head: { seq: 1, hash: "0".repeat(64) } }, { calendar: engine.calendar });
    expect(m.text).toContain(`  清理整顿人力资源市场秩序专项执法行动推进情况（截止 2021年6月15日（周二）18:00${mark}`);
    expect(m.text).toContain("  任务：加强人力资源市场监管：总数 44，");
    expect(m.text).not.toContain("任务：加强人力资源市场监管（截止");
    expect(m.html).toContain("<td>任务：加强人力资源市场监管</td><td>不设截止时间</td>");
  });

  it("the web item page marks the date", () => {
    const engine = new Engine(plan);
    const now = cst("2021-06-10T10:00");
    engine.tick(now);
    const page = (id: string) => {
      const a = plan.assignments.find((x) => x.id === id)!;
      const row = boardRows(plan, engine.calendar, [engine.view(id)!], now)[0]!;
      return itemPage(plan, { assignment: { ...a, unitName: a.unit, toName: a.to, leadName: a.lead }, row, history: [], reminders: [], allowed: [], light: lightOf({ ...row, dueAt: engine.view(id)!.context.dueAt }, undefined, now), canMark: false }, undefined).value;
    };
    expect(page("enforcement-progress/yuzhong")).toContain(`截止：2021-06-15 周二 18:00<b style="color:#a60">${mark}`);
    expect(page("progress-report/yuzhong")).not.toContain("日期为假定");
    expect(page("market-supervision/yuzhong")).toContain("截止：不设截止时间");
    expect(page("market-supervision/yuzhong")).not.toContain("未到期"); // no deadline, so no lateness either
    expect(page("progress-report/yuzhong")).toContain("临近截止");
  });
});

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { draftNoticeFile } from "../../src/draft/index.ts";
import { docxOf } from "./docx-fixtures.ts";

const dir = mkdtempSync(join(tmpdir(), "duban-draft-notices-"));

async function draft(file: string) {
  const r = await draftNoticeFile(file, { fallbackYear: 2030, schemaPath: "plan.schema.json" });
  if (!r.ok) throw new Error(r.message);
  return { ...r, plan: parse(r.emitted.text) as Record<string, any> };
}
const unitName = (plan: any, id: string) => plan.units.find((u: any) => u.id === id)?.name;
const groupName = (plan: any, ref: string) => plan.groups[ref.slice(1)]?.name;

describe("a district notice in GB18030: 旬末 reports, 一事一报, a joint inspection group, 每季度", () => {
  const FILE = "test/draft/fixtures/wage-arrears-xunbao.gb18030.txt";

  it("names the encoding it read and the issuer and year from the signature", async () => {
    const { draft: d, plan, emitted } = await draft(FILE);
    expect(d.encoding).toBe("GB18030");
    expect(emitted.text).toContain("文本编码 GB18030");
    expect(plan.campaign.issuer).toBe("重庆市渝北区人力资源和社会保障局");
    expect([String(plan.campaign.start), String(plan.campaign.end)]).toEqual(["2022-06-01", "2022-08-31"]);
    expect(plan.phases.map((p: any) => [p.name, String(p.start), String(p.end)])).toEqual([
      ["动员部署阶段", "2022-06-01", "2022-06-10"],
      ["集中检查阶段", "2022-06-11", "2022-07-31"],
      ["总结巩固阶段", "2022-08-01", "2022-08-31"],
    ]);
  });

  it("drafts the 旬末 report as monthDays [8, 18, 28] owed by the joint group, and the group with its four departments", async () => {
    const { plan } = await draft(FILE);
    const xun = plan.deliverables.find((d: any) => d.recurring);
    expect(xun.recurring.monthDays).toEqual([8, 18, 28]);
    expect(xun.title).toBe("检查进展情况");
    expect(groupName(plan, xun.from[0])).toBe("联合检查组");
    expect(plan.groups[xun.from[0].slice(1)].members.map((m: string) => unitName(plan, m))).toEqual(["区人力社保局", "区住房城乡建委", "区交通局", "区水利局"]);
    expect(xun.source).toMatch(/^四（一）“联合检查组每个旬末报送/);
  });

  it("makes one report of two sentences asking for the same summary on the same day", async () => {
    const { plan } = await draft(FILE);
    const summary = plan.deliverables.filter((d: any) => String(d.due) === "2022-08-25");
    expect(summary).toHaveLength(1);
    expect(summary[0].source).toMatch(/^一（三）“.*”；四（四）“.*”$/);
  });

  it("leaves 一事一报 and 每季度 as todo entries with their quotes, never as invented dates", async () => {
    const { plan } = await draft(FILE);
    expect(plan.todo.find((t: any) => t.source?.startsWith("四（二）")).what).toMatch(/一事一报/);
    const quarterly = plan.todo.find((t: any) => t.source?.startsWith("四（三）"));
    expect(quarterly.what).toMatch(/每季度/);
    expect(quarterly.draft.due).toBeUndefined();
    expect(plan.deliverables.some((d: any) => d.source.includes("每季度"))).toBe(false);
  });

  it("reads the leader, both deputies, the members and the office", async () => {
    const { plan } = await draft(FILE);
    const lg = plan.leadingGroup;
    expect(unitName(plan, lg.leader)).toBe("王建国");
    expect(lg.deputies.map((p: string) => unitName(plan, p))).toEqual(["陈明", "赵丽"]);
    expect(lg.members.map((m: any) => [unitName(plan, m.person), unitName(plan, m.unit)])).toEqual([
      ["孙伟", "区劳动保障监察支队"],
      ["周强", "区交通局"],
      ["吴芳", "区水利局"],
    ]);
    expect([unitName(plan, lg.office.unit), unitName(plan, lg.office.director)]).toEqual(["区劳动保障监察支队", "孙伟"]);
  });
});

describe("a notice whose attachment holds the 工作方案 as a table (.docx)", () => {
  it("drafts a task per row with lead, support and due date, and the issuer from the signature", async () => {
    const file = join(dir, "food-safety.docx");
    writeFileSync(
      file,
      await docxOf([
        "重庆市市场监督管理局关于印发《2023年食品安全“守底线”专项整治工作方案》的通知",
        "各区县（自治县）市场监管局，市局各处室：",
        "现将《2023年食品安全“守底线”专项整治工作方案》印发给你们，请认真贯彻落实。",
        "重庆市市场监督管理局",
        "2023年3月1日",
        "附件",
        "2023年食品安全“守底线”专项整治工作方案",
        "一、整治时间",
        "整治时间为2023年3月至11月。",
        "二、组织领导",
        "组长：李明 市市场监管局副局长",
        "成员：张伟 市市场监管局食品生产处处长",
        "刘洋 市市场监管局食品经营处处长",
        "办公室设在食品生产处，办公室主任由张伟同志兼任。",
        "三、重点任务",
        [
          ["序号", "重点任务", "牵头单位", "配合单位", "完成时限"],
          ["1", "开展校园食品安全排查。对全市中小学食堂开展全覆盖检查。", "食品经营处", "各区县（自治县）市场监管局", "6月30日前"],
          ["2", "整治农村集体聚餐风险。", "食品生产处", "食品经营处\n各区县（自治县）市场监管局", "9月30日前"],
          ["3", "查处网络食品违法行为。", "网监处", "食品经营处", "长期坚持"],
        ],
        "四、工作要求",
        "各区县（自治县）市场监管局于11月20日前将工作总结报送市局食品生产处。",
      ]),
    );
    const { draft: d, plan } = await draft(file);
    expect(d.encoding).toBe("docx");
    expect(plan.campaign.title).toBe("2023年食品安全“守底线”专项整治");
    expect(plan.campaign.document).toBe("2023年食品安全“守底线”专项整治工作方案");
    expect(plan.campaign.issuer).toBe("重庆市市场监督管理局");
    expect([String(plan.campaign.start), String(plan.campaign.end)]).toEqual(["2023-03-01", "2023-11-30"]);
    const tasks = plan.tasks.map((t: any) => [t.number ?? t.no, t.title, unitName(plan, t.lead), (t.support ?? []).map((s: string) => (s.startsWith("@") ? groupName(plan, s) : unitName(plan, s))), t.due && String(t.due)]);
    expect(tasks).toEqual([
      [1, "开展校园食品安全排查", "食品经营处", ["各区县（自治县）市场监管局"], "2023-06-30"],
      [2, "整治农村集体聚餐风险", "食品生产处", ["食品经营处", "各区县（自治县）市场监管局"], "2023-09-30"],
      [3, "查处网络食品违法行为", "网监处", ["食品经营处"], undefined],
    ]);
    const report = plan.deliverables.find((x: any) => String(x.due) === "2023-11-20");
    expect(unitName(plan, report.to)).toBe("食品生产处");
    // No phases in the document: a todo says so rather than an invented phase.
    expect(plan.todo.some((t: any) => /没有分阶段/.test(t.what))).toBe(true);
  });
});

describe("a provincial notice: 每月5日, 每周五, two leads, names without posts (UTF-8)", () => {
  it("drafts monthly and weekly recurrences in their phases and flags what the plan cannot hold", async () => {
    const file = join(dir, "safety.txt");
    writeFileSync(
      file,
      [
        "四川省应急管理厅关于开展2024年安全生产大排查大整治行动的通知",
        "各市（州）应急管理局：",
        "一、时间安排",
        "行动时间为2024年4月1日至12月31日。",
        "（一）排查阶段（4月1日至6月30日）。各市（州）应急管理局每月5日前报送上月排查情况。",
        "（二）整治阶段（7月1日至11月30日）。各市（州）应急管理局每周五报送整治进展。",
        "（三）验收阶段（12月）。各市（州）应急管理局于12月20日前报送验收报告。",
        "二、组织领导",
        "成立大排查大整治行动领导小组。",
        "组长：刘强（省应急管理厅厅长）",
        "副组长：马林（省应急管理厅副厅长）",
        "成员：张涛、李娜、王军",
        "领导小组办公室设在省应急管理厅安全协调处，办公室主任由马林同志担任。",
        "三、主要任务",
        "（一）开展企业自查。牵头单位：安全协调处、危化品监管处；配合单位：各市（州）应急管理局。",
        "（二）开展执法检查。牵头单位：执法总队；配合单位：安全协调处。9月30日前完成。",
      ].join("\n"),
    );
    const { plan } = await draft(file);
    expect(plan.campaign.issuer).toBe("四川省应急管理厅");
    const monthly = plan.deliverables.find((d: any) => d.recurring?.monthDays);
    expect(monthly.recurring).toEqual({ monthDays: [5], from: "start:pai-cha", until: "end:pai-cha" });
    const weekly = plan.deliverables.find((d: any) => d.recurring?.weekdays);
    expect(weekly.recurring).toEqual({ weekdays: [5], from: "start:zheng-zhi", until: "end:zheng-zhi" });
    expect(String(plan.deliverables.find((d: any) => d.due).due)).toBe("2024-12-20");
    expect(plan.phases.map((p: any) => String(p.end))).toEqual(["2024-06-30", "2024-11-30", "2024-12-31"]);
    expect(unitName(plan, plan.leadingGroup.leader)).toBe("刘强");
    expect(unitName(plan, plan.leadingGroup.office.unit)).toBe("安全协调处");
    expect(unitName(plan, plan.leadingGroup.office.director)).toBe("马林");
    expect(plan.todo.filter((t: any) => /所在单位没有写明/.test(t.what))).toHaveLength(3);
    expect(plan.todo.some((t: any) => /多个牵头单位/.test(t.what) && t.source.startsWith("三（一）"))).toBe(true);
    expect(String(plan.tasks[1].due)).toBe("2024-09-30");
  });
});

import { simpleParser } from "mailparser";
import { describe, expect, it } from "vitest";
import { Engine } from "../../src/engine/engine.ts";
import { composeDailySummary, type DailySummaryInput, type SummarySubPlan } from "../../src/reminders/summary.ts";
import { buildRawMessage } from "../../notifiers/rfc822.ts";
import { chongqing, cst } from "../helpers.ts";

const plan = chongqing();
const engine = new Engine(plan);
engine.tick(cst("2021-05-13T09:00"));
const base: DailySummaryInput = {
  at: cst("2021-05-13T09:00"),
  rows: engine.views().map((v) => ({ assignment: v.assignment, progress: v.progress, lateness: v.lateness, level: v.context.level, late: v.context.late })),
  failedDeliveries: [],
  head: { seq: 7, hash: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" },
};
const yuzhong: SummarySubPlan = {
  campaign: "cq-labour-intermediary-2021-yuzhong",
  title: "渝中区劳务中介专项整治行动（自查阶段）",
  done: 1,
  total: 10,
  overdue: 2,
  overdueItems: [
    { title: "辖区人力资源服务机构、劳务派遣机构底数", unitName: "朝天门街道", due: "2021-05-12T18:00:00+08:00", daysLate: 1, level: 0 },
    { title: "辖区人力资源服务机构、劳务派遣机构底数", unitName: "大坪街道", due: "2021-05-12T18:00:00+08:00", daysLate: 1, level: 1 },
  ],
};
const jiangbei: SummarySubPlan = { campaign: "cq-labour-intermediary-2021-jiangbei", title: "江北区劳务中介专项整治行动", done: 0, total: 11, overdue: 0, overdueItems: [] };

describe("the office's 日报 of a campaign with sub-plans", () => {
  it("lists each sub-plan's overdue items in a section of its own, in text, markdown and HTML", async () => {
    const m = composeDailySummary(plan, { ...base, subPlans: [yuzhong, jiangbei] }, { calendar: engine.calendar });
    const section = m.text.slice(m.text.indexOf("六、下级专项行动的逾期事项"));
    expect(section).toContain("渝中区劳务中介专项整治行动（自查阶段）（cq-labour-intermediary-2021-yuzhong）：已完成 1/10，逾期 2 项");
    expect(section).toContain("辖区人力资源服务机构、劳务派遣机构底数｜朝天门街道｜截止 2021年5月12日（周三）18:00｜逾期1个工作日\n");
    expect(section).toContain("辖区人力资源服务机构、劳务派遣机构底数｜大坪街道｜截止 2021年5月12日（周三）18:00｜逾期1个工作日，一级督办");
    expect(section).toContain("江北区劳务中介专项整治行动（cq-labour-intermediary-2021-jiangbei）：已完成 0/11，逾期 0 项\n    无逾期事项");
    expect(m.markdown).toContain("**六、下级专项行动的逾期事项**");
    expect(m.markdown).toContain("> - 辖区人力资源服务机构、劳务派遣机构底数｜大坪街道｜");
    // What a mail reader shows of the HTML part.
    const parsed = await simpleParser(await buildRawMessage(m));
    expect(parsed.html).toContain("<td>朝天门街道</td>");
    expect(parsed.html).toContain("<p>无逾期事项</p>");
  });

  it("has no such section without sub-plans, and the rest of the summary does not change", () => {
    const without = composeDailySummary(plan, base, { calendar: engine.calendar });
    expect(without.text).not.toContain("下级专项行动");
    expect(without.html).not.toContain("下级专项行动");
    const withOnes = composeDailySummary(plan, { ...base, subPlans: [jiangbei] }, { calendar: engine.calendar });
    expect(withOnes.text.slice(0, withOnes.text.indexOf("六、"))).toBe(without.text.slice(0, without.text.indexOf("\n\n", without.text.indexOf("五、记录核验")) + 2));
    expect(withOnes.messageId).toBe(without.messageId);
  });
});

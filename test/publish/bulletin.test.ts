import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import { documentDateZh } from "../../src/publish/chinese-date.ts";
import { checkDocumentTemplate, documentTemplate } from "../../src/publish/doc-template.ts";
import { publishDocument } from "../../src/publish/bulletin.ts";
import { documentData, VIEW_SHAPE, type Shape } from "../../src/publish/bulletin-view.ts";
import { publishedAsOf } from "../../src/publish/source.ts";
import { captureIo, cst } from "../helpers.ts";
import { docxTables, docxText } from "./docx-read.ts";
import { dbPath, planFile, played, playStory, PUBLISH_PLAN, SCORED_PLAN } from "./fixture.ts";



async function duban(db: string, ...args: string[]) {
  const io = captureIo();
  const code = await main(["node", "duban", "--db", db, "--now", "2021-07-20T12:00+08:00", ...args], io);
  return { code, out: io.stdout, err: io.stderr };
}

const out = () => join(mkdtempSync(join(tmpdir(), "duban-bulletin-")), "通报.docx");

describe("duban bulletin", () => {
  it("writes a 通报 with title, 文号, the date in Chinese, the figures, the late table, the commended units and the scores", async () => {
    const { db, close } = await played();
    await close();
    const file = out();
    const r = await duban(db, "bulletin", "--as-of", "2021-07-20T12:00+08:00", "-o", file);
    expect(r.err).toBe("");
    expect(r.out.trim()).toBe(`通报已写入 ${file}（截至 2021-07-20T12:00:00+08:00）`);
    const bytes = readFileSync(file);
    const text = await docxText(bytes);
    expect(text[0]).toBe("〔2021〕　号");
    expect(text[1]).toBe("关于测试专项行动报送情况的通报");
    expect(text).toContain("现将2021年5月1日至2021年7月20日测试专项行动各项报送事项的办理情况通报如下。");
    // The story's totals (test/publish/stats.test.ts): 5 due, 2 on time, 1 late, 2 overdue, 1 waived.
    expect(text).toContain("截至2021年7月20日，本期已到期应报送事项5项，其中按时办结2项，逾期办结1项，逾期未报2项；另有免报事项1项。按时完成率40.0%，逾期率60.0%。退回修改1次，延期办理1项。各单位完成情况如下：");
    // Headings numbered in order; the commended paragraph and the scores appear because the data and rules are there.
    expect(text.filter((l) => /^[一二三四五六]、/.test(l))).toEqual(["一、总体情况", "二、逾期情况", "三、表扬", "四、考评情况", "五、工作要求"]);
    expect(text).toContain("南区、东区2个单位共3项事项逾期，具体如下：");
    expect(text).toContain("北区本期到期事项全部按时办结，予以通报表扬。");
    expect(text.slice(-2)).toEqual(["测试局", "二〇二一年七月二十日"]);

    const [units, late, scores] = await docxTables(bytes);
    expect(units![0]).toEqual(["单位", "应办数", "已到期", "按时办结", "逾期办结", "逾期未报", "免报", "按时完成率"]);
    expect(units!.slice(1)).toEqual([
      ["北区", "2", "1", "1", "0", "0", "1", "100.0%"],
      ["南区", "2", "2", "1", "1", "0", "0", "50.0%"],
      ["东区", "2", "2", "0", "0", "2", "0", "0.0%"],
      ["合计", "6", "5", "2", "1", "2", "1", "40.0%"],
    ]);
    expect(late).toEqual([
      ["序号", "责任单位", "报送事项", "截止日期", "办理情况"],
      ["1", "南区", "半年报告", "2021年6月15日", "逾期4个工作日报送（退回修改1次）"],
      ["2", "东区", "半年报告", "2021年6月25日", "逾期17个工作日，尚未报送"],
      ["3", "东区", "阶段小结", "2021年7月15日", "逾期3个工作日，尚未报送"],
    ]);
    expect(scores!.map((row) => [row[0], row[1], row.at(-1)])).toEqual([
      ["排名", "单位", "得分"],
      ["1", "北区", "2"],
      ["2", "南区", "0"],
      ["3", "东区", "-4*"],
    ]);
    expect(text).toContain("注：带“*”的得分已按考评规则的单位得分下限（-4分）计。");
  });

  it("covers the period from --from: items due or handed in then, and every item still overdue", async () => {
    const { db, close } = await played();
    await close();
    const file = out();
    expect((await duban(db, "bulletin", "--as-of", "2021-07-20T12:00+08:00", "--from", "2021-07-01T00:00+08:00", "-o", file)).code).toBe(0);
    const bytes = readFileSync(file);
    const text = await docxText(bytes);
    // The summaries (north waived, south on time, east overdue) and east's report, overdue since June;
    // south's late report was handed in before the period and north's report long before.
    expect(text).toContain("截至2021年7月20日，本期已到期应报送事项3项，其中按时办结1项，逾期办结0项，逾期未报2项；另有免报事项1项。按时完成率33.3%，逾期率66.7%。退回修改0次，延期办理1项。各单位完成情况如下：");
    expect(text).toContain("南区本期到期事项全部按时办结，予以通报表扬。");
    const [, late] = await docxTables(bytes);
    expect(late!.slice(1).map((r) => [r[1], r[2]])).toEqual([
      ["东区", "半年报告"],
      ["东区", "阶段小结"],
    ]);
  });

  it("says there is nothing late, and leaves out the scores, when the plan has no rules", async () => {
    const { db, close } = await played(PUBLISH_PLAN, "2021-06-11T10:00");
    await close();
    const file = out();
    const io = captureIo();
    expect(await main(["node", "duban", "--db", db, "--now", "2021-06-11T10:00+08:00", "bulletin", "-o", file], io)).toBe(0);
    const text = await docxText(readFileSync(file));
    expect(text).toContain("本期各单位均按时报送，无逾期事项。");
    expect(text).toContain("北区本期到期事项全部按时办结，予以通报表扬。");
    expect(text.some((l) => l.includes("考评"))).toBe(false);
    expect(text.at(-1)).toBe("二〇二一年六月十一日");
    expect(await docxTables(readFileSync(file))).toHaveLength(1);
  });

  it("pre-fills the office's report to the bureau with --kind report", async () => {
    const { db, close } = await played();
    await close();
    const file = out();
    expect((await duban(db, "bulletin", "--kind", "report", "--as-of", "2021-06-16T12:00+08:00", "-o", file)).out).toContain("报告已写入");
    const text = await docxText(readFileSync(file));
    expect(text[0]).toBe("关于测试专项行动开展情况的报告");
    expect(text[1]).toBe("测试局：");
    expect(text).toContain("2021年5月1日至2021年6月16日，已到期报送事项2项，按时办结1项，逾期办结0项，逾期未报1项，按时完成率50.0%。各单位完成情况如下：");
  });

  it("refuses, in one line, an --as-of before the store begins and a --from after --as-of", async () => {
    const { db, close } = await played(SCORED_PLAN, "2021-06-11T10:00");
    await close();
    const early = await duban(db, "bulletin", "--as-of", "2021-03-01T00:00+08:00", "-o", out());
    expect(early.code).toBe(1);
    expect(early.err.trim()).toContain("早于本存储的第一条记录：专项行动于 2021-04-28 周三 10:00 建立");
    const backwards = await duban(db, "bulletin", "--as-of", "2021-06-10T00:00+08:00", "--from", "2021-06-11T00:00+08:00", "-o", out());
    expect(backwards.code).toBe(1);
    expect(backwards.err.trim()).toBe("duban: --from 2021-06-11 周五 00:00 晚于截止时刻 2021-06-10 周四 00:00；请选择此前的时刻");
  });
});

describe("a campaign's own bulletin template", () => {
  function planWithTemplate(template: string): string {
    const file = planFile(SCORED_PLAN);
    mkdirSync(join(dirname(file), "templates"));
    writeFileSync(join(dirname(file), "templates", "bulletin.docx.mustache"), template);
    return file;
  }

  it("replaces the default wording, found beside the plan the campaign was started from", async () => {
    const plan = planWithTemplate("# {{campaign.title}}第{{lateCount}}号情况\n本期按时完成率{{total.onTimeRate}}。\n[[late]]\n> {{date}}\n");
    const store = (await import("../../src/store/open.ts")).openStore;
    const db = dbPath();
    const s = await store(db);
    const c = await (await import("../../src/campaign/campaign.ts")).Campaign.init(s, plan, cst("2021-04-28T10:00"));
    await playStory(c);
    await s.close();
    const file = out();
    expect((await duban(db, "bulletin", "-o", file)).code).toBe(0);
    const text = await docxText(readFileSync(file));
    expect(text[0]).toBe("测试专项行动第3号情况");
    expect(text[1]).toBe("本期按时完成率40.0%。");
    expect(text.at(-1)).toBe("二〇二一年七月二十日");
  });

  it("is checked by validate: an unknown placeholder or table at file:line:col", async () => {
    const plan = planWithTemplate("# {{campaign.title}}\n{{#late}}{{unit}}：{{reason}}{{/late}}\n本期{{totl.onTime}}项\n[[chart]]\n");
    const io = captureIo();
    expect(await main(["node", "duban", "validate", plan], io)).toBe(1);
    const tpl = join(dirname(plan), "templates", "bulletin.docx.mustache");
    expect(io.stderr.trim().split("\n")).toEqual([
      `${tpl}:2:19: error[TEMPLATE_PLACEHOLDER]: 未知占位符“reason”；可用的有：no、unit、title、due、status、daysLate`,
      `${tpl}:3:3: error[TEMPLATE_PLACEHOLDER]: 未知占位符“totl.onTime”；可用的有：campaign、office、docNumber、date、period、total、units、late、hasLate、lateCount、lateUnitCount、lateUnitNames、commended、hasCommended、commendedNames、scores、hasScores`,
      `${tpl}:4:1: error[TEMPLATE_PLACEHOLDER]: 未知表格“chart”；可用的有：late（逾期单位和事项）、units（各单位完成情况）、scores（考评得分）`,
    ]);
  });

  it("passes validate when it names only what the documents have", async () => {
    const plan = planWithTemplate("# {{campaign.title}}\n{{#units}}{{name}}{{onTimeRate}}{{date}}{{/units}}\n{{#scores}}{{rank}}{{name}}{{score}}{{/scores}}\n[[scores]]\n");
    const io = captureIo();
    expect(await main(["node", "duban", "validate", plan], io)).toBe(0);
    expect(io.stderr).toBe("");
  });
});

describe("document pieces", () => {
  it("writes the date in Chinese numerals", () => {
    expect(documentDateZh(cst("2021-06-16T09:00"), "Asia/Shanghai")).toBe("二〇二一年六月十六日");
    expect(documentDateZh(cst("2021-10-10T09:00"), "Asia/Shanghai")).toBe("二〇二一年十月十日");
    expect(documentDateZh(cst("2021-12-31T23:00"), "Asia/Shanghai")).toBe("二〇二一年十二月三十一日");
    expect(documentDateZh(cst("2020-02-20T09:00"), "Asia/Shanghai")).toBe("二〇二〇年二月二十日");
  });

  it("the shipped templates pass their own check, and the view has exactly the names the check knows", async () => {
    for (const kind of ["bulletin", "report"] as const) {
      const t = documentTemplate(kind);
      expect(checkDocumentTemplate(t.file, t.text)).toEqual([]);
    }
    const { c } = await played(SCORED_PLAN, "2021-06-16T12:00");
    const { view } = documentData(await publishedAsOf(c, cst("2021-06-16T12:00")), c.plan.campaign.startAt);
    const shapeOf = (v: unknown): Shape => (Array.isArray(v) ? [v.length ? shapeOf(v[0]) : "value"] : v && typeof v === "object" ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shapeOf(x)])) : "value");
    expect(shapeOf(view)).toEqual(VIEW_SHAPE);
  });

  it("refuses to publish with a template that names an unknown placeholder", async () => {
    const { c } = await played(SCORED_PLAN, "2021-06-11T10:00");
    const dir = mkdtempSync(join(tmpdir(), "duban-tpl-"));
    writeFileSync(join(dir, "bulletin.docx.mustache"), "# {{titel}}\n");
    await expect(publishDocument(await publishedAsOf(c, cst("2021-06-11T10:00")), { templateDir: dir })).rejects.toMatchObject({ code: "TEMPLATE", message: `${join(dir, "bulletin.docx.mustache")}:1:3: 未知占位符“titel”；可用的有：campaign、office、docNumber、date、period、total、units、late、hasLate、lateCount、lateUnitCount、lateUnitNames、commended、hasCommended、commendedNames、scores、hasScores` });
  });
});

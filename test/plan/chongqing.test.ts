import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import type { Io } from "../../src/cli/io.ts";
import { loadPlan } from "../../src/plan/load.ts";
import { planToJson } from "../../src/present/plan-json.ts";
import { seedText } from "../seed.ts";
import { planText } from "./minimal-plan.ts";
import { boardRows } from "../../src/campaign/board.ts";
import { formatInstant } from "../../src/engine/calendar.ts";
import { Engine } from "../../src/engine/engine.ts";
import { calendarOf } from "../../src/engine/calendar-of.ts";

const PLAN = fileURLToPath(new URL("../../plans/chongqing-2021.yaml", import.meta.url));
const seedOrAbsent = seedText("chongqing-labour-intermediary-campaign-2021.txt");
const seed = seedOrAbsent ?? "";

const result = loadPlan(PLAN);
const plan = result.plan!;
const json = planToJson(plan);

const DISTRICTS = [
  "wanzhou", "fuling", "yuzhong", "dadukou", "jiangbei", "shapingba", "jiulongpo", "nanan", "beibei", "qijiang", "dazu", "yubei", "banan",
  "qianjiang", "changshou", "jiangjin", "hechuan", "yongchuan", "nanchuan", "bishan", "tongliang", "tongnan", "rongchang", "kaizhou",
  "liangping", "wulong", "chengkou", "fengdu", "dianjiang", "zhongxian", "yunyang", "fengjie", "wushan", "wuxi", "shizhu", "xiushan",
  "youyang", "pengshui",
];
const TASK_LEADS = ["flow", "inspection-corps", "labour-relations"];

/** 五、重点任务及分工, as the document assigns it (the district group expanded in place). */
const TASKS: { id: string; title: string; lead: string; support: string[] }[] = [
  { id: "market-supervision", title: "加强人力资源市场监管", lead: "flow", support: ["legal", "labour-relations", "talent-center", "employment-bureau", "xinchan", ...DISTRICTS] },
  { id: "law-enforcement", title: "开展清理整顿人力资源市场秩序专项执法行动", lead: "inspection-corps", support: ["flow", "labour-relations", "labour-inspection", ...DISTRICTS] },
  { id: "online-recruitment", title: "实施网络招聘服务专项治理", lead: "flow", support: ["inspection-corps", ...DISTRICTS] },
  { id: "red-black-list", title: "建立实施“红黑名单”制度", lead: "flow", support: ["labour-relations", "inspection-corps", ...DISTRICTS] },
  { id: "employer-guidance", title: "加强对企业用工的指导和服务", lead: "labour-relations", support: ["flow", "talent-center", "employment-bureau", "xinchan"] },
  { id: "industry-self-regulation", title: "充分发挥行业协议的行业自律作用", lead: "flow", support: [...DISTRICTS] },
];

const sorted = (xs: readonly string[]) => [...xs].sort();

function ownersOf(deliverable: string) {
  return plan.assignments.filter((a) => a.deliverable === deliverable);
}

describe.skipIf(seedOrAbsent === undefined)("the Chongqing 2021 plan", () => {
  it("resolves with no error; warns of the two Sunday deadlines (10月10日前 → Saturday 10-09), the office's own reports, the two assumed dates and the three assumed deadlines of the kinds", () => {
    expect(plan).toBeDefined();
    expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const text = readFileSync(PLAN, "utf8").split("\n");
    const warned = (code: string) => result.diagnostics.filter((d) => d.code === code);
    expect(result.diagnostics.filter((d) => !["DUE_ON_REST_DAY", "SELF_RECIPIENT", "ASSUMED_DATE"].includes(d.code))).toEqual([]);
    expect(warned("DUE_ON_REST_DAY").map((d) => d.message)).toEqual([
      "2021-10-10（周日）是休息日；按规则“previous”，“summary-report”的截止日期提前至 2021-10-09（周六）",
      "2021-10-10（周日）是休息日；按规则“previous”，“enforcement-summary”的截止日期提前至 2021-10-09（周六）",
    ]);
    for (const d of warned("DUE_ON_REST_DAY")) {
      expect(text[d.line - 1]).toMatch(/^\s+due: 2021-10-10$/);
      expect(text[d.line - 1]!.slice(d.col - 1)).toBe("2021-10-10");
    }
    expect(warned("SELF_RECIPIENT").map((d) => d.message)).toEqual([
      "领导小组办公室（设在人力资源流动管理处）是“progress-report”的接收单位，不向自身报送；已从报送单位中略去",
      "领导小组办公室（设在人力资源流动管理处）是“summary-report”的接收单位，不向自身报送；已从报送单位中略去",
    ]);
    for (const d of warned("SELF_RECIPIENT")) expect(text[d.line - 1]!.slice(d.col - 1)).toBe('["@districts", "@task-leads"]');
    const assumedDates = warned("ASSUMED_DATE").filter((d) => d.message.includes("的截止日期"));
    expect(assumedDates.map((d) => /“(.+?)”的截止日期 (\S+) 是假定的/.exec(d.message)!.slice(1))).toEqual([
      ["enforcement-progress", "2021-06-15"],
      ["enforcement-summary", "2021-10-09"],
    ]);
    for (const d of assumedDates) expect(text[d.line - 1]).toMatch(/^\s+due: \S+/);
    // A kind's deadline counts from each opening: the warning points at the reason, there being no date.
    const assumedKinds = warned("ASSUMED_DATE").filter((d) => !assumedDates.includes(d));
    expect(assumedKinds.map((d) => /“(.+?)”的期限/.exec(d.message)![1])).toEqual(["new-situation-report", "rectification", "effectiveness-evaluation"]);
    for (const d of assumedKinds) expect(text[d.line - 1]).toMatch(/^\s+assumed: 方案要求“(及时|加快整改|适时)”/);
  });

  it("runs from May to October in three phases with the document's windows", () => {
    expect(seed).toContain("此次专项整治时间为5月-10月，分3个阶段实施");
    expect(json.campaign).toMatchObject({ id: "cq-labour-intermediary-2021", title: "重庆市劳务中介专项整治行动", timezone: "Asia/Shanghai", start: "2021-05-01", end: "2021-10-31" });
    expect(json.phases).toEqual([
      { id: "self-inspection", name: "自查阶段", start: "2021-05-01", end: "2021-05-20" },
      { id: "concentrated", name: "集中整治阶段", start: "2021-05-21", end: "2021-09-30" },
      { id: "evaluation", name: "总结评估阶段", start: "2021-10-01", end: "2021-10-31" },
    ]);
    for (const p of json.phases) expect(seed).toContain(`（${["一", "二", "三"][json.phases.indexOf(p)]}）${p.name}`);
    expect(seed).toContain("自查阶段（5月20日前）");
    expect(seed).toContain("集中整治阶段（5月21日－9月）");
    expect(seed).toContain("总结评估阶段（10月）");
  });

  it("has the six tasks with exactly the document's lead and support units", () => {
    expect(plan.tasks.map((t) => ({ id: t.id, title: t.title, lead: t.lead, support: t.support }))).toEqual(TASKS);
    expect(plan.tasks.map((t) => t.number)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(plan.tasks.find((t) => t.id === "law-enforcement")!.partners).toEqual(["police", "market-regulation"]);
    expect(plan.tasks.find((t) => t.id === "industry-self-regulation")!.partners).toEqual(["hr-association"]);
  });

  it("matches the document text of 五、重点任务及分工, read unit by unit", () => {
    // Names as the document writes them, resolved through the plan's own unit names and short names.
    const byName = new Map<string, string[]>();
    for (const u of plan.units.values()) for (const n of [u.name, u.short]) if (n) byName.set(n, [u.id]);
    byName.set(plan.groups.get("districts")!.name!, plan.groups.get("districts")!.members);
    const resolve = (list: string) =>
      list
        .split(/[、，；,;]/)
        .map((s) => s.trim().replace(/[。；]$/, ""))
        .filter(Boolean)
        .flatMap((name) => {
          const ids = byName.get(name);
          if (!ids) throw new Error(`the document names "${name}", which is no unit of the plan`);
          return ids;
        });
    const sections = seed.split(/\n\s*（[一二三四五六]）/).filter((s) => s.includes("牵头部门："));
    expect(sections).toHaveLength(6);
    sections.forEach((s, i) => {
      const title = s.slice(0, s.indexOf("。"));
      const lead = /牵头部门：(.+?)[；\n]/.exec(s)![1]!;
      const support = /配合部门：(.+)/.exec(s)![1]!;
      expect(title).toBe(TASKS[i]!.title);
      expect(resolve(lead)).toEqual([TASKS[i]!.lead]);
      expect(resolve(support)).toEqual(TASKS[i]!.support);
    });
  });

  it("has 38 district units: 26 区, 8 县, 4 自治县", () => {
    const districts = json.units.filter((u) => u.kind === "district");
    expect(districts.map((u) => u.id)).toEqual(DISTRICTS);
    const suffix = (u: { name: string }) => u.name.replace(/人力社保局$/, "");
    expect(districts.filter((u) => suffix(u).endsWith("区"))).toHaveLength(26);
    expect(districts.filter((u) => suffix(u).endsWith("县") && !suffix(u).endsWith("自治县"))).toHaveLength(8);
    expect(districts.filter((u) => suffix(u).endsWith("自治县"))).toHaveLength(4);
    for (const u of districts) expect(u.groups).toEqual(["districts"]);
    expect(plan.groups.get("districts")!.name).toBe("各区县（自治县）人力社保部门");
  });

  it("has the leading group of 四、组织领导: leader 何振国, office at 人力资源流动管理处 under 刘青青, seven members", () => {
    const name = (id: string) => plan.units.get(id)!.name;
    const lg = plan.leadingGroup;
    expect(lg.name).toBe("市人力社保局劳务中介专项整治工作领导小组");
    expect(seed).toContain(`决定成立${lg.name}`);
    expect(name(lg.leader)).toBe("何振国");
    expect(plan.units.get(lg.leader)!.kind).toBe("person");
    expect(seed).toMatch(/组\s+长：何振国\s+市人力社保局党组成员、副局长/);
    expect(lg.office.unit).toBe("flow");
    expect(name(lg.office.unit)).toBe("人力资源流动管理处");
    expect(seed).toContain("领导小组办公室设在市人力社保局人力资源流动管理处");
    expect(name(lg.office.director!)).toBe("刘青青");
    expect(seed).toContain("办公室主任由刘青青同志兼任");
    expect(lg.members).toHaveLength(7);
    const members = lg.members.map((m) => [name(m.person), m.unit]);
    expect(members).toEqual([
      ["胡京", "legal"],
      ["刘青青", "flow"],
      ["方扬", "labour-relations"],
      ["宋成", "talent-center"],
      ["李为民", "employment-bureau"],
      ["郑文杰", "inspection-corps"],
      ["黄曲", "xinchan"],
    ]);
    // Each member line of the document: the name (two-character names spaced out there) and the post.
    const squeezed = seed.replace(/\s+/g, "");
    for (const id of [lg.leader, ...lg.members.map((m) => m.person)]) {
      const person = plan.units.get(id)!;
      expect(squeezed).toContain(`${person.name}${person.title}`);
    }
    for (const m of lg.members) expect(plan.units.get(m.person)!.parent).toBe(m.unit);
  });

  it("asks every district for its implementation plan and self-inspection by 2021-05-20 18:00", () => {
    for (const id of ["implementation-plan", "self-inspection-report"]) {
      const owed = ownersOf(id);
      expect(owed.map((a) => a.unit)).toEqual(DISTRICTS);
      const js = json.assignments.filter((a) => a.deliverable === id);
      expect(new Set(js.map((a) => a.due))).toEqual(new Set(["2021-05-20T18:00:00+08:00"]));
      expect(new Set(js.map((a) => a.to))).toEqual(new Set(["flow"]));
      expect(js[0]!.id).toBe(`${id}/wanzhou`);
    }
  });

  it("asks every district and each task lead department but the office's own for progress (06-15) and summary (10-10 → 10-09) reports, to the office", () => {
    expect(seed).toContain("并于6月15日、10月10日前将情况报送领导小组办公室");
    for (const [id, due] of [
      ["progress-report", "2021-06-15T18:00:00+08:00"],
      ["summary-report", "2021-10-09T18:00:00+08:00"],
    ] as const) {
      const js = json.assignments.filter((a) => a.deliverable === id);
      // 人力资源流动管理处 leads four tasks but hosts the office: it does not report to itself.
      expect(js.map((a) => a.unit)).toEqual([...DISTRICTS, ...TASK_LEADS.filter((u) => u !== "flow")]);
      expect(new Set(js.map((a) => a.due))).toEqual(new Set([due]));
      expect(new Set(js.map((a) => a.to))).toEqual(new Set(["flow"]));
    }
    expect(new Set(ownersOf("summary-report").map((a) => a.dueShiftedFrom))).toEqual(new Set(["2021-10-10"]));
    expect(new Set(ownersOf("progress-report").map((a) => a.dueShiftedFrom))).toEqual(new Set([undefined]));
  });

  it("sends task 2's reports to the labour inspection corps (渝人社发〔2021〕140号)", () => {
    expect(seed).toContain("另行报送市劳动保障监察总队");
    for (const [id, due] of [
      ["enforcement-progress", "2021-06-15T18:00:00+08:00"],
      ["enforcement-summary", "2021-10-09T18:00:00+08:00"],
    ] as const) {
      const js = json.assignments.filter((a) => a.deliverable === id);
      expect(js.map((a) => a.unit)).toEqual(DISTRICTS);
      expect(new Set(js.map((a) => [a.to, a.lead, a.task, a.due].join(" ")))).toEqual(new Set([`inspection-corps inspection-corps law-enforcement ${due}`]));
      // The dates come from 渝人社发〔2021〕140号, which the plan does not have: marked as assumed.
      expect(new Set(js.map((a) => a.dueAssumed))).toEqual(new Set([expect.stringContaining("依据渝人社发〔2021〕140号，日期待核实")]));
    }
  });

  it("opens the bureau's evaluation of districts chosen during the campaign (部分区县, 适时) as they are chosen, not as an item of the plan", () => {
    expect(seed).toContain("市人力社保局将对部分区县专项整治行动开展情况进行成效评估，并采取适当形式适时对专项整治行动开展情况进行总结交流");
    expect(json.assignments.filter((a) => a.id.startsWith("effectiveness-evaluation"))).toEqual([]);
    const k = plan.kinds.get("effectiveness-evaluation")!;
    // The bureau opens one per district it picks; the office's host division carries it out and reports back.
    expect([...k.openers.units]).toEqual(["bureau"]);
    expect([...k.recipients.units]).toEqual(["flow"]);
    expect(k.reviewer).toBe("opener");
    expect(k.fields).toEqual([{ id: "district", title: "评估区县", type: "unit", required: true }]);
    expect(k.key).toEqual(["district"]);
    expect(k.due).toEqual({ kind: "given", max: { n: 20, unit: "wd" }, default: { n: 10, unit: "wd" } });
    expect(k.assumed).toContain("适时");
  });

  it("opens a new-situation report when a district finds one (五、工作要求（四）), and a rectification after a 约谈 (五、重点任务及分工（三）)", () => {
    expect(seed).toContain("对专项整治行动推进过程中发现的新情况、新问题，要及时向领导小组办公室报告");
    const report = plan.kinds.get("new-situation-report")!;
    expect(sorted([...report.openers.units])).toEqual(sorted(DISTRICTS));
    expect(report.recipients).toEqual({ office: false, taskLeads: false, self: true, any: false, units: new Set() });
    expect(report.reviewer).toBe("office");
    expect(report.due).toEqual({ kind: "offset", offset: { n: 1, unit: "wd" } });
    expect(report.assumed).toContain("及时");

    expect(seed).toContain("对具有严重违法违规行为或存在重点违规风险的机构，采取约谈负责人等措施，责令其加快整改");
    const fix = plan.kinds.get("rectification")!;
    // Task （三）'s units: its lead hosts the office; the inspection corps and the districts support it.
    expect(fix.openers.office).toBe(true);
    expect(sorted([...fix.openers.units])).toEqual(sorted(["inspection-corps", ...DISTRICTS]));
    expect(sorted([...fix.recipients.units])).toEqual(sorted(["inspection-corps", ...DISTRICTS]));
    // The 整改时限 is the opener's to give; the document sets no bound, so the plan's is assumed.
    expect(fix.due.kind).toBe("given");
    expect(fix.assumed).toContain("加快整改");
    expect(fix.fields.map((f) => f.title)).toEqual(["机构名称", "违法违规问题", "采取措施"]);
    expect(fix.key).toEqual(["agency", "problem"]);
  });

  it("gives the tasks no deadline", () => {
    const tasks = json.assignments.filter((a) => a.kind === "task");
    expect(tasks).toHaveLength(TASKS.reduce((n, t) => n + 1 + t.support.length, 0));
    expect(tasks).toHaveLength(211);
    // 五、重点任务及分工 asks for no hand-in of a task: no due date, no ladder.
    expect(new Set(tasks.map((a) => `${a.due}|${a.policy}`))).toEqual(new Set(["null|"]));
    for (const t of TASKS) {
      const mine = tasks.filter((a) => a.task === t.id);
      expect(mine.filter((a) => a.role === "lead").map((a) => a.unit)).toEqual([t.lead]);
      expect(sorted(mine.filter((a) => a.role === "support").map((a) => a.unit))).toEqual(sorted(t.support));
    }
  });
});

/** The document's parts ("五、工作要求") and their numbered sections ("（四）…"), from the text as read above. */
interface Part {
  numeral: string;
  title: string;
  text: string;
  sections: { numeral: string; text: string }[];
}

function partsOf(doc: string): Part[] {
  const parts: Part[] = [];
  for (const line of doc.split("\n").map((l) => l.trim())) {
    const head = /^([一二三四五六七八九十]+)、(.+)$/.exec(line);
    if (head) {
      parts.push({ numeral: head[1]!, title: head[2]!, text: "", sections: [] });
      continue;
    }
    const part = parts[parts.length - 1];
    if (!part) continue;
    part.text += `${line}\n`;
    const sub = /^（([一二三四五六七八九十]+)）/.exec(line);
    if (sub) part.sections.push({ numeral: sub[1]!, text: "" });
    const section = part.sections[part.sections.length - 1];
    if (section) section.text += `${line}\n`;
  }
  return parts;
}

/**
 * The text of every section a `source:` names ("三、整治时间（二）；五、工作要求（四）"); throws unless each
 * reference names exactly one section of the document.
 */
function sourceSections(parts: Part[], source: string): string[] {
  return source.split("；").map((ref) => {
    const m = /^([一二三四五六七八九十]+)(?:、([^（]+))?(?:（([一二三四五六七八九十]+)）)?$/.exec(ref);
    if (!m) throw new Error(`“${ref}” is not a section reference`);
    const [, numeral, title, sub] = m;
    const found = parts.filter((p) => p.numeral === numeral && (title === undefined || p.title === title));
    if (found.length !== 1) throw new Error(`“${ref}” names ${found.length} parts of the document`);
    if (sub === undefined) return found[0]!.text;
    const sections = found[0]!.sections.filter((s) => s.numeral === sub);
    if (sections.length !== 1) throw new Error(`“${ref}” names ${sections.length} sections of the document`);
    return sections[0]!.text;
  });
}

/** Dates a section sets as "X月X日前", including lists such as "6月15日、10月10日前", as 2021 dates. */
function deadlinesIn(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/((?:\d{1,2}月\d{1,2}日、)*\d{1,2}月\d{1,2}日)前/g))
    for (const d of m[1]!.matchAll(/(\d{1,2})月(\d{1,2})日/g)) out.push(`2021-${d[1]!.padStart(2, "0")}-${d[2]!.padStart(2, "0")}`);
  return out;
}

describe.skipIf(seedOrAbsent === undefined)("the Chongqing 2021 plan asks only what the document asks", () => {
  const parts = partsOf(seed);
  const cal = calendarOf(plan);

  it("reads the document as six parts, two of them numbered 五", () => {
    expect(parts.map((p) => `${p.numeral}、${p.title}`)).toEqual(["一、工作目的", "二、整治范围", "三、整治时间", "四、组织领导", "五、重点任务及分工", "五、工作要求"]);
    expect(parts.find((p) => p.title === "工作要求")!.sections.map((s) => s.numeral)).toEqual(["一", "二", "三", "四"]);
    // A reference without its heading is ambiguous in this document: the check must see that.
    expect(() => sourceSections(parts, "五（四）")).toThrow("names 2 parts");
    expect(sourceSections(parts, "五、工作要求（四）")[0]).toContain("另行报送市劳动保障监察总队");
  });

  it("names for every deliverable sections of the document, each exactly one", () => {
    for (const d of plan.deliverables) {
      expect(d.source, d.id).toBeDefined();
      const texts = sourceSections(parts, d.source!);
      expect(texts.length, d.id).toBeGreaterThan(0);
    }
  });

  it("dates every deliverable as the document does: the written date is a 'X月X日前' of each cited section, or the date is marked assumed", () => {
    for (const d of plan.deliverables) {
      const texts = sourceSections(parts, d.source!);
      if (d.assumed !== undefined) continue;
      expect(d.due, d.id).toMatch(/^2021-\d\d-\d\d$/);
      for (const t of texts) expect(deadlinesIn(t), `${d.id} in ${d.source}`).toContain(d.due);
    }
    expect(plan.deliverables.filter((d) => d.assumed !== undefined).map((d) => d.id)).toEqual(["enforcement-progress", "enforcement-summary"]);
  });

  it("names for every kind the section and quotes the words of the document that ask for it", () => {
    expect(plan.kinds.size).toBe(3);
    for (const k of plan.kinds.values()) {
      const m = /^([^“]+)“(.+)”$/.exec(k.source ?? "");
      expect(m, k.id).not.toBeNull();
      const [text] = sourceSections(parts, m![1]!);
      expect(text!.replace(/\s+/g, ""), k.id).toContain(m![2]);
      // The document sets no deadline for any of them: each is marked assumed.
      expect(k.assumed, k.id).toBeDefined();
    }
  });

  it("falls due by the document's date on the 2021 calendar: 'X日前' on a rest day moves to the working day before", () => {
    const dues = new Map<string, Set<string>>();
    for (const a of plan.assignments) if (a.deliverable && a.dueAt !== null) (dues.get(a.deliverable) ?? dues.set(a.deliverable, new Set()).get(a.deliverable)!).add(formatInstant(a.dueAt, "Asia/Shanghai"));
    expect(Object.fromEntries([...dues].map(([id, s]) => [id, [...s]]))).toEqual({
      "implementation-plan": ["2021-05-20T18:00:00+08:00"], // 自查阶段（5月20日前）: a Thursday
      "self-inspection-report": ["2021-05-20T18:00:00+08:00"],
      "progress-report": ["2021-06-15T18:00:00+08:00"], // 6月15日前: the Tuesday after the Dragon Boat holiday
      "enforcement-progress": ["2021-06-15T18:00:00+08:00"], // assumed
      "summary-report": ["2021-10-09T18:00:00+08:00"], // 10月10日前: Sunday; Saturday 10-09 is a make-up working day
      "enforcement-summary": ["2021-10-09T18:00:00+08:00"], // assumed
    });
    // The same rule for every deliverable: due on the last working day on or before the written date.
    for (const d of plan.deliverables) {
      const written = d.due!.startsWith("end:") ? plan.phases.find((p) => p.id === d.due!.slice(4))!.end : d.due!;
      const expected = cal.isWorkingDay(written) ? written : cal.previousWorkingDay(written);
      expect([...dues.get(d.id)!].map((x) => x.slice(0, 10)), d.id).toEqual([expected]);
    }
    expect(cal.isWorkingDay("2021-10-09")).toBe(true);
    expect(cal.isWorkingDay("2021-10-10")).toBe(false);
  });

  it("does not make the office owe a report to itself", () => {
    for (const a of plan.assignments) if (a.kind === "deliverable") expect(a.unit, a.id).not.toBe(a.to);
    expect(plan.leadingGroup.office.unit).toBe("flow");
    expect(plan.tasks.filter((t) => t.lead === "flow").map((t) => t.id)).toEqual(["market-supervision", "online-recruitment", "red-black-list", "industry-self-regulation"]);
    expect(plan.assignments.filter((a) => a.unit === "flow" && a.kind === "deliverable").map((a) => a.id)).toEqual([]);
    // The one kind the office's host division owes is reviewed by the bureau that opens it.
    for (const k of plan.kinds.values()) if (k.recipients.units.has("flow")) expect([k.reviewer, [...k.openers.units]], k.id).toEqual(["opener", ["bureau"]]);
  });

  it("keeps the 211 task assignments on the board all campaign without a reminder, a due-soon or an overdue", () => {
    const engine = new Engine(plan);
    const r = engine.tick(plan.campaign.endAt);
    const tasks = new Set(plan.assignments.filter((a) => a.kind === "task").map((a) => a.id));
    expect(tasks.size).toBe(211);
    const taskEvents = r.events.filter((e) => "assignment" in e && tasks.has(e.assignment));
    expect(new Set(taskEvents.map((e) => e.type))).toEqual(new Set(["opened"]));
    expect(taskEvents).toHaveLength(211);
    expect(r.reminders.flatMap((i) => i.items).filter((it) => tasks.has(it.assignment))).toEqual([]);
    const rows = boardRows(plan, engine.calendar, engine.views(), plan.campaign.endAt).filter((row) => tasks.has(row.id));
    expect(new Set(rows.map((row) => `${row.state}|${row.lateness}|${row.late}|${row.due}|${row.daysLate}|${row.phase}`))).toEqual(new Set(["open|onTrack|false|null|0|concentrated"]));
  });
});

describe("the CLI on the Chongqing plan", () => {
  function capture(): Io & { stdout: () => string; stderr: () => string } {
    const out: string[] = [];
    const err: string[] = [];
    return { out: (t) => void out.push(t), err: (t) => void err.push(t), tty: false, stdout: () => out.join("\n"), stderr: () => err.join("\n") };
  }
  const dir = mkdtempSync(join(tmpdir(), "duban-cli-"));
  afterEach(() => {
    process.exitCode = undefined; // main() sets it; do not let a failing validate fail the test run
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("plan --json prints the resolved plan", async () => {
    const io = capture();
    expect(await main(["node", "duban", "plan", "plans/chongqing-2021.yaml", "--json"], io)).toBe(0);
    const out = JSON.parse(io.stdout());
    expect(out.campaign).toMatchObject({ id: "cq-labour-intermediary-2021", title: "重庆市劳务中介专项整治行动", timezone: "Asia/Shanghai", start: "2021-05-01", end: "2021-10-31" });
    expect(out.leadingGroup).toMatchObject({ leader: "he-zhenguo", office: { unit: "flow", director: "liu-qingqing" } });
    expect(out.units).toHaveLength(plan.units.size);
    for (const u of out.units) expect(u).toEqual(expect.objectContaining({ id: expect.any(String), name: expect.any(String), kind: expect.any(String), groups: expect.any(Array) }));
    expect(out.phases.map((p: { id: string }) => p.id)).toEqual(["self-inspection", "concentrated", "evaluation"]);
    expect(out.tasks.map((t: { id: string; title: string; lead: string; support: string[] }) => ({ id: t.id, title: t.title, lead: t.lead, support: t.support }))).toEqual(TASKS);
    expect(out.assignments).toHaveLength(plan.assignments.length);
    for (const a of out.assignments)
      expect(a).toEqual(expect.objectContaining({ id: expect.any(String), unit: expect.any(String), role: expect.stringMatching(/^(owner|lead|support)$/), title: expect.any(String), due: a.kind === "task" ? null : expect.stringMatching(/^2021-\d\d-\d\dT18:00:00\+08:00$/) }));
    expect(out.assignments.find((a: { id: string }) => a.id === "summary-report/labour-relations")).toMatchObject({ unit: "labour-relations", role: "owner", title: "专项整治工作总结报告", due: "2021-10-09T18:00:00+08:00" });
    expect(out.assignments.find((a: { id: string }) => a.id === "summary-report/flow")).toBeUndefined();
    expect(out.assignments.find((a: { id: string }) => a.id === "enforcement-summary/yuzhong").dueAssumed).toContain("渝人社发〔2021〕140号");
    expect(out.deliverables.filter((d: { assumed?: string }) => d.assumed).map((d: { id: string }) => d.id)).toEqual(["enforcement-progress", "enforcement-summary"]);
    expect(out.kinds.map((k: { id: string }) => k.id)).toEqual(["new-situation-report", "rectification", "effectiveness-evaluation"]);
    expect(out.kinds[2]).toMatchObject({ openers: { units: ["bureau"] }, to: { units: ["flow"] }, reviewer: "opener", due: { given: { max: "+20wd", default: "+10wd" } } });
    expect(io.stderr()).toContain("DUE_ON_REST_DAY");
    expect(io.stderr()).toContain("ASSUMED_DATE");
  });

  it("validate exits 0 on the plan, 1 with file:line:col lines and no stack trace on a broken one", async () => {
    const ok = capture();
    expect(await main(["node", "duban", "validate", "plans/chongqing-2021.yaml"], ok)).toBe(0);
    expect(ok.stdout()).toContain("重庆市劳务中介专项整治行动");

    const file = join(dir, "broken.yaml");
    writeFileSync(file, planText({ 17: "  leader: hq", 23: '  - { id: inspect, title: 检查, lead: hq, support: [nort, "@districts"] }' }));
    const bad = capture();
    expect(await main(["node", "duban", "validate", file], bad)).toBe(1);
    expect(bad.stdout()).toBe("");
    const lines = bad.stderr().split("\n").filter(Boolean);
    expect(lines).toEqual([
      `${file}:17:11: error[WRONG_KIND]: “hq”是部门（department），此处需要填写人员（kind: person）`,
      `${file}:23:51: error[UNKNOWN_REF]: 未知单位“nort”（是否应为“north”？）`,
      `${file}：2 个错误，未执行任何操作；请按以上提示修改计划文件后重试`,
    ]);

    // A misspelt key once crashed the schema check: it must be one more line, not a stack trace.
    const typo = join(dir, "typo.yaml");
    writeFileSync(typo, planText({ 5: ["  issuer: 测试局", "  timezon: Asia/Shanghai"] }));
    const t = capture();
    expect(await main(["node", "duban", "validate", typo], t)).toBe(1);
    const tl = t.stderr().split("\n").filter(Boolean);
    expect(tl[0]).toMatch(new RegExp(`^${typo.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:6:3: error\\[SCHEMA_UNKNOWN_KEY\\]: campaign 中有未知键“timezon”`));
    for (const l of [...lines, ...tl]) expect(l).not.toMatch(/^\s+at |Error:/);
  });

  it("plan --format mermaid draws a gantt chart", async () => {
    const io = capture();
    expect(await main(["node", "duban", "plan", "plans/chongqing-2021.yaml", "--format", "mermaid"], io)).toBe(0);
    expect(io.stdout().startsWith("gantt")).toBe(true);
    expect(io.stdout()).toContain("自查阶段 :self-inspection, 2021-05-01, 2021-05-21");
  });
});

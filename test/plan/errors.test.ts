import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Diagnostic } from "../../src/plan/diagnostics.ts";
import { loadPlan, loadPlanText, type LoadResult } from "../../src/plan/load.ts";
import { MAX_ALIAS_COUNT, MAX_PLAN_BYTES } from "../../src/plan/source.ts";
import { BASE, planText } from "./minimal-plan.ts";

const FILE = "plan.yaml";
const dir = mkdtempSync(join(tmpdir(), "duban-plan-errors-"));

/** Every diagnostic any test saw: none may point at line 0 or col 0. */
const seen: Diagnostic[] = [];

function load(text: string): LoadResult {
  const r = loadPlanText(FILE, text);
  seen.push(...r.diagnostics);
  return r;
}

function loadFile(name: string, bytes: string | Uint8Array): LoadResult {
  const file = join(dir, name);
  writeFileSync(file, bytes);
  const r = loadPlan(file);
  seen.push(...r.diagnostics);
  return r;
}

/** 1-based column of `needle` in `line` (the needle must occur in it). */
function col(line: string, needle: string): number {
  const i = line.indexOf(needle);
  if (i < 0) throw new Error(`"${needle}" is not in "${line}"`);
  return i + 1;
}

type Row = [severity: string, code: string, line: number, col: number];
const rows = (r: LoadResult): Row[] => r.diagnostics.map((d) => [d.severity, d.code, d.line, d.col]);

/** The whole list of diagnostics, exactly: nothing missing, nothing extra. */
function expectErrors(r: LoadResult, expected: Row[]): void {
  expect(rows(r)).toEqual(expected);
  expect(r.plan).toBeUndefined();
}

function expectWarnings(r: LoadResult, expected: Row[]): void {
  expect(rows(r)).toEqual(expected);
  expect(r.plan).toBeDefined();
}

const msg = (r: LoadResult, i = 0) => r.diagnostics[i]!.message;

describe("the minimal plan used by these tests", () => {
  it("is valid, with no diagnostic at all", () => {
    const r = load(planText());
    expect(r.diagnostics).toEqual([]);
    expect(r.plan).toBeDefined();
    expect(r.plan!.assignments.map((a) => a.id)).toEqual(["report/north", "report/south", "inspect/hq", "inspect/north", "inspect/south"]);
  });
});

describe("file-level problems", () => {
  it("FILE_UNREADABLE: a missing file", () => {
    const r = loadPlan(join(dir, "no-such-plan.yaml"));
    seen.push(...r.diagnostics);
    expectErrors(r, [["error", "FILE_UNREADABLE", 1, 1]]);
    expect(msg(r)).toBe("无法读取计划文件（ENOENT）；请检查文件路径和读取权限");
  });

  it("FILE_TOO_LARGE: refused before it is read", () => {
    const r = loadFile("huge.yaml", "#".repeat(MAX_PLAN_BYTES + 1));
    expectErrors(r, [["error", "FILE_TOO_LARGE", 1, 1]]);
    expect(msg(r)).toBe(`计划文件大小为 ${MAX_PLAN_BYTES + 1} 字节，超过上限 ${MAX_PLAN_BYTES} 字节；请确认选对了文件`);
  });

  it("BINARY_FILE: NUL bytes, and bytes that are not UTF-8", () => {
    const nul = loadFile("nul.yaml", Buffer.concat([Buffer.from(planText()), Buffer.from([0x00, 0x01, 0x02])]));
    expectErrors(nul, [["error", "BINARY_FILE", 1, 1]]);
    expect(msg(nul)).toBe("这是二进制文件，不是 YAML 计划文件；请确认选对了文件");

    const latin1 = loadFile("gbk.yaml", Buffer.concat([Buffer.from("duban: 1\ncampaign:\n  title: "), Buffer.from([0xb2, 0xe2, 0xca, 0xd4, 0xff]), Buffer.from("\n")]));
    expectErrors(latin1, [["error", "BINARY_FILE", 1, 1]]);
    expect(msg(latin1)).toBe("计划文件不是有效的 UTF-8 文本；请另存为 UTF-8 编码");
  });

  it("YAML_SYNTAX: an unterminated quote is reported where the closing quote is missing", () => {
    const line5 = '  issuer: "测试局';
    const r = load(planText({ 5: line5 }));
    expectErrors(r, [["error", "YAML_SYNTAX", 5, line5.length + 1]]);
    expect(msg(r)).toBe('YAML 语法错误：Missing closing "quote；请检查引号、括号是否成对');
    expect(msg(r)).not.toContain("\n"); // one line: we print the position ourselves
  });

  it("ALIAS_LIMIT: a billion-laughs alias bomb is refused, quickly", () => {
    const bomb = [
      'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]',
      "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]",
      "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]",
      "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]",
      "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]",
      "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]",
      "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]",
      "h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]",
      "i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]",
    ];
    const t0 = performance.now();
    const r = load(planText({}, bomb));
    const ms = performance.now() - t0;
    expectErrors(r, [["error", "ALIAS_LIMIT", 1, 1]]);
    expect(msg(r)).toBe(`YAML 别名过多（超过 ${MAX_ALIAS_COUNT} 个）；请展开别名或简化计划`);
    expect(ms).toBeLessThan(1000);
  });
});

describe("schema problems", () => {
  it("SCHEMA_REQUIRED: points at the mapping that lacks the key", () => {
    const r = load(planText({ 4: [] })); // campaign without its title
    expectErrors(r, [["error", "SCHEMA_REQUIRED", 3, 3]]);
    expect(msg(r)).toBe("campaign 缺少必填键“title”，请补上");

    // A deliverable with neither due nor recurring: one message, at the deliverable.
    const line25 = '  - { id: report, title: 报告, phase: first, from: ["@districts"] }';
    const d = load(planText({ 25: line25 }));
    expectErrors(d, [["error", "SCHEMA_REQUIRED", 25, col(line25, "{")]]);
    expect(msg(d)).toBe("deliverables[0] 须写 due（一次性截止日期）或 recurring（周期安排），且只能写其中一个");
  });

  it("SCHEMA_UNKNOWN_KEY: points at the key and suggests the right one", () => {
    const r = load(planText({ 5: [BASE[4]!, "  timezon: Asia/Shanghai"] }));
    expectErrors(r, [["error", "SCHEMA_UNKNOWN_KEY", 6, 3]]);
    expect(msg(r)).toBe("campaign 中有未知键“timezon”（是否应为“timezone”？）；可用的键：id、title、issuer、document、timezone、language、start、end、baseUrl");

    // Inside a flow mapping in a list, too.
    const line9 = "  - { id: hq, nmae: 测试局, kind: department, contacts: { email: [hq@example.gov.cn] } }";
    const u = load(planText({ 9: line9 }));
    expectErrors(u, [
      ["error", "SCHEMA_REQUIRED", 9, col(line9, "{")],
      ["error", "SCHEMA_UNKNOWN_KEY", 9, col(line9, "nmae")],
    ]);
    expect(msg(u, 1)).toContain("（是否应为“name”？）");
  });

  it("SCHEMA_TYPE: a string where a whole number belongs", () => {
    const line23 = '  - { id: inspect, no: first, title: 检查, lead: hq, support: ["@districts"] }';
    const r = load(planText({ 23: line23 }));
    expectErrors(r, [["error", "SCHEMA_TYPE", 23, col(line23, "first")]]);
    expect(msg(r)).toBe("tasks[0].no 应为整数，但这里是字符串");
  });

  it("SCHEMA_VALUE: a bad id, a date not written YYYY-MM-DD, a value not in the enum, a bad group name", () => {
    const line6 = "  start: 2021/05/01";
    const line11 = "  - { id: North, name: 北区, kind: district, contacts: { email: [north@example.gov.cn] } }";
    const line12 = "  - { id: south, name: 南区, kind: county, contacts: { email: [south@example.gov.cn] } }";
    const r = load(planText({ 6: line6, 11: line11, 12: line12 }));
    expectErrors(r, [
      ["error", "SCHEMA_VALUE", 6, col(line6, "2021")],
      ["error", "SCHEMA_VALUE", 11, col(line11, "North")],
      ["error", "SCHEMA_VALUE", 12, col(line12, "county")],
    ]);
    expect(msg(r, 0)).toBe("campaign.start：“2021/05/01”不是日期，请写成 YYYY-MM-DD，例如 2021-05-20");
    expect(msg(r, 1)).toBe("units[2].id：“North”不是有效的 id，只能使用小写英文字母、数字、- 和 _（中文名称请写在 name 中）");
    expect(msg(r, 2)).toBe("units[3].kind：“county”不是可选值；请改为以下之一：“department”、“district”、“external”、“person”");

    const g = load(planText({ 15: [BASE[14]!, "  Border-Towns:", "    members: [north]"] }));
    expectErrors(g, [["error", "SCHEMA_VALUE", 16, 3]]);
    expect(msg(g)).toBe("groups：“Border-Towns”不是有效的 id，只能使用小写英文字母、数字、- 和 _（中文名称请写在 name 中）");
  });
});

describe("reference and id problems", () => {
  it("DUPLICATE_ID: units, phases, a deliverable named like a task, duplicate YAML keys", () => {
    const unit = load(planText({ 12: [BASE[11]!, "  - { id: north, name: 北区二, kind: district }"] }));
    expectErrors(unit, [["error", "DUPLICATE_ID", 13, col("  - { id: north", "north")]]);
    expect(msg(unit)).toBe("单位 id“north”已被第 11 行的单位使用；请换一个 id");

    const line21 = "  - { id: first, name: 第二阶段, start: 2021-07-01, end: 2021-10-31 }";
    const phase = load(planText({ 21: line21 }));
    expectErrors(phase, [["error", "DUPLICATE_ID", 21, col(line21, "first")]]);

    const line26 = "  - { id: inspect, title: 重复, from: [north], due: 2021-06-15 }";
    const deliverable = load(planText({ 25: [BASE[24]!, line26] }));
    expectErrors(deliverable, [["error", "DUPLICATE_ID", 26, col(line26, "inspect")]]);
    expect(msg(deliverable)).toBe("“inspect”已是一项任务的 id；任务和报送事项共用一套 id，请换一个 id");

    const line27 = "  - { id: report, title: 又一个, from: [north], due: 2021-06-16 }";
    const twice = load(planText({ 25: [BASE[24]!, "  - { id: other, title: 其他, from: [north], due: due:report }", line27] }));
    expectErrors(twice, [["error", "DUPLICATE_ID", 27, col(line27, "report")]]);

    const yamlKey = load(planText({ 5: [BASE[4]!, "  issuer: 另一个"] }));
    expectErrors(yamlKey, [["error", "DUPLICATE_ID", 6, 3]]);
  });

  it("RESERVED_ID: a unit named like a role, a group named task-leads", () => {
    const line13 = "  - { id: leader, name: 组长办, kind: department }";
    const unit = load(planText({ 12: [BASE[11]!, line13] }));
    expectErrors(unit, [["error", "RESERVED_ID", 13, col(line13, "leader")]]);

    const group = load(planText({ 15: [BASE[14]!, "  task-leads:", "    members: [hq]"] }));
    expectErrors(group, [["error", "RESERVED_ID", 16, 3]]);
  });

  it("UNKNOWN_REF: a unit in support, a group, a phase, a policy, a notify role, a deliverable in due:", () => {
    const line23 = '  - { id: inspect, title: 检查, lead: hq, support: [nort, "@district"], phases: [thrid], policy: strict }';
    const line26 = "  - { id: followup, title: 整改, from: [north], due: due:reprot + 5d }";
    const line29 = "      - { at: 0wd, notify: [asignee] }";
    const r = load(planText({ 23: line23, 25: [BASE[24]!, line26], 29: line29 }));
    // line 29 of the base is line 30 here: one line was inserted at 25
    expectErrors(r, [
      ["error", "UNKNOWN_REF", 23, col(line23, "nort")],
      ["error", "UNKNOWN_REF", 23, col(line23, '"@district"')],
      ["error", "UNKNOWN_REF", 23, col(line23, "thrid")],
      ["error", "UNKNOWN_REF", 23, col(line23, "policy: strict") + "policy: ".length],
      ["error", "UNKNOWN_REF", 26, col(line26, "due:reprot")],
      ["error", "UNKNOWN_REF", 30, col(line29, "asignee")],
    ]);
    expect(r.diagnostics.map((d) => d.message)).toEqual([
      "未知单位“nort”（是否应为“north”？）",
      "未知组“@district”（是否应为“districts”？）",
      "未知阶段“thrid”",
      "未知督办规则“strict”",
      "未知报送事项“reprot”（是否应为“report”？）",
      expect.stringContaining("“asignee”既不是角色"),
    ]);
    expect(msg(r, 5)).toContain("（是否应为“assignee”？）");

    // "@constructor" is a valid id but no group: Object.prototype must not answer for the plan's groups.
    const line23b = '  - { id: inspect, title: 检查, lead: hq, support: ["@constructor"] }';
    const proto = load(planText({ 23: line23b }));
    expectErrors(proto, [["error", "UNKNOWN_REF", 23, col(line23b, '"@constructor"')]]);
    const line15 = '    members: [north, south, "@constructor"]';
    const member = load(planText({ 15: line15 }));
    expectErrors(member, [["error", "UNKNOWN_REF", 15, col(line15, '"@constructor"')]]);
  });

  it("WRONG_KIND: the group leader must be a person", () => {
    const r = load(planText({ 17: "  leader: hq" }));
    expectErrors(r, [["error", "WRONG_KIND", 17, 11]]);
    expect(msg(r)).toBe("“hq”是部门（department），此处需要填写人员（kind: person）");
  });

  it("TASK_LEAD: a task has one lead, not a list", () => {
    const line23 = '  - { id: inspect, title: 检查, lead: [hq, north], support: ["@districts"] }';
    const r = load(planText({ 23: line23 }));
    expectErrors(r, [["error", "TASK_LEAD", 23, col(line23, "[hq")]]);
    expect(msg(r)).toBe("每项任务只能有一个牵头部门；其他单位请列在 support（配合部门）中");
  });
});

describe("date problems", () => {
  it("BAD_DATE: 2021-02-30 does not exist", () => {
    const line25 = '  - { id: report, title: 报告, phase: first, from: ["@districts"], due: 2021-02-30 }';
    const r = load(planText({ 25: line25 }));
    expectErrors(r, [["error", "BAD_DATE", 25, col(line25, "2021-02-30")]]);
    expect(msg(r)).toBe("2021-02-30 不是有效日期");

    // A due: reference to it adds nothing: the one mistake is reported once.
    const ref = load(planText({ 25: [line25, "  - { id: b, title: 乙, from: [north], due: due:report + 1d }"] }));
    expectErrors(ref, [["error", "BAD_DATE", 25, col(line25, "2021-02-30")]]);
  });

  it("BAD_TIME_EXPR: a due date that is no expression", () => {
    const line25 = '  - { id: report, title: 报告, phase: first, from: ["@districts"], due: next friday }';
    const r = load(planText({ 25: line25 }));
    expectErrors(r, [["error", "BAD_TIME_EXPR", 25, col(line25, "next friday")]]);
    expect(msg(r)).toContain("“next friday”不是有效的日期表达式");
  });

  it("BAD_ZONE: the campaign's time zone must be an IANA name", () => {
    const r = load(planText({ 5: [BASE[4]!, "  timezone: Asia/Chongqin"] }));
    expectErrors(r, [["error", "BAD_ZONE", 6, 13]]);
    expect(msg(r)).toContain("“Asia/Chongqin”不是有效的时区");
  });

  it("DATE_OUTSIDE_CAMPAIGN: a phase starting before the campaign, a deliverable due after it", () => {
    const line20 = "  - { id: first, name: 第一阶段, start: 2021-04-20, end: 2021-06-30 }";
    const line25 = '  - { id: report, title: 报告, phase: first, from: ["@districts"], due: 2021-11-15 }';
    const r = load(planText({ 20: line20, 25: line25 }));
    expectErrors(r, [
      ["error", "DATE_OUTSIDE_CAMPAIGN", 20, col(line20, "2021-04-20")],
      ["error", "DATE_OUTSIDE_CAMPAIGN", 25, col(line25, "2021-11-15")],
    ]);
    expect(msg(r, 1)).toBe("“report”的截止日期（2021-11-15）不在专项行动期间（2021-05-01 至 2021-10-31）内；请调整到此期间");
  });

  it("DATE_OUTSIDE_PHASE: a deliverable of the first phase due in the second", () => {
    const line25 = '  - { id: report, title: 报告, phase: first, from: ["@districts"], due: 2021-07-15 }';
    const r = load(planText({ 25: line25 }));
    expectErrors(r, [["error", "DATE_OUTSIDE_PHASE", 25, col(line25, "2021-07-15")]]);
    expect(msg(r)).toContain("不在所属阶段“第一阶段”（2021-05-01 至 2021-06-30）内");
  });

  it("PHASE_ORDER: a phase ending before it starts (phases may overlap: test/engine/phases-overlap.test.ts)", () => {
    const backwards = "  - { id: second, name: 第二阶段, start: 2021-10-31, end: 2021-07-01 }";
    const b = load(planText({ 21: backwards }));
    expectErrors(b, [["error", "PHASE_ORDER", 21, col(backwards, "2021-07-01")]]);
    expect(msg(b)).toBe("阶段“第二阶段”的结束日期（2021-07-01）早于开始日期（2021-10-31）；请检查 start 和 end");
  });

  it("DUE_BEFORE_OPEN: a deliverable due before it opens", () => {
    const line25 = '  - { id: report, title: 报告, phase: first, from: ["@districts"], opens: 2021-06-20, due: 2021-06-15 }';
    const r = load(planText({ 25: line25 }));
    expectErrors(r, [["error", "DUE_BEFORE_OPEN", 25, col(line25, "2021-06-15")]]);
    expect(msg(r)).toBe("“report”的截止日期 2021-06-15 早于开始报送日期 2021-06-20；请调整 due 或 opens");
  });

  it("CYCLE: two due dates defined by each other; a group containing itself", () => {
    const line26 = "  - { id: a, title: 甲, from: [north], due: due:b }";
    const line27 = "  - { id: b, title: 乙, from: [north], due: due:a }";
    const r = load(planText({ 25: [BASE[24]!, line26, line27] }));
    expectErrors(r, [["error", "CYCLE", 27, col(line27, "due:a")]]);
    expect(msg(r)).toContain("“a”的截止日期依赖于自身");

    const g = load(planText({ 15: '    members: [north, south, "@districts"]' }));
    expectErrors(g, [["error", "CYCLE", 14, 3]]);
    expect(msg(g)).toContain("组“districts”包含了自身");
  });

  it("EMPTY_ASSIGNEES: a deliverable owed by an empty group", () => {
    const r = load(planText({ 15: "    members: []" }));
    const line25 = BASE[24]!;
    expectErrors(r, [["error", "EMPTY_ASSIGNEES", 25, col(line25, "[")]]);
    expect(msg(r)).toContain("“report”没有任何报送单位");
  });
});

describe("warnings", () => {
  it("DUE_ON_REST_DAY: a Sunday moves to the next working day (past the Dragon Boat holiday)", () => {
    const line25 = '  - { id: report, title: 报告, phase: first, from: ["@districts"], due: 2021-06-13 }';
    const r = load(planText({ 25: line25 }));
    expectWarnings(r, [["warning", "DUE_ON_REST_DAY", 25, col(line25, "2021-06-13")]]);
    expect(msg(r)).toBe("2021-06-13（周日）是休息日；按规则“next”，“report”的截止日期顺延至 2021-06-15（周二）");
    const a = r.plan!.assignments.find((x) => x.id === "report/north")!;
    expect(a.dueShiftedFrom).toBe("2021-06-13");
    expect(new Date(a.dueAt!).toISOString()).toBe("2021-06-15T10:00:00.000Z"); // 18:00 in Shanghai
  });

  it("NO_CALENDAR_DATA: a 2027 plan names the due dates it affects; a 2027 holiday declares the year", () => {
    const in2027 = {
      6: "  start: 2027-05-01",
      7: "  end: 2027-10-31",
      20: "  - { id: first, name: 第一阶段, start: 2027-05-01, end: 2027-06-30 }",
      21: "  - { id: second, name: 第二阶段, start: 2027-07-01, end: 2027-10-31 }",
      23: '  - { id: inspect, title: 检查, lead: hq, support: ["@districts"], due: 2027-10-29 }',
      25: '  - { id: report, title: 报告, phase: first, from: ["@districts"], due: 2027-06-15 }',
    };
    const r = load(planText(in2027));
    expectWarnings(r, [["warning", "NO_CALENDAR_DATA", 7, 8]]);
    // report on Tuesday 2027-06-15; the task, given a due date of its own, on Friday 10-29
    expect(msg(r)).toContain("缺少 2027 年公布的节假日安排");
    expect(msg(r)).toContain("（影响截止日期 2027-06-15、2027-10-29）");

    const declared = load(planText(in2027, ["calendar:", "  holidays: [2027-10-01]"]));
    expect(declared.diagnostics).toEqual([]);
    expect(declared.plan).toBeDefined();
  });

  it("NO_CONTACT: a unit that owes work but cannot be reminded", () => {
    const r = load(planText({ 12: "  - { id: south, name: 南区, kind: district }" }));
    expectWarnings(r, [["warning", "NO_CONTACT", 12, 5]]);
    expect(msg(r)).toBe("单位“south”（南区）有待办事项，但没有电子邮件地址或 webhook，无法提醒；请在 contacts 中补充");
  });
});

describe("reporting", () => {
  it("reports several independent errors at once, sorted by position", () => {
    const line23 = '  - { id: inspect, title: 检查, lead: hq, support: [nort, "@districts"] }';
    const line25 = '  - { id: report, title: 报告, phase: first, from: ["@districts"], due: 2021-06-31 }';
    // Found in another order than they appear: the calendar (at the end) and the zone are checked first.
    const r = load(
      planText({ 5: [BASE[4]!, "  timezone: Mars/Olympus"], 17: "  leader: hq", 23: line23, 25: line25 }, ["calendar:", "  holidays: [2021-13-01]"]),
    );
    expectErrors(r, [
      ["error", "BAD_ZONE", 6, 13],
      ["error", "WRONG_KIND", 18, 11],
      ["error", "UNKNOWN_REF", 24, col(line23, "nort")],
      ["error", "BAD_DATE", 26, col(line25, "2021-06-31")],
      ["error", "BAD_DATE", 34, 14],
    ]);

    // Schema problems, too, are all reported in one pass.
    const s = load(planText({ 3: "  id: Test", 9: "  - { id: hq, name: 测试局, kind: ministry }", 30: "defaults: { policy: standard, taskpolicy: standard }", 31: [] }));
    expect(rows(s)).toEqual([
      ["error", "SCHEMA_VALUE", 3, 7],
      ["error", "SCHEMA_VALUE", 9, col("  - { id: hq, name: 测试局, kind: ministry }", "ministry")],
      ["error", "SCHEMA_UNKNOWN_KEY", 30, col("defaults: { policy: standard, taskpolicy: standard }", "taskpolicy")],
    ]);
    expect(msg(s, 2)).toContain("（是否应为“taskPolicy”？）");
  });

  it("accepts a UTF-8 byte order mark, in a file or in a string, without moving positions", () => {
    const bom = "\uFEFF";
    const fromFile = loadFile("bom.yaml", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(planText())]));
    expect(fromFile.diagnostics).toEqual([]);
    expect(fromFile.plan).toBeDefined();
    expect(load(bom + planText()).plan).toBeDefined();

    const broken = load(bom + planText({ 17: "  leader: hq" }));
    expectErrors(broken, [["error", "WRONG_KIND", 17, 11]]);
    const first = load(bom + "duban: 2\n" + planText().split("\n").slice(1).join("\n"));
    expectErrors(first, [["error", "SCHEMA_VALUE", 1, 8]]);
  });

  it("never reports line 0 or col 0, even for empty or truncated files", () => {
    for (const text of ["", "\n\n", "# only a comment\n", "duban", "duban: 1\ncampaign: {", planText().slice(0, 200), "- a\n- b\n"]) {
      const r = load(text);
      expect(r.plan).toBeUndefined();
      expect(r.diagnostics.length).toBeGreaterThan(0);
    }
    expect(seen.length).toBeGreaterThan(40);
    for (const d of seen) {
      expect(d.line, `${d.code} ${d.message}`).toBeGreaterThanOrEqual(1);
      expect(d.col, `${d.code} ${d.message}`).toBeGreaterThanOrEqual(1);
    }
  });
});

afterAll(() => {
  // The temporary directory holds an 8 MB file; leave nothing behind.
  return import("node:fs").then(({ rmSync }) => rmSync(dir, { recursive: true, force: true }));
});

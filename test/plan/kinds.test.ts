import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import { loadPlanText, type LoadResult } from "../../src/plan/load.ts";
import { planToJson } from "../../src/present/plan-json.ts";
import { planSummary, planTable } from "../../src/present/plan-text.ts";
import { captureIo, tempFile } from "../helpers.ts";
import { col, rows, type Row } from "./diagnostic-rows.ts";
import { planText } from "./minimal-plan.ts";

/**
 * The `kinds:` section: items opened while the campaign runs. One fixture per check (src/plan/kinds.ts
 * and the schema), each breaking one line of a valid kind and expecting the whole list of diagnostics
 * with their exact line and column: nothing missing, nothing extra.
 */

/** A valid kind, appended after the minimal plan's line 31: its first line is line 32. */
const KIND: readonly string[] = [
  /* 32 */ "kinds:",
  /* 33 */ "  - id: dubandan",
  /* 34 */ "    title: 督办单",
  /* 35 */ "    source: 领导批示",
  /* 36 */ "    openers: [office]",
  /* 37 */ '    to: ["@districts"]',
  /* 38 */ "    joint: { maxUnits: 2, submit: lead }",
  /* 39 */ "    reviewer: office",
  /* 40 */ "    due: { given: { min: +1wd, max: +30wd, default: +10wd } }",
  /* 41 */ "    acknowledge: { within: +1wd, notify: [office, assignee], level: 1 }",
  /* 42 */ "    levels:",
  /* 43 */ "      - { id: 一般, policy: standard }",
  /* 44 */ "      - { id: 紧急, due: +2wd }",
  /* 45 */ "    fields:",
  /* 46 */ "      - { id: basis, title: 批示依据, type: longText, required: true }",
  /* 47 */ "      - { id: category, title: 问题类别, type: choice, choices: [欠薪, 中介违规] }",
  /* 48 */ "    withdraw: [opener]",
  /* 49 */ "    extend: [opener]",
  /* 50 */ "    key: [basis]",
  /* 51 */ "    maxAttachmentMb: 20",
];

/** The minimal plan with the kind, its lines replaced by absolute line number (an array: several lines, [] none). */
function withKind(edits: Record<number, string | readonly string[]> = {}, planEdits: Record<number, string | readonly string[]> = {}): string {
  const lines: string[] = [];
  KIND.forEach((line, i) => {
    const e = edits[32 + i];
    if (e === undefined) lines.push(line);
    else if (typeof e === "string") lines.push(e);
    else lines.push(...e);
  });
  for (const [n, e] of Object.entries(edits)) if (Number(n) >= 32 + KIND.length) lines.push(...(typeof e === "string" ? [e] : e));
  return planText(planEdits, lines);
}

/** [line, col] of `needle` on the line of `text` that is exactly `line`. */
function at(text: string, line: string, needle: string): [number, number] {
  const n = text.split("\n").indexOf(line);
  if (n < 0) throw new Error(`line not found: ${line}`);
  return [n + 1, col(line, needle)];
}

const load = (text: string): LoadResult => loadPlanText("plan.yaml", text);

interface Case {
  name: string;
  text: string;
  expected: Row[];
  says: string;
}

function one(name: string, code: string, line: string, needle: string, says: string, edits: Record<number, string | readonly string[]>, severity = "error"): Case {
  const text = withKind(edits);
  return { name, text, expected: [[severity, code, ...at(text, line, needle)]], says };
}

const L = (n: number) => KIND[n - 32]!;

const cases: Case[] = [
  one("DUPLICATE_ID: two kinds with one id", "DUPLICATE_ID", "  - { id: dubandan, title: 又一类, openers: [office], to: [north], due: +1wd }", "dubandan", "事项类别 id“dubandan”已被第 33 行的类别使用", {
    52: "  - { id: dubandan, title: 又一类, openers: [office], to: [north], due: +1wd }",
  }),
  one("DUPLICATE_ID: a kind with a deliverable's id", "DUPLICATE_ID", "  - id: report", "report", "“report”已是一项报送事项的 id", { 33: "  - id: report" }),
  one("UNKNOWN_REF: an owing unit that is no unit", "UNKNOWN_REF", '    to: ["@districts", nrth]', "nrth", "未知单位“nrth”（是否应为“north”？）", { 37: '    to: ["@districts", nrth]' }),
  one("UNKNOWN_REF: an unknown group of openers", "UNKNOWN_REF", '    openers: ["@distrits"]', '"@distrits"', "未知组“@distrits”（是否应为“districts”？）", { 36: '    openers: ["@distrits"]' }),
  one("UNKNOWN_REF: a misspelt word of a unit list", "UNKNOWN_REF", "    openers: [ofice]", "ofice", "“ofice”既不是单位，也不是可用的写法（office、self、any）（是否应为“office”？）", { 36: "    openers: [ofice]" }),
  one("UNKNOWN_REF: opener outside withdraw and extend", "UNKNOWN_REF", "    openers: [opener]", "opener]", "openers 中不能写“opener”", { 36: "    openers: [opener]" }),
  one("UNKNOWN_REF: self in withdraw", "UNKNOWN_REF", "    withdraw: [self]", "self", "withdraw 和 extend 中请写 opener", { 48: "    withdraw: [self]" }),
  one("WRONG_KIND: a person as an owing unit", "WRONG_KIND", "    to: [boss]", "boss", "“boss”是人员（person），此处需要填写单位", { 37: "    to: [boss]" }),
  one("UNKNOWN_REF: a level's unknown policy", "UNKNOWN_REF", "      - { id: 一般, policy: strct }", "strct", "未知督办规则“strct”", { 43: "      - { id: 一般, policy: strct }" }),
  one("UNKNOWN_REF: the kind's unknown policy", "UNKNOWN_REF", "    policy: strct", "strct", "未知督办规则“strct”", { 42: ["    policy: strct"], 43: [], 44: [] }),
  one("UNKNOWN_REF: a 签收 notifying an unknown role", "UNKNOWN_REF", "    acknowledge: { within: +1wd, notify: [ofice], level: 1 }", "ofice", "“ofice”既不是角色", { 41: "    acknowledge: { within: +1wd, notify: [ofice], level: 1 }" }),
  one("BAD_OFFSET: a deadline of zero", "BAD_OFFSET", "    due: +0wd", "+0wd", "期限“+0wd”为 0", { 40: "    due: +0wd" }),
  one("SCHEMA_VALUE: a deadline that is no offset", "SCHEMA_VALUE", "    due: 5 working days", "5 working", "不是有效的期限，请写成 +5wd（工作日）、+3d（自然日）或 +24h（小时）", { 40: "    due: 5 working days" }),
  one("SCHEMA_TYPE: a deadline that is a number", "SCHEMA_TYPE", "    due: 5", "5", "应为字符串或映射（键: 值），但这里是数字", { 40: "    due: 5" }),
  one("DUE_BOUNDS: given with min after max", "DUE_BOUNDS", "    due: { given: { min: +10wd, max: +5wd } }", "+10wd", "最早期限 +10wd（10 个工作日）晚于最晚期限 +5wd（5 个工作日）", { 40: "    due: { given: { min: +10wd, max: +5wd } }" }),
  one("DUE_BOUNDS: given with min after max in other units", "DUE_BOUNDS", "    due: { given: { min: +3d, max: +24h } }", "+3d", "最早期限 +3d（3 天）晚于最晚期限 +24h（24 小时）", { 40: "    due: { given: { min: +3d, max: +24h } }" }),
  one("DUE_BOUNDS: a default beyond max", "DUE_BOUNDS", "    due: { given: { max: +5wd, default: +10wd } }", "+10wd", "默认期限 +10wd（10 个工作日）不在可指定的范围（开启时至 +5wd（5 个工作日））内", { 40: "    due: { given: { max: +5wd, default: +10wd } }" }),
  one("BAD_FIELD: a choice without choices", "BAD_FIELD", "      - { id: category, title: 问题类别, type: choice }", "choice", "字段“问题类别”是选择项（choice），但没有列出可选值", { 47: "      - { id: category, title: 问题类别, type: choice }" }),
  one("BAD_FIELD: choices on a text field", "BAD_FIELD", "      - { id: category, title: 问题类别, type: text, choices: [欠薪] }", "choices", "只有选择项（choice）可以列出 choices", { 47: "      - { id: category, title: 问题类别, type: text, choices: [欠薪] }" }),
  one("BAD_FIELD: a choice listed twice", "BAD_FIELD", "      - { id: category, title: 问题类别, type: choice, choices: [欠薪, 中介违规, 欠薪] }", "欠薪] }", "可选值“欠薪”重复列出", {
    47: "      - { id: category, title: 问题类别, type: choice, choices: [欠薪, 中介违规, 欠薪] }",
  }),
  one("BAD_FIELD: a length limit on a date", "BAD_FIELD", "      - { id: category, title: 整改时限, type: date, maxLength: 10 }", "maxLength", "只有文本（text、longText）可以限制长度", { 47: "      - { id: category, title: 整改时限, type: date, maxLength: 10 }" }),
  one("DUPLICATE_ID: two fields with one id", "DUPLICATE_ID", "      - { id: basis, title: 问题类别, type: text }", "basis", "字段 id“basis”已被第 46 行的字段使用", { 47: "      - { id: basis, title: 问题类别, type: text }" }),
  one("DUPLICATE_ID: two fields with one title (an import's column header)", "DUPLICATE_ID", "      - { id: category, title: 批示依据, type: text }", "批示依据", "字段名称“批示依据”已被第 46 行的字段使用", { 47: "      - { id: category, title: 批示依据, type: text }" }),
  one("UNKNOWN_REF: a key naming no field", "UNKNOWN_REF", "    key: [bsis]", "bsis", "key 中的“bsis”不是“dubandan”的字段（是否应为“basis”？）", { 50: "    key: [bsis]" }),
  one("BAD_FIELD: a key field that may be left empty", "BAD_FIELD", "    key: [category]", "category", "key 字段“问题类别”不是必填项", { 50: "    key: [category]" }),
  one("BAD_FIELD: an attachment as key", "BAD_FIELD", "    key: [basis, proof]", "proof", "附件字段“佐证材料”不能用作 key", { 47: [L(47), "      - { id: proof, title: 佐证材料, type: attachment, required: true }"], 50: "    key: [basis, proof]" }),
  one("DUPLICATE_ID: two urgency levels with one name", "DUPLICATE_ID", "      - { id: 一般, due: +2wd }", "一般", "紧急程度“一般”已在第 1 项列出", { 44: "      - { id: 一般, due: +2wd }" }),
  one("SCHEMA_REQUIRED: a kind with neither due nor followUp", "SCHEMA_REQUIRED", L(33), "id", "事项类别“dubandan”缺少期限", { 40: [] }),
  one("SCHEMA_VALUE: a joint item of one unit", "SCHEMA_VALUE", "    joint: { maxUnits: 1 }", "1", "不能小于 2", { 38: "    joint: { maxUnits: 1 }" }),
  one("KIND_CONFLICT: a joint item only for the opener itself", "KIND_CONFLICT", L(38), "joint", "只能开给开启单位自身（to: [self]），不能由多个单位共同承办", { 36: '    openers: ["@districts"]', 37: "    to: [self]" }),
  one("KIND_CONFLICT: the opener reviewing what it opened for itself", "KIND_CONFLICT", "    reviewer: opener", "opener", "等于自己审核自己", { 36: '    openers: ["@districts"]', 37: "    to: [self]", 38: [], 39: "    reviewer: opener" }),
  one("SCHEMA_UNKNOWN_KEY: a misspelt key of a kind", "SCHEMA_UNKNOWN_KEY", "    workinghours: true", "workinghours", "未知键“workinghours”（是否应为“workingHours”？）", { 51: [L(51), "    workinghours: true"] }),
  one("ASSUMED_DATE (warning): a deadline the document does not set", "ASSUMED_DATE", "    assumed: 方案只写“及时”，未定期限", "方案", "“dubandan”的期限由开启单位指定（不晚于开启后 +30wd（30 个工作日））是假定的", { 51: [L(51), "    assumed: 方案只写“及时”，未定期限"] }, "warning"),
  {
    name: "KIND_CONFLICT: followUp beside due, on the kind and on a level",
    text: withKind({ 40: [L(40), "    followUp: { first: +24h, everyWorkingDays: 5 }"] }),
    expected: [
      ["error", "KIND_CONFLICT", 40, 5],
      ["error", "KIND_CONFLICT", 45, col(L(44), "due")],
    ],
    says: "写了 followUp（一事一报）：首报期限即 followUp.first，此后每 5 个工作日续报一次；请删去 due",
  },
  {
    name: "RESERVED_ID: a unit named as a word of the unit lists",
    text: withKind({}, { 12: "  - { id: self, name: 南区, kind: district, contacts: { email: [south@example.gov.cn] } }", 15: "    members: [north]" }),
    expected: [["error", "RESERVED_ID", 12, col("  - { id: self, name", "self")]],
    says: "“self”是事项类别（kinds）中表示开启单位、承办单位范围的写法，不能用作单位 id",
  },
  {
    name: "UNKNOWN_REF: no policy for a kind without levels, nor defaults.policy (the deliverable says so too)",
    text: withKind({ 42: [], 43: [], 44: [] }, { 25: '  - { id: report, title: 报告, phase: first, from: ["@districts"], due: 2021-06-15, policy: standard }', 30: [], 31: [] }),
    expected: [["error", "UNKNOWN_REF", 31, 5]],
    says: "事项类别“dubandan”未指定 policy，计划中也没有 defaults.policy",
  },
];

describe("kinds: each check has its own failing fixture", () => {
  it.each(cases)("$name", ({ text, expected, says }) => {
    const r = load(text);
    expect(rows(r)).toEqual(expected);
    if (expected.some(([severity]) => severity === "error")) expect(r.plan).toBeUndefined();
    else expect(r.plan).toBeDefined();
    expect(r.diagnostics[0]!.message).toContain(says);
  });

  it("reports every problem of every kind at once, in file order", () => {
    const text = withKind({
      37: '    to: ["@districts", nrth]',
      40: "    due: { given: { min: +10wd, max: +5wd } }",
      47: "      - { id: category, title: 问题类别, type: choice }",
      50: "    key: [bsis]",
      52: ["  - { id: report, title: 一事一报, openers: [north], to: [self], followUp: { first: +0h, everyWorkingDays: 3 } }"],
    });
    expect(rows(load(text)).map(([, code, line]) => `${line}:${code}`)).toEqual(["37:UNKNOWN_REF", "40:DUE_BOUNDS", "47:BAD_FIELD", "50:UNKNOWN_REF", "52:DUPLICATE_ID", "52:BAD_OFFSET"]);
  });
});

describe("kinds: what the engine receives", () => {
  it("resolves every rule of a kind, with the defaults of what it leaves out", () => {
    const r = load(withKind());
    expect(r.diagnostics).toEqual([]);
    const k = r.plan!.kinds.get("dubandan")!;
    expect(k.openers).toEqual({ office: true, taskLeads: false, self: false, any: false, units: new Set() });
    expect(k.recipients.units).toEqual(new Set(["north", "south"]));
    expect(k.joint).toEqual({ maxUnits: 2, submit: "lead" });
    expect(k.due).toEqual({ kind: "given", min: { n: 1, unit: "wd" }, max: { n: 30, unit: "wd" }, default: { n: 10, unit: "wd" } });
    expect(k.acknowledge).toEqual({ within: { n: 1, unit: "wd" }, notify: ["office", "assignee"], level: 1 });
    expect(k.levels).toEqual([
      { id: "一般", policy: "standard" },
      { id: "紧急", policy: "standard", due: { kind: "offset", offset: { n: 2, unit: "wd" } } },
    ]);
    expect(k.fields.map((f) => [f.id, f.type, f.required])).toEqual([
      ["basis", "longText", true],
      ["category", "choice", false],
    ]);
    expect(k.withdraw.self).toBe(true);
    expect(k.extend.self).toBe(true);
    expect(k.key).toEqual(["basis"]);
    expect(k.maxAttachmentBytes).toBe(20 * 1024 * 1024);
    expect(k.workingHours).toBe(false);
    expect(k.followUp).toBeNull();
  });

  it("a kind of few words: one level 一般 on defaults.policy, the office reviewing, nobody else withdrawing", () => {
    const r = load(planText({}, ["kinds:", "  - { id: new-situation, title: 新情况报告, openers: [\"@districts\", \"@task-leads\"], to: [self], followUp: { first: +24h, everyWorkingDays: 5 } }"]));
    expect(r.diagnostics).toEqual([]);
    const k = r.plan!.kinds.get("new-situation")!;
    expect(k.openers.taskLeads).toBe(true);
    expect(k.openers.units).toEqual(new Set(["north", "south"]));
    expect(k.recipients).toEqual({ office: false, taskLeads: false, self: true, any: false, units: new Set() });
    expect(k.levels).toEqual([{ id: "一般", policy: "standard" }]);
    expect(k.reviewer).toBe("office");
    // 一事一报 falls due at the first report.
    expect(k.due).toEqual({ kind: "offset", offset: { n: 24, unit: "h" } });
    expect(k.followUp).toEqual({ first: { n: 24, unit: "h" }, everyWorkingDays: 5 });
    expect(k.withdraw.self || k.withdraw.any || k.withdraw.units.size).toBeFalsy();
    expect(k.joint).toBeNull();
    expect(k.acknowledge).toBeNull();
  });

  it("a plan without kinds resolves to none", () => {
    expect(load(planText()).plan!.kinds.size).toBe(0);
  });

  it("records why a deadline is assumed", () => {
    const r = load(withKind({ 51: [L(51), "    assumed: 方案只写“及时”"] }));
    expect(r.plan!.kinds.get("dubandan")!.assumed).toBe("方案只写“及时”");
  });
});

describe("kinds: duban plan, validate and --json show them", () => {
  const plan = load(withKind({ 51: [L(51), "    assumed: 方案只写“及时”"] })).plan!;

  it("the table lists each kind after the phases: who opens, who owes and reviews, the deadline, levels and fields", () => {
    const table = planTable(plan);
    const at = table.indexOf("■ 运行中开启的事项（1 类，事项发生时开启）");
    expect(at).toBeGreaterThan(table.indexOf("■ 第二阶段"));
    expect(table.slice(at).split("\n").slice(1)).toEqual([
      "  督办单（dubandan）  出处：领导批示",
      "      开启：领导小组办公室 → 承办：districts（2）；可由至多 2 个单位共同承办，由牵头单位报送 → 审核：领导小组办公室",
      "      期限：由开启单位指定，开启后 1 个工作日至 30 个工作日内（未指定时 10 个工作日）（期限为假定：方案只写“及时”）",
      "      签收：开启后 1 个工作日内，未签收时告知 office、assignee（1 级）",
      "      紧急程度：一般（standard）、紧急（standard，开启后 2 个工作日）",
      "      字段：批示依据*、问题类别；导入时按 批示依据 识别重复行",
      "      撤销：领导小组办公室、开启单位；延期：领导小组办公室、开启单位",
    ]);
  });

  it("the summary counts the kinds and names the assumed deadlines", () => {
    const s = planSummary(plan);
    expect(s).toContain("  运行中开启的事项：1 类（督办单）");
    expect(s).toContain("  假定期限：dubandan 的期限是假定的，不是方案写明的期限，待核实");
    expect(planSummary(load(planText()).plan!)).not.toContain("运行中开启的事项");
  });

  it("--json gives each kind with its rules as the plan writes them and every default filled in", () => {
    const k = planToJson(plan).kinds[0]!;
    expect(k).toMatchObject({
      id: "dubandan",
      openers: { office: true, taskLeads: false, self: false, any: false, units: [] },
      to: { office: false, units: ["north", "south"] },
      joint: { maxUnits: 2, submit: "lead" },
      reviewer: "office",
      due: { given: { min: "+1wd", max: "+30wd", default: "+10wd" } },
      acknowledge: { within: "+1wd", notify: ["office", "assignee"], level: 1 },
      levels: [{ id: "一般", policy: "standard" }, { id: "紧急", policy: "standard", due: "+2wd" }],
      followUp: null,
      withdraw: { self: true },
      key: ["basis"],
      maxAttachmentBytes: 20971520,
      assumed: "方案只写“及时”",
    });
    // JSON has no sets: the output survives a round trip unchanged.
    expect(JSON.parse(JSON.stringify(planToJson(plan))).kinds).toEqual(JSON.parse(JSON.stringify([k])));
  });

  it("validate: every problem of the kinds as file:line:col, exit 1, nothing else printed", async () => {
    const file = tempFile("kinds.yaml", withKind({ 37: '    to: ["@districts", nrth]', 40: "    due: { given: { min: +10wd, max: +5wd } }" }));
    const io = captureIo();
    expect(await main(["node", "duban", "validate", file], io)).toBe(1);
    process.exitCode = undefined;
    expect(io.stdout).toBe("");
    expect(io.stderr.split("\n").filter(Boolean)).toEqual([
      `${file}:37:${col('    to: ["@districts", nrth]', "nrth")}: error[UNKNOWN_REF]: 未知单位“nrth”（是否应为“north”？）`,
      `${file}:40:${col("    due: { given: { min: +10wd, max: +5wd } }", "+10wd")}: error[DUE_BOUNDS]: 开启单位可指定的最早期限 +10wd（10 个工作日）晚于最晚期限 +5wd（5 个工作日）；请调整 min 或 max`,
      `${file}：2 个错误，未执行任何操作；请按以上提示修改计划文件后重试`,
    ]);
  });
});

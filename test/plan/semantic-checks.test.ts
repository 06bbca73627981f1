import { describe, expect, it } from "vitest";
import { loadPlanText, type LoadResult } from "../../src/plan/load.ts";
import { BASE, planText } from "./minimal-plan.ts";

/**
 * One failing fixture per semantic check of src/plan/ (references.ts, dates.ts, expand.ts, resolve.ts)
 * that test/plan/errors.test.ts does not already pin down: each row breaks the minimal plan in one place and expects the whole list of
 * diagnostics (severity, code, line, column), nothing missing and nothing extra. A check that is deleted
 * or points at the wrong place fails its row; a cascade (one mistake reported twice) fails it too.
 */

type Row = [severity: "error" | "warning", code: string, line: number, col: number];

interface Case {
  name: string;
  text: string;
  expected: Row[];
  /** A fragment of the first diagnostic's message: the sentence a clerk reads. */
  says: string;
}

/** 1-based column of `needle` in `line`. */
function col(line: string, needle: string): number {
  const i = line.indexOf(needle);
  if (i < 0) throw new Error(`"${needle}" is not in "${line}"`);
  return i + 1;
}

const load = (text: string): LoadResult => loadPlanText("plan.yaml", text);
const rows = (r: LoadResult): Row[] => r.diagnostics.map((d) => [d.severity as Row[0], d.code, d.line, d.col]);

const L10 = "  - { id: boss, name: 张三, kind: person, parent: hqq, contacts: { email: [boss@example.gov.cn] } }";
const L10_NO_PARENT = "  - { id: boss, name: 张三, kind: person, contacts: { email: [boss@example.gov.cn] } }";
const L15 = "    members: [north, south, west]";
const L18_DEPUTY = "  deputies: [hq]";
const L18_MEMBER_PERSON = "  members: [{ person: north, unit: hq }]";
const L18_MEMBER_UNIT = "  members: [{ person: boss, unit: boss }]";
const L18_OFFICE_PERSON = "  office: { unit: boss, director: boss }";
const L18_OFFICE_UNKNOWN = "  office: { unit: hqq, director: boss }";
const L18_DIRECTOR = "  office: { unit: hq, director: north }";
const L21_END = "  - { id: second, name: 第二阶段, start: 2021-07-01, end: 2021-11-30 }";
const L23_LEAD = '  - { id: inspect, title: 检查, lead: hqq, support: ["@districts"] }';
const L23_LEAD_PERSON = '  - { id: inspect, title: 检查, lead: boss, support: ["@districts"] }';
const L23_PARTNER = '  - { id: inspect, title: 检查, lead: hq, support: ["@districts"], partners: [nobody] }';
const L23_PHASE = '  - { id: inspect, title: 检查, lead: hq, support: ["@districts"], phases: [frist] }';
const L23_POLICY = '  - { id: inspect, title: 检查, lead: hq, support: ["@districts"], policy: strict }';
const L23_DUE = '  - { id: inspect, title: 检查, lead: hq, support: ["@districts"], due: 2021-11-15 }';
const L23_SUPPORT = '  - { id: inspect, title: 检查, lead: hq, support: [hq, "@districts"] }';
const L24_DUP = "  - { id: inspect, title: 又一项, lead: hq }";
const L25_TASK = '  - { id: report, title: 报告, task: inspekt, phase: first, from: ["@districts"], due: 2021-06-15 }';
const L25_TO = '  - { id: report, title: 报告, phase: first, from: ["@districts"], to: nobody, due: 2021-06-15 }';
const L25_TO_PERSON = '  - { id: report, title: 报告, phase: first, from: ["@districts"], to: boss, due: 2021-06-15 }';
const L25_FROM_PERSON = "  - { id: report, title: 报告, phase: first, from: [north, boss], due: 2021-06-15 }";
const L25_FROM_GROUP = '  - { id: report, title: 报告, phase: first, from: ["@districtz"], due: 2021-06-15 }';
const L25_PHASE = '  - { id: report, title: 报告, phase: frist, from: ["@districts"], due: 2021-06-15 }';
const L25_POLICY = '  - { id: report, title: 报告, phase: first, from: ["@districts"], due: 2021-06-15, policy: strict }';
const L25_OPENS = '  - { id: report, title: 报告, phase: first, from: ["@districts"], opens: soon, due: 2021-06-15 }';
const L25_DUE_END = '  - { id: report, title: 报告, phase: first, from: ["@districts"], due: "end:thrid - 2wd" }';
const L26_WEEKLY = "  - { id: weekly, title: 周报, from: [north], recurring: { weekdays: [5], from: 2021-07-01, until: 2021-07-31 } }";
const L27_AFTER = "  - { id: after, title: 后续, from: [north], due: due:weekly + 1d }";
const L26_EMPTY = "  - { id: mid, title: 月中报, from: [north], recurring: { monthDays: [15], from: 2021-07-01, until: 2021-07-10 } }";
const L26_FROM = '  - { id: mid, title: 月中报, from: [north], recurring: { monthDays: [15], from: "start:thrid", until: 2021-07-10 } }';
const L26_PHASE = "  - { id: mid, title: 月中报, phase: first, from: [north], recurring: { monthDays: [15], from: 2021-06-01, until: 2021-07-31 } }";
const L26_CAMPAIGN = "  - { id: mid, title: 月中报, from: [north], recurring: { monthDays: [15], from: 2021-10-01, until: 2021-11-30 } }";
const L26_OPENS = "  - { id: mid, title: 月中报, from: [north], opens: 2021-07-20, recurring: { monthDays: [15], from: 2021-07-01, until: 2021-07-31 } }";
const L32_TASK_POLICY = "  taskPolicy: strict";
const L33_WORKDAYS = "  workdays: [2021-02-29]";
const L20 = BASE[19]!;
const L21 = BASE[20]!;
const L25 = BASE[24]!;

const cases: Case[] = [
  // Dates of the campaign and its calendar.
  { name: "BAD_DATE: a make-up working day that does not exist", text: planText({}, ["calendar:", L33_WORKDAYS]), expected: [["error", "BAD_DATE", 33, col(L33_WORKDAYS, "2021")]], says: "2021-02-29 不是有效日期" },
  { name: "BAD_DATE: a campaign start that does not exist", text: planText({ 6: "  start: 2021-04-31" }), expected: [["error", "BAD_DATE", 6, 10]], says: "2021-04-31 不是有效日期" },
  {
    name: "PHASE_ORDER: a campaign that ends before it starts (and so holds none of its dates)",
    text: planText({ 7: "  end: 2021-04-30" }),
    expected: [
      ["error", "PHASE_ORDER", 7, 8],
      ["error", "DATE_OUTSIDE_CAMPAIGN", 20, col(L20, "2021-05-01")],
      ["error", "DATE_OUTSIDE_CAMPAIGN", 20, col(L20, "2021-06-30")],
      ["error", "DATE_OUTSIDE_CAMPAIGN", 21, col(L21, "2021-07-01")],
      ["error", "DATE_OUTSIDE_CAMPAIGN", 21, col(L21, "2021-10-31")],
      ["error", "DATE_OUTSIDE_CAMPAIGN", 25, col(L25, "2021-06-15")],
    ],
    says: "专项行动的结束日期（2021-04-30）早于开始日期（2021-05-01）",
  },
  {
    // The phase's task has no due: of its own, so it has no deadline to fall outside the campaign.
    name: "DATE_OUTSIDE_CAMPAIGN: a phase ending after the campaign",
    text: planText({ 21: L21_END }),
    expected: [["error", "DATE_OUTSIDE_CAMPAIGN", 21, col(L21_END, "2021-11-30")]],
    says: "阶段“第二阶段”的结束日期（2021-11-30）不在专项行动期间",
  },
  { name: "DATE_OUTSIDE_CAMPAIGN: a task due after the campaign", text: planText({ 23: L23_DUE }), expected: [["error", "DATE_OUTSIDE_CAMPAIGN", 23, col(L23_DUE, "2021-11-15")]], says: "任务“inspect”的截止日期（2021-11-15）不在专项行动期间" },

  // Units, groups and the leading group.
  { name: "UNKNOWN_REF: a person's parent that is no unit", text: planText({ 10: L10 }), expected: [["error", "UNKNOWN_REF", 10, col(L10, "hqq")]], says: "未知单位“hqq”（是否应为“hq”？）" },
  { name: "UNKNOWN_REF (warning): a person without a parent", text: planText({ 10: L10_NO_PARENT }), expected: [["warning", "UNKNOWN_REF", 10, 5]], says: "人员“boss”没有填写 parent" },
  { name: "UNKNOWN_REF: a group member that is no unit", text: planText({ 15: L15 }), expected: [["error", "UNKNOWN_REF", 15, col(L15, "west")]], says: "未知单位“west”" },
  { name: "WRONG_KIND: a deputy group leader who is a department", text: planText({ 17: [BASE[16]!, L18_DEPUTY] }), expected: [["error", "WRONG_KIND", 18, col(L18_DEPUTY, "hq")]], says: "“hq”是部门（department），此处需要填写人员" },
  { name: "WRONG_KIND: a group member's person who is a district", text: planText({ 17: [BASE[16]!, L18_MEMBER_PERSON] }), expected: [["error", "WRONG_KIND", 18, col(L18_MEMBER_PERSON, "north")]], says: "“north”是区县（district）" },
  { name: "WRONG_KIND: a group member's unit who is a person", text: planText({ 17: [BASE[16]!, L18_MEMBER_UNIT] }), expected: [["error", "WRONG_KIND", 18, col(L18_MEMBER_UNIT, "unit: boss") + "unit: ".length]], says: "“boss”是人员（person），此处需要填写单位" },
  { name: "WRONG_KIND: an office hosted by a person", text: planText({ 18: L18_OFFICE_PERSON }), expected: [["error", "WRONG_KIND", 18, col(L18_OFFICE_PERSON, "boss")]], says: "“boss”是人员（person），此处需要填写单位" },
  { name: "UNKNOWN_REF: an office hosted by no known unit", text: planText({ 18: L18_OFFICE_UNKNOWN }), expected: [["error", "UNKNOWN_REF", 18, col(L18_OFFICE_UNKNOWN, "hqq")]], says: "未知单位“hqq”" },
  { name: "WRONG_KIND: an office director who is a district", text: planText({ 18: L18_DIRECTOR }), expected: [["error", "WRONG_KIND", 18, col(L18_DIRECTOR, "north")]], says: "“north”是区县（district）" },

  // Tasks.
  { name: "UNKNOWN_REF: a task led by no known unit", text: planText({ 23: L23_LEAD }), expected: [["error", "UNKNOWN_REF", 23, col(L23_LEAD, "hqq")]], says: "未知单位“hqq”（是否应为“hq”？）" },
  { name: "WRONG_KIND: a task led by a person", text: planText({ 23: L23_LEAD_PERSON }), expected: [["error", "WRONG_KIND", 23, col(L23_LEAD_PERSON, "boss")]], says: "“boss”是人员（person），此处需要填写单位" },
  { name: "UNKNOWN_REF: a task partner that is no unit", text: planText({ 23: L23_PARTNER }), expected: [["error", "UNKNOWN_REF", 23, col(L23_PARTNER, "nobody")]], says: "未知单位“nobody”" },
  { name: "UNKNOWN_REF: a task in an unknown phase", text: planText({ 23: L23_PHASE }), expected: [["error", "UNKNOWN_REF", 23, col(L23_PHASE, "frist")]], says: "未知阶段“frist”（是否应为“first”？）" },
  { name: "UNKNOWN_REF: a task with an unknown policy", text: planText({ 23: L23_POLICY }), expected: [["error", "UNKNOWN_REF", 23, col(L23_POLICY, "policy: strict") + "policy: ".length]], says: "未知督办规则“strict”" },
  { name: "DUPLICATE_ID: two tasks with one id", text: planText({ 23: [BASE[22]!, L24_DUP] }), expected: [["error", "DUPLICATE_ID", 24, col(L24_DUP, "inspect")]], says: "任务 id“inspect”已被使用" },
  { name: "TASK_LEAD (warning): the lead listed again in support", text: planText({ 23: L23_SUPPORT }), expected: [["warning", "TASK_LEAD", 23, col(L23_SUPPORT, "[hq")]], says: "牵头部门“hq”也列在 support 中" },

  // Deliverables.
  { name: "UNKNOWN_REF: a deliverable of an unknown task", text: planText({ 25: L25_TASK }), expected: [["error", "UNKNOWN_REF", 25, col(L25_TASK, "inspekt")]], says: "未知任务“inspekt”（是否应为“inspect”？）" },
  { name: "UNKNOWN_REF: a deliverable sent to no known unit", text: planText({ 25: L25_TO }), expected: [["error", "UNKNOWN_REF", 25, col(L25_TO, "nobody")]], says: "未知单位“nobody”" },
  { name: "WRONG_KIND: a deliverable sent to a person", text: planText({ 25: L25_TO_PERSON }), expected: [["error", "WRONG_KIND", 25, col(L25_TO_PERSON, "boss")]], says: "“boss”是人员（person）" },
  { name: "WRONG_KIND: a deliverable owed by a person", text: planText({ 25: L25_FROM_PERSON }), expected: [["error", "WRONG_KIND", 25, col(L25_FROM_PERSON, "boss")]], says: "“boss”是人员（person）" },
  { name: "UNKNOWN_REF: a deliverable owed by an unknown group, reported once", text: planText({ 25: L25_FROM_GROUP }), expected: [["error", "UNKNOWN_REF", 25, col(L25_FROM_GROUP, '"@districtz"')]], says: "未知组“@districtz”（是否应为“districts”？）" },
  { name: "UNKNOWN_REF: a deliverable in an unknown phase", text: planText({ 25: L25_PHASE }), expected: [["error", "UNKNOWN_REF", 25, col(L25_PHASE, "frist")]], says: "未知阶段“frist”（是否应为“first”？）" },
  { name: "UNKNOWN_REF: a deliverable with an unknown policy", text: planText({ 25: L25_POLICY }), expected: [["error", "UNKNOWN_REF", 25, col(L25_POLICY, "policy: strict") + "policy: ".length]], says: "未知督办规则“strict”" },
  { name: "BAD_TIME_EXPR: an opening that is no expression", text: planText({ 25: L25_OPENS }), expected: [["error", "BAD_TIME_EXPR", 25, col(L25_OPENS, "soon")]], says: "“soon”既不是日期" },
  { name: "UNKNOWN_REF: a due date at the end of an unknown phase", text: planText({ 25: L25_DUE_END }), expected: [["error", "UNKNOWN_REF", 25, col(L25_DUE_END, '"end:thrid')]], says: "未知阶段“thrid”" },
  { name: "UNKNOWN_REF: due: of a recurring deliverable, which has no single date", text: planText({ 25: [L25, L26_WEEKLY, L27_AFTER] }), expected: [["error", "UNKNOWN_REF", 27, col(L27_AFTER, "due:weekly")]], says: "“weekly”是周期性事项，没有单一的截止日期" },

  // Policies.
  {
    // A task without due: has no deadline and so needs no policy; the deliverable does.
    name: "UNKNOWN_REF: no policy anywhere, for a deliverable",
    text: planText({ 30: [], 31: [] }),
    expected: [["error", "UNKNOWN_REF", 25, 5]],
    says: "“report”未指定 policy，计划中也没有 defaults.policy",
  },
  {
    name: "UNKNOWN_REF: no policy anywhere, for a task with a due date and for a deliverable",
    text: planText({ 23: '  - { id: inspect, title: 检查, lead: hq, support: ["@districts"], due: 2021-09-30 }', 30: [], 31: [] }),
    expected: [
      ["error", "UNKNOWN_REF", 23, 5],
      ["error", "UNKNOWN_REF", 25, 5],
    ],
    says: "任务“inspect”未指定 policy，计划中也没有 defaults.taskPolicy",
  },
  { name: "UNKNOWN_REF: a deliverable without policy when only defaults.taskPolicy is set", text: planText({ 31: "  taskPolicy: standard" }), expected: [["error", "UNKNOWN_REF", 25, 5]], says: "“report”未指定 policy，计划中也没有 defaults.policy" },
  { name: "UNKNOWN_REF: an unknown defaults.policy, reported once", text: planText({ 31: "  policy: strict" }), expected: [["error", "UNKNOWN_REF", 31, 11]], says: "未知督办规则“strict”" },
  { name: "UNKNOWN_REF: an unknown defaults.taskPolicy", text: planText({ 31: [BASE[30]!, L32_TASK_POLICY] }), expected: [["error", "UNKNOWN_REF", 32, col(L32_TASK_POLICY, "strict")]], says: "未知督办规则“strict”" },

  // Recurring deliverables.
  { name: "EMPTY_ASSIGNEES: a recurrence with no day in its range", text: planText({ 25: [L25, L26_EMPTY] }), expected: [["error", "EMPTY_ASSIGNEES", 26, col(L26_EMPTY, "{ monthDays")]], says: "“mid”的周期安排在 2021-07-01 至 2021-07-10 之间没有任何日期" },
  { name: "UNKNOWN_REF: a recurrence starting at an unknown phase", text: planText({ 25: [L25, L26_FROM] }), expected: [["error", "UNKNOWN_REF", 26, col(L26_FROM, '"start:thrid"')]], says: "未知阶段“thrid”" },
  { name: "DATE_OUTSIDE_PHASE: a recurring instance outside its phase", text: planText({ 25: [L25, L26_PHASE] }), expected: [["error", "DATE_OUTSIDE_PHASE", 26, col(L26_PHASE, "{ monthDays")]], says: "“mid”的截止日期 2021-07-15 不在所属阶段“第一阶段”" },
  { name: "DATE_OUTSIDE_CAMPAIGN: a recurring instance after the campaign", text: planText({ 25: [L25, L26_CAMPAIGN] }), expected: [["error", "DATE_OUTSIDE_CAMPAIGN", 26, col(L26_CAMPAIGN, "{ monthDays")]], says: "“mid”的截止日期（2021-11-15）不在专项行动期间" },
  { name: "DUE_BEFORE_OPEN: a recurring instance due before the deliverable opens", text: planText({ 25: [L25, L26_OPENS] }), expected: [["error", "DUE_BEFORE_OPEN", 26, col(L26_OPENS, "{ monthDays")]], says: "“mid”的截止日期 2021-07-15 早于开始报送日期 2021-07-20" },
];

describe("each semantic check has its own failing fixture", () => {
  it.each(cases)("$name", ({ text, expected, says }) => {
    const r = load(text);
    expect(rows(r)).toEqual(expected);
    if (expected.some(([severity]) => severity === "error")) expect(r.plan).toBeUndefined();
    else expect(r.plan).toBeDefined();
    expect(r.diagnostics[0]!.message).toContain(says);
  });

  it("a task led by an unknown unit leaves no assignment led by nobody: the plan does not load at all", () => {
    const r = load(planText({ 23: L23_LEAD }));
    expect(r.plan).toBeUndefined();
    expect(r.diagnostics.map((d) => `plan.yaml:${d.line}:${d.col}: ${d.code}`)).toEqual([`plan.yaml:23:${col(L23_LEAD, "hqq")}: UNKNOWN_REF`]);
  });
});

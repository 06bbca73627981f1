import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { planText } from "../plan/minimal-plan.ts";

/**
 * The minimal plan (test/plan/minimal-plan.ts) with three kinds of items opened at run time, as a plan
 * file: a 督办单 from the office with 签收 and an urgent level (+24h), a 一事一报 a district opens for
 * itself, and an 整改 item opened jointly with a date the opener gives, keyed by its agency for imports.
 */
export const KINDS_YAML: readonly string[] = [
  "kinds:",
  "  - id: dubandan",
  "    title: 督办单",
  "    openers: [office]",
  '    to: ["@districts"]',
  "    due: +5wd",
  "    acknowledge: { within: +1wd, notify: [office], level: 1 }",
  "    levels:",
  "      - { id: 一般, policy: standard }",
  "      - { id: 特急, policy: urgent, due: +24h }",
  "    fields:",
  "      - { id: basis, title: 交办依据, type: longText, required: true }",
  "      - { id: category, title: 问题类别, type: choice, choices: [欠薪, 中介违规] }",
  "    withdraw: [opener]",
  "  - id: event-report",
  "    title: 新情况新问题报告",
  '    openers: ["@districts"]',
  "    to: [self]",
  "    policy: urgent",
  "    followUp: { first: +24h, everyWorkingDays: 5 }",
  "    fields:",
  "      - { id: what, title: 情况, type: text, required: true }",
  "  - id: rectify",
  "    title: 整改事项",
  "    openers: [office]",
  '    to: ["@districts"]',
  "    joint: { maxUnits: 2, submit: lead }",
  "    due: { given: { min: +1wd, max: +40wd, default: +10wd } }",
  "    fields:",
  "      - { id: agency, title: 机构名称, type: text, required: true }",
  "      - { id: problem, title: 存在问题, type: longText, required: true }",
  "      - { id: deadline, title: 整改时限, type: date, required: false }",
  "    key: [agency]",
];

export function kindsPlanText(): string {
  return planText({ 29: ["      - { at: 0wd, notify: [assignee] }", "  urgent:", "    steps:", "      - { at: -2h, notify: [assignee] }", "      - { at: +2h, notify: [assignee, office], level: 1 }"] }, KINDS_YAML);
}

/** The plan written to a fresh file; returns its path. */
export function kindsPlanFile(): string {
  const dir = mkdtempSync(join(tmpdir(), "duban-kinds-"));
  const file = join(dir, "plan.yaml");
  writeFileSync(file, kindsPlanText());
  return file;
}

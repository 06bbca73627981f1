import ExcelJS from "exceljs";
import iconv from "iconv-lite";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NOBODY, type Audience, type ItemKind } from "../../src/model/kind.ts";
import { loadPlanText } from "../../src/plan/load.ts";
import type { ResolvedPlan } from "../../src/plan/types.ts";
import { planText } from "../plan/minimal-plan.ts";

/**
 * Kinds and a plan for the import tests, by hand: the plan's `kinds:` section lands separately, and the
 * reader needs only the ItemKind shape.
 */

const office: Audience = { ...NOBODY, office: true, units: new Set() };
const anyUnit: Audience = { ...NOBODY, any: true, units: new Set() };

/** 整改问题 (三（一）): a row of a 问题清单, keyed by its 问题编号, due 10 working days after it is opened. */
export const rectify: ItemKind = {
  id: "rectify",
  title: "整改问题",
  openers: office,
  recipients: anyUnit,
  joint: null,
  reviewer: "office",
  due: { kind: "offset", offset: { n: 10, unit: "wd" } },
  workingHours: false,
  acknowledge: null,
  levels: [{ id: "一般", policy: "standard" }],
  fields: [
    { id: "code", title: "问题编号", type: "text", required: true },
    { id: "problem", title: "问题描述", type: "longText", required: true, maxLength: 200 },
    { id: "deadline", title: "整改时限", type: "date", required: true },
    { id: "amount", title: "涉及金额", type: "number", required: false },
    { id: "category", title: "问题类别", type: "choice", required: false, choices: ["制度建设", "执行落实", "其他"] },
    { id: "inspector", title: "督导单位", type: "unit", required: false },
  ],
  followUp: null,
  withdraw: NOBODY,
  extend: NOBODY,
  key: ["code"],
  maxAttachmentBytes: 10 * 1024 * 1024,
};

/** 督办单: the opener gives the deadline (no default), picks an urgency, and may send it to up to 3 units jointly. */
export const supervise: ItemKind = {
  ...rectify,
  id: "supervise",
  title: "督办单",
  joint: { maxUnits: 3, submit: "lead" },
  due: { kind: "given", max: { n: 30, unit: "wd" } },
  levels: [
    { id: "一般", policy: "standard" },
    { id: "紧急", policy: "standard" },
    { id: "特急", policy: "standard", due: { kind: "offset", offset: { n: 24, unit: "h" } } },
  ],
  fields: [
    { id: "instruction", title: "批示内容", type: "longText", required: true },
    { id: "source", title: "来源", type: "choice", required: true, choices: ["领导批示", "群众来信", "检查发现"] },
  ],
  key: [],
};

/**
 * The minimal plan with names to look units up by: 北区 and 南区 as short names of their governments,
 * and two units both called 西区 for short.
 */
export function importPlan(): ResolvedPlan {
  const r = loadPlanText(
    "plan.yaml",
    planText({
      11: "  - { id: north, name: 北区人民政府, short: 北区, kind: district, contacts: { email: [north@example.gov.cn] } }",
      12: [
        "  - { id: south, name: 南区人民政府, short: 南区, kind: district, contacts: { email: [south@example.gov.cn] } }",
        "  - { id: west, name: 西区人民政府, short: 西区, kind: district, contacts: { email: [west@example.gov.cn] } }",
        "  - { id: west-water, name: 西区水务局, short: 西区, kind: department, contacts: { email: [water@example.gov.cn] } }",
      ],
    }),
  );
  if (!r.plan) throw new Error(r.diagnostics.map((d) => `${d.line}:${d.col} ${d.message}`).join("\n"));
  return r.plan;
}

export const HQ = { kind: "unit", unit: "hq" } as const;

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "duban-import-"));
}

/** Writes a real xlsx with exceljs: rows as given (a Date is a date cell), in sheets named as given. */
export async function writeXlsx(file: string, sheets: Record<string, unknown[][]>): Promise<string> {
  const wb = new ExcelJS.Workbook();
  for (const [name, rows] of Object.entries(sheets)) {
    const ws = wb.addWorksheet(name);
    for (const r of rows) ws.addRow(r);
  }
  await wb.xlsx.writeFile(file);
  return file;
}

function csvField(v: unknown): string {
  if (v === undefined || v === null) return "";
  const s = v instanceof Date ? v.toISOString().slice(0, 10) : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Writes a CSV as Excel saves one: CRLF lines, in UTF-8 (with or without a BOM) or GB18030 / GBK. */
export function writeCsv(file: string, rows: unknown[][], encoding: "utf8" | "utf8bom" | "gb18030" | "gbk" = "utf8"): string {
  const text = rows.map((r) => r.map(csvField).join(",")).join("\r\n") + "\r\n";
  const bytes = encoding === "utf8" ? Buffer.from(text, "utf8") : encoding === "utf8bom" ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, "utf8")]) : iconv.encode(text, encoding);
  writeFileSync(file, bytes);
  return file;
}

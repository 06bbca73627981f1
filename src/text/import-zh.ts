import type { ImportProblem, ImportProblemCode, NotTableLooks } from "../items/import-problem.ts";
import type { Problem } from "../model/problem.ts";
import { renderFieldProblem } from "./fields.ts";

// Import problems in the plan's language. A field's value keeps its FIELD_* code and the words of
// renderFieldProblem, so a bad 整改时限 reads the same in a sheet, a form and a command.

type Params = Problem["params"];
const str = (v: Params[string] | undefined): string => (v === undefined ? "" : Array.isArray(v) ? v.join("、") : String(v));

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1).replace(/\.0$/, "")} MB`;
}

const OFFSET_UNIT_ZH: Record<string, string> = { wd: "个工作日", d: "天", h: "小时" };

const LOOKS_ZH: Record<NotTableLooks, string> = {
  xls: "这是 Excel 97-2003 格式（.xls）",
  html: "这是网页或 XML 文件（有的系统导出的 .xls 其实是网页）",
  pdf: "这是 PDF 文件",
  image: "这是图片",
  archive: "这是压缩包，其中没有 Excel 工作表",
  utf16: "这是 UTF-16 编码的“Unicode 文本”",
  binary: "内容不是文本",
  xlsxName: "扩展名是 Excel 的，内容却不是 xlsx（文件可能已损坏，或只是改了扩展名）",
};

const UNREADABLE_ZH: Record<string, string> = {
  ENOENT: "文件不存在；请检查路径",
  EACCES: "没有读取该文件的权限",
  EPERM: "没有读取该文件的权限",
  EISDIR: "这是文件夹，不是文件",
  notFile: "这不是普通文件",
  badXlsx: "xlsx 文件已损坏，无法读取；请用 Excel 打开后重新保存",
};

const IMPORT_ZH: Record<ImportProblemCode, (p: Params) => string> = {
  IMPORT_UNREADABLE: (p) => (p.reason === "badCsv" ? `CSV 格式有误（${str(p.detail)}）；请用 Excel 打开后另存为 CSV` : (UNREADABLE_ZH[str(p.reason)] ?? `无法读取文件（${str(p.reason)}）`)),
  IMPORT_TOO_LARGE: (p) =>
    p.unpacked ? `工作表解压后有 ${mb(Number(p.size))}，超过导入上限 ${mb(Number(p.max))}，未读取；请拆成几个文件分别导入` : `文件有 ${mb(Number(p.size))}，超过导入上限 ${mb(Number(p.max))}，未读取；请拆成几个文件分别导入`,
  IMPORT_NOT_TABLE: (p) => `不是 xlsx 或 csv 文件：${LOOKS_ZH[str(p.looks) as NotTableLooks] ?? str(p.looks)}；请在 Excel 中另存为“Excel 工作簿(*.xlsx)”或“CSV UTF-8(逗号分隔)(*.csv)”后再导入`,
  IMPORT_NO_SHEET: (p) => (str(p.sheet) ? `没有名为“${str(p.sheet)}”的工作表；本文件的工作表有：${str(p.sheets)}` : `没有可读的工作表（工作表都已隐藏）；本文件的工作表有：${str(p.sheets)}`),
  IMPORT_EMPTY: () => "文件是空的：没有表头，也没有数据",
  IMPORT_NO_ROWS: () => "只有表头，没有数据行；请在表头下逐行填写，每行一项",
  IMPORT_TOO_MANY_ROWS: (p) => `数据超过 ${str(p.max)} 行，未导入；请拆成几个文件分别导入`,
  IMPORT_UNKNOWN_COLUMN: (p) => `未知列“${str(p.header)}”${p.nearest ? `（是否应为“${str(p.nearest)}”？）` : ""}；可用的列：${str(p.known)}`,
  IMPORT_DUPLICATE_COLUMN: (p) => `列“${str(p.header)}”与 ${str(p.first)} 列重复`,
  IMPORT_MISSING_COLUMN: (p) => `缺少必填列“${str(p.column)}”`,
  IMPORT_UNNAMED_COLUMN: (p) => `${str(p.column)} 列有内容但没有表头；请填写表头或删除该列`,
  IMPORT_UNKNOWN_UNIT: (p) => `${str(p.field) || "责任单位"}“${str(p.value)}”不是计划中的单位${p.nearest ? `（是否应为“${str(p.nearest)}”？）` : ""}`,
  IMPORT_AMBIGUOUS_UNIT: (p) => `责任单位“${str(p.value)}”可指多个单位（${str(p.units)}）；请写全称`,
  IMPORT_TOO_MANY_UNITS: (p) => (Number(p.max) <= 1 ? `此类事项只能交办给一个单位，本行填了 ${str(p.count)} 个` : `此类事项至多由 ${str(p.max)} 个单位联合办理，本行填了 ${str(p.count)} 个`),
  IMPORT_DUE_FIXED: (p) => `此类事项的截止时间由计划规定（交办后 ${str(p.n)} ${OFFSET_UNIT_ZH[str(p.unit)] ?? str(p.unit)}），不能在表中填写`,
  IMPORT_DUPLICATE_KEY: (p) =>
    p.by === "content" ? `与第 ${str(p.first)} 行内容完全相同；同一事项只能有一行` : `${str(p.fields)}“${str(p.key)}”与第 ${str(p.first)} 行重复；同一事项只能有一行`,
};

export function importMessageZh(p: Pick<ImportProblem, "code" | "params">): string {
  const f = (IMPORT_ZH as Record<string, (p: Params) => string>)[p.code];
  return f ? f(p.params) : renderFieldProblem(p);
}

/**
 * `整改问题清单.xlsx:Sheet1!C7: 整改时限不是日期`: the file as the user named it, the sheet and the cell as
 * Excel shows them (a CSV has no sheet: `清单.csv:C7: …`), then the message.
 */
export function importProblemLine(p: ImportProblem): string {
  const where = p.cell ? `${p.sheet !== undefined ? `${p.sheet}!` : ""}${p.cell}` : (p.sheet ?? "");
  return `${p.file}:${where ? `${where}:` : ""} ${importMessageZh(p)}`;
}

/** The closing line under the problems of a refused import. */
export function importRefusedZh(file: string, problems: number): string {
  return `${file}：${problems} 个问题，未导入任何事项；请修改后重新导入`;
}

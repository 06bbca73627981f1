import { open, readFile, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { extname } from "node:path";
import type { NotTableLooks } from "./import-problem.ts";

/** A cell as the checks see it: empty cells are undefined, text is never blank. */
export type CellValue = string | number | boolean | Date | undefined;

/** One row of the sheet read: `row` is its number as Excel shows it (1-based); `cells[0]` is column A. */
export interface SheetRow {
  row: number;
  cells: CellValue[];
}

export type Sniffed = { format: "xlsx" | "csv"; size: number } | { refused: "IMPORT_UNREADABLE"; reason: string } | { refused: "IMPORT_TOO_LARGE"; size: number } | { refused: "IMPORT_EMPTY" } | { refused: "IMPORT_NOT_TABLE"; looks: NotTableLooks };

const SAMPLE = 4096;

function starts(b: Buffer, ...bytes: number[]): boolean {
  return bytes.every((x, i) => b[i] === x);
}

/**
 * What a file is, from its size and its first bytes, before anything parses it: a file over the limit
 * is refused by `stat` alone (a 50 MB upload costs one system call), and a file of the wrong kind by
 * its signature, not its name (offices rename .xls to .xlsx, and some systems export web pages as .xls).
 */
export async function sniffFile(file: string, maxBytes: number): Promise<Sniffed> {
  let size: number;
  try {
    const s = await stat(file);
    if (!s.isFile()) return { refused: "IMPORT_UNREADABLE", reason: "notFile" };
    size = s.size;
  } catch (err) {
    return { refused: "IMPORT_UNREADABLE", reason: (err as NodeJS.ErrnoException).code ?? "EIO" };
  }
  if (size > maxBytes) return { refused: "IMPORT_TOO_LARGE", size };
  if (size === 0) return { refused: "IMPORT_EMPTY" };
  const head = Buffer.alloc(Math.min(SAMPLE, size));
  try {
    const fh = await open(file, "r");
    try {
      await fh.read(head, 0, head.length, 0);
    } finally {
      await fh.close();
    }
  } catch (err) {
    return { refused: "IMPORT_UNREADABLE", reason: (err as NodeJS.ErrnoException).code ?? "EIO" };
  }
  const looks = signature(head);
  if (looks === "xlsx") return { format: "xlsx", size };
  if (looks) return { refused: "IMPORT_NOT_TABLE", looks };
  if (/^\.xls[xmb]?$/i.test(extname(file))) return { refused: "IMPORT_NOT_TABLE", looks: "xlsxName" };
  return { format: "csv", size };
}

/** The kind of a file from its first bytes; undefined for text, which is read as CSV. */
export function signature(b: Buffer): NotTableLooks | "xlsx" | undefined {
  if (starts(b, 0x50, 0x4b, 0x03, 0x04)) return "xlsx";
  if (starts(b, 0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1)) return "xls";
  if (starts(b, 0x25, 0x50, 0x44, 0x46)) return "pdf";
  if (starts(b, 0x89, 0x50, 0x4e, 0x47) || starts(b, 0xff, 0xd8, 0xff) || starts(b, 0x47, 0x49, 0x46, 0x38) || starts(b, 0x42, 0x4d) || starts(b, 0x49, 0x49, 0x2a, 0x00) || starts(b, 0x4d, 0x4d, 0x00, 0x2a) || (starts(b, 0x52, 0x49, 0x46, 0x46) && b.subarray(8, 12).toString("latin1") === "WEBP")) return "image";
  if (starts(b, 0x50, 0x4b) || starts(b, 0x1f, 0x8b) || starts(b, 0x52, 0x61, 0x72, 0x21) || starts(b, 0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c)) return "archive";
  if (starts(b, 0xff, 0xfe) || starts(b, 0xfe, 0xff)) return "utf16";
  const text = (starts(b, 0xef, 0xbb, 0xbf) ? b.subarray(3) : b).toString("latin1").trimStart();
  if (text.startsWith("<")) return "html";
  // Text has no NUL and few control characters; UTF-16 without a BOM has a NUL in every other byte.
  let control = 0;
  for (const x of b) {
    if (x === 0) return "binary";
    if (x < 0x09 || (x > 0x0d && x < 0x20 && x !== 0x1b)) control++;
  }
  return control > b.length / 100 ? "binary" : undefined;
}

/**
 * CSV text in the encodings offices save it in: UTF-8 with or without a BOM ("CSV UTF-8"), else
 * GB18030, a superset of the GBK that Excel on a Chinese Windows writes for plain "CSV".
 */
export function decodeCsv(bytes: Uint8Array): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return new TextDecoder("utf-8").decode(bytes.subarray(3));
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder("gb18030").decode(bytes);
  }
}

/** A cell's value without exceljs's wrappers: rich text as its text, a formula as its cached result. */
function plain(v: unknown): CellValue {
  if (v === null || v === undefined) return undefined;
  if (typeof v === "string") return v.trim() === "" ? undefined : v;
  if (typeof v === "number" || typeof v === "boolean" || v instanceof Date) return v;
  if (typeof v === "object") {
    const o = v as { richText?: { text: string }[]; result?: unknown; text?: unknown; error?: string; formula?: string };
    if (Array.isArray(o.richText)) return plain(o.richText.map((r) => r.text).join(""));
    if ("result" in o || "formula" in o) return plain(o.result);
    if ("text" in o) return plain(o.text);
    if (typeof o.error === "string") return o.error;
  }
  return String(v);
}

/** Where the rows came from: the sheet read (xlsx), every sheet's name, and whether the one asked for exists. */
export interface RowsRead {
  sheet?: string;
  sheets: string[];
  found: boolean;
}

/**
 * Calls `visit` for every row of the chosen sheet, in order, as the file streams: memory holds one row
 * at a time, not the workbook. `visit` returns false to stop early (too many rows). The chosen sheet is
 * `sheet`, or the first visible one.
 */
export async function eachRow(file: string, format: "xlsx" | "csv", sheet: string | undefined, maxBytes: number, visit: (row: SheetRow, sheet?: string) => boolean | void): Promise<RowsRead> {
  return format === "xlsx" ? eachXlsxRow(file, sheet, maxBytes * MAX_UNPACK_RATIO, visit) : eachCsvRow(file, visit);
}

/** What of exceljs's streaming reader the import drives by hand (exceljs 4.4.0; see eachXlsxRow). */
interface ReaderParts {
  model?: { sheets?: { name: string; rId: string; state?: string }[] };
  workbookRels?: { Id: string; Target: string }[];
  _parseRels(entry: NodeJS.ReadableStream): Promise<void>;
  _parseWorkbook(entry: NodeJS.ReadableStream): Promise<void>;
  _parseSharedStrings(entry: NodeJS.ReadableStream): AsyncIterable<unknown>;
  _parseStyles(entry: NodeJS.ReadableStream): Promise<void>;
  _parseWorksheet(iterator: AsyncIterable<unknown>, sheetNo: string): Iterable<{ value: AsyncIterable<{ number: number; values: unknown }> }>;
}

interface ZipEntry {
  path: string;
  uncompressedSize: number;
  stream(): NodeJS.ReadableStream & { destroy(): void };
}

/** A sheet and its strings that unpack to more than this many times the size limit are a zip bomb, not a 问题清单. */
export const MAX_UNPACK_RATIO = 12;

/**
 * Reads an xlsx through its zip's central directory: the workbook, its relations, the shared strings
 * and the styles first, then the one sheet wanted, row by row. exceljs's own streaming pass
 * (WorkbookReader over `unzip.Parse`) loses the workbook entry in a race on Node >= 18 when it is stored
 * after the sheets, as exceljs itself writes it ("Cannot read properties of undefined (reading 'sheets')",
 * exceljs issue 3064; the fix proposed there, PR 3065, does this same reordering). So the parts are
 * handed to exceljs's parsers in order; those are internal to exceljs 4.4.0, and the import tests cover
 * each of them. Drop this for the plain WorkbookReader once exceljs ships the fix.
 */
async function eachXlsxRow(file: string, wanted: string | undefined, maxUnpacked: number, visit: (row: SheetRow, sheet?: string) => boolean | void): Promise<RowsRead> {
  const { default: Excel } = await import("exceljs");
  const unzipper = createRequire(import.meta.url)("unzipper") as { Open: { file(f: string): Promise<{ files: ZipEntry[] }> } };
  const zip = await unzipper.Open.file(file);
  const parts = new Map(zip.files.map((f) => [f.path.replace(/^\//, ""), f]));
  const reader = new Excel.stream.xlsx.WorkbookReader(file, { sharedStrings: "cache", styles: "cache", hyperlinks: "ignore", worksheets: "emit", entries: "ignore" }) as unknown as ReaderParts;
  const book = parts.get("xl/workbook.xml");
  if (!book) return { sheets: [], found: false };
  const rels = parts.get("xl/_rels/workbook.xml.rels");
  if (rels) await reader._parseRels(rels.stream());
  await reader._parseWorkbook(book.stream());
  const sheets = reader.model?.sheets ?? [];
  const visible = sheets.filter((s) => s.state !== "hidden" && s.state !== "veryHidden");
  const names = sheets.map((s) => s.name);
  const chosen = wanted !== undefined ? sheets.find((s) => s.name === wanted) : visible[0];
  const target = chosen && reader.workbookRels?.find((r) => r.Id === chosen.rId)?.Target;
  const path = target && (target.startsWith("/") ? target.slice(1) : `xl/${target.replace(/^\.\//, "")}`);
  const entry = path ? parts.get(path) : undefined;
  if (!chosen || !entry) return { sheets: names, found: false };
  const strings = parts.get("xl/sharedStrings.xml");
  if ((strings?.uncompressedSize ?? 0) + entry.uncompressedSize > maxUnpacked) throw new UnpackTooLarge((strings?.uncompressedSize ?? 0) + entry.uncompressedSize);
  if (strings) for await (const _ of reader._parseSharedStrings(strings.stream()));
  const styles = parts.get("xl/styles.xml");
  if (styles) await reader._parseStyles(styles.stream());
  const stream = entry.stream();
  try {
    // The sheet number only names the sheet inside exceljs; the name is known from the workbook already.
    for (const { value: ws } of reader._parseWorksheet(stream as AsyncIterable<unknown>, "0")) {
      for await (const row of ws) {
        const values = row.values as unknown[];
        const cells: CellValue[] = [];
        for (let c = 1; c < values.length; c++) cells.push(plain(values[c]));
        if (visit({ row: row.number, cells }, chosen.name) === false) break;
      }
    }
  } finally {
    stream.destroy();
  }
  return { sheet: chosen.name, sheets: names, found: true };
}

/** An xlsx whose parts unpack to more than the import reads (a zip bomb, or a sheet far over the limit). */
export class UnpackTooLarge extends Error {
  constructor(readonly size: number) {
    super(`unpacks to ${size} bytes`);
  }
}

async function eachCsvRow(file: string, visit: (row: SheetRow) => boolean | void): Promise<RowsRead> {
  const { parse } = await import("csv-parse");
  // The whole text at once: sniffFile bounded its size, and the encoding is a property of the whole file.
  const text = decodeCsv(await readFile(file));
  const parser = parse(text, { relax_column_count: true, relax_quotes: true, skip_empty_lines: false });
  let row = 0;
  for await (const record of parser as AsyncIterable<string[]>) {
    row++;
    if (visit({ row, cells: record.map((s) => (s.trim() === "" ? undefined : s)) }) === false) {
      parser.destroy();
      break;
    }
  }
  return { sheets: [], found: true };
}

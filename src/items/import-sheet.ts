import { createHash } from "node:crypto";
import { localInstant } from "../engine/calendar.ts";
import type { Actor, OpenRequest } from "../engine/types.ts";
import type { ResolvedPlan } from "../model/definition.ts";
import { checkFields, parseLocalDateTime, type FieldValue } from "../model/fields.ts";
import type { DueRule, FieldSpec, ItemKind } from "../model/kind.ts";
import type { UnitId } from "../model/ids.ts";
import { nearest } from "../plan/schema.ts";
import type { ImportProblem } from "./import-problem.ts";
import { eachRow, MAX_UNPACK_RATIO, sniffFile, UnpackTooLarge, type CellValue, type SheetRow } from "./sheet-rows.ts";
import { unitNamesOf, type UnitNames } from "../model/unit-names.ts";

/** Larger files are refused by their size before they are read. A 10,000-row 问题清单 is about 1 MB. */
export const DEFAULT_MAX_BYTES = 20 * 1024 * 1024;
/** More rows than this are refused: a sheet that small in bytes but this long is a mistake or a zip bomb. */
export const DEFAULT_MAX_ROWS = 50_000;

export interface ImportOptions {
  /** The sheet to read (xlsx); the first visible one when absent. */
  sheet?: string;
  maxBytes?: number;
  maxRows?: number;
  /** Who imports: the opener of every item. */
  actor: Actor;
}

/**
 * One request per data row, in the sheet's order; `rows[i]` is the row `requests[i]` came from, so a
 * refusal of the engine (an opener or a unit the kind does not allow) can be placed on its row too.
 */
export type ImportResult = { requests: OpenRequest[]; rows: number[]; sheet?: string } | { problems: ImportProblem[] };

/**
 * The columns every kind's sheet may have besides its fields, by their Chinese header (the canonical
 * name shown in messages first, then accepted spellings; the English id is accepted too).
 */
export const STANDARD_COLUMNS = {
  to: ["责任单位", "承办单位"],
  title: ["标题"],
  due: ["截止时间", "截止日期"],
  level: ["紧急程度"],
  id: ["编号"],
  note: ["备注"],
} as const;
type Standard = keyof typeof STANDARD_COLUMNS;
/** A running 序号 is in nearly every office sheet; it numbers rows, it identifies nothing. */
const IGNORED = ["序号"];

type Column = { role: "field"; spec: FieldSpec; name: string } | { role: Standard | "ignored"; name: string };

/** Headers as people type them: full-width or half-width, a required mark `*`, `（必填）`, stray spaces. */
function normalise(header: string): string {
  return header
    .normalize("NFKC")
    .replace(/\s+/g, "")
    .replace(/\*/g, "")
    .replace(/\((必填|选填|可选)\)$/, "")
    .toLowerCase();
}

/** `0` → A, `25` → Z, `26` → AA: a column as Excel names it. */
export function columnName(index: number): string {
  let s = "";
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

function text(v: CellValue): string {
  if (v instanceof Date) {
    const d = parseLocalDateTime(v)!;
    return d.time ? `${d.date} ${d.time}` : d.date;
  }
  return String(v).trim();
}

/** Splits a 责任单位 cell: several units jointly, separated the ways offices write lists. */
const UNIT_SEPARATORS = /[、,，;；\n]+/;

/** How many header-less rows (a sheet title, a date line) may stand above the header. */
const HEADER_SEARCH = 10;

/**
 * Reads a 问题清单 / 台账 sheet (xlsx or csv) into one opening request per row, or every problem of the
 * file at once: the file, the header, every bad cell of every row. All or nothing: with any problem, no
 * request is returned. Only reading the file is I/O; the checks are the same field checks an opening
 * through the CLI, the form or the API gets (checkFields), so a value means the same wherever it is typed.
 */
export async function readImport(file: string, kind: ItemKind, plan: ResolvedPlan, opts: ImportOptions): Promise<ImportResult> {
  const sniffed = await sniffFile(file, opts.maxBytes ?? DEFAULT_MAX_BYTES);
  if ("refused" in sniffed) {
    const { refused, ...params } = sniffed;
    if (refused === "IMPORT_TOO_LARGE") Object.assign(params, { max: opts.maxBytes ?? DEFAULT_MAX_BYTES });
    return { problems: [{ code: refused, params: params as ImportProblem["params"], file }] };
  }
  const check = new SheetCheck(file, kind, plan, opts);
  const max = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  let read;
  try {
    read = await eachRow(file, sniffed.format, opts.sheet, max, (row, sheet) => check.row(row, sheet));
  } catch (err) {
    if (err instanceof UnpackTooLarge) return { problems: [{ code: "IMPORT_TOO_LARGE", params: { size: err.size, max: max * MAX_UNPACK_RATIO, unpacked: 1 }, file }] };
    return { problems: [{ code: "IMPORT_UNREADABLE", params: { reason: sniffed.format === "xlsx" ? "badXlsx" : "badCsv", detail: String((err as Error).message ?? err).slice(0, 200) }, file }] };
  }
  if (sniffed.format === "xlsx" && read.sheets.length === 0) return { problems: [{ code: "IMPORT_NOT_TABLE", params: { looks: "archive" }, file }] };
  if (!read.found) return { problems: [{ code: "IMPORT_NO_SHEET", params: { sheet: opts.sheet ?? "", sheets: read.sheets }, file }] };
  return check.finish(read.sheet);
}

/** The checks of one sheet, fed a row at a time as the file streams. */
class SheetCheck {
  private readonly units: UnitNames;
  private readonly maxRows: number;
  private readonly names = new Map<string, Column>();
  private readonly known: string[] = [];
  private sheet: string | undefined;
  private columns: (Column | undefined)[] | undefined;
  /** Where each standard column and each field is, once the header is read. */
  private readonly cols: Partial<Record<Standard, number>> = {};
  private readonly fieldCol = new Map<string, number>();
  /** Columns whose header cell holds something (known or not): values under the others are unnamed. */
  private readonly headed = new Set<number>();
  private headerRow = 0;
  private readonly above: SheetRow[] = [];
  private readonly problems: ImportProblem[] = [];
  private readonly requests: OpenRequest[] = [];
  private readonly rows: number[] = [];
  private readonly keys = new Map<string, number>();
  private dataRows = 0;
  private stopped = false;

  constructor(
    private readonly file: string,
    private readonly kind: ItemKind,
    private readonly plan: ResolvedPlan,
    private readonly opts: ImportOptions,
  ) {
    this.units = unitNamesOf(plan);
    this.maxRows = opts.maxRows ?? DEFAULT_MAX_ROWS;
    for (const [role, spellings] of Object.entries(STANDARD_COLUMNS) as [Standard, readonly string[]][]) {
      this.known.push(spellings[0]!);
      for (const s of [...spellings, role]) this.names.set(normalise(s), { role, name: spellings[0]! });
    }
    for (const s of IGNORED) this.names.set(normalise(s), { role: "ignored", name: s });
    // A kind's own field wins over a standard column of the same name: the plan's words come first.
    for (const spec of kind.fields) {
      this.known.push(spec.title);
      this.names.set(normalise(spec.id), { role: "field", spec, name: spec.title });
      this.names.set(normalise(spec.title), { role: "field", spec, name: spec.title });
    }
  }

  private at(code: ImportProblem["code"], params: ImportProblem["params"], col?: number, row?: number): ImportProblem {
    const p: ImportProblem = { code, params, file: this.file };
    if (this.sheet !== undefined) p.sheet = this.sheet;
    if (col !== undefined && row !== undefined) p.cell = `${columnName(col)}${row}`;
    if (row !== undefined) p.row = row;
    return p;
  }

  /** One row as it streams by; false stops the reading. */
  row(r: SheetRow, sheet?: string): boolean {
    if (this.stopped) return false;
    this.sheet = sheet;
    if (this.columns) return this.data(r);
    if (r.cells.every((c) => c === undefined)) return true;
    // The header is the first row naming a known column; rows above it (a sheet's title) are passed over.
    if (r.cells.some((c) => c !== undefined && this.names.has(normalise(text(c))))) {
      this.header(r);
      return true;
    }
    this.above.push(r);
    if (this.above.length >= HEADER_SEARCH) return this.headerless();
    return true;
  }

  /** No row names a known column: the first row is the header, so each of its names is reported. */
  private headerless(): boolean {
    const [first, ...rest] = this.above.splice(0);
    this.header(first!);
    for (const r of rest) if (!this.data(r)) return false;
    return true;
  }

  private header(r: SheetRow): void {
    this.headerRow = r.row;
    const columns: (Column | undefined)[] = [];
    const seen = new Map<string, number>();
    r.cells.forEach((c, i) => {
      if (c === undefined) return;
      this.headed.add(i);
      const header = text(c);
      const col = this.names.get(normalise(header));
      if (!col) {
        const near = nearest(header, this.known);
        this.problems.push(this.at("IMPORT_UNKNOWN_COLUMN", { header, ...(near ? { nearest: near } : {}), known: this.known }, i, r.row));
        return;
      }
      const id = col.role === "field" ? `field:${col.spec.id}` : col.role;
      const first = seen.get(id);
      if (first !== undefined && col.role !== "ignored") {
        this.problems.push(this.at("IMPORT_DUPLICATE_COLUMN", { header, first: columnName(first) }, i, r.row));
        return;
      }
      seen.set(id, i);
      columns[i] = col;
      if (col.role === "field") this.fieldCol.set(col.spec.id, i);
      else if (col.role !== "ignored") this.cols[col.role] = i;
    });
    const has = (id: string) => seen.has(id);
    const missing: string[] = [];
    if (!has("to")) missing.push(STANDARD_COLUMNS.to[0]);
    if (this.dueRules().some((rule) => rule.kind === "given" && !rule.default) && !has("due")) missing.push(STANDARD_COLUMNS.due[0]);
    for (const f of this.kind.fields) if (f.required && !has(`field:${f.id}`)) missing.push(f.title);
    for (const column of missing) this.problems.push(this.at("IMPORT_MISSING_COLUMN", { column }));
    this.columns = columns;
  }

  private dueRules(): DueRule[] {
    return [this.kind.due, ...this.kind.levels.flatMap((l) => (l.due ? [l.due] : []))];
  }

  private data(r: SheetRow): boolean {
    const columns = this.columns!;
    if (r.cells.every((c) => c === undefined)) return true;
    if (++this.dataRows > this.maxRows) {
      this.problems.push(this.at("IMPORT_TOO_MANY_ROWS", { max: this.maxRows }));
      this.stopped = true;
      return false;
    }
    const row = r.row;
    const { cols, fieldCol } = this;
    const found: { col: number; p: ImportProblem }[] = [];
    const bad = (col: number, code: ImportProblem["code"], params: ImportProblem["params"]) => found.push({ col, p: this.at(code, params, col, row) });
    const raw: Record<string, unknown> = {};
    r.cells.forEach((v, i) => {
      if (v === undefined) return;
      const col = columns[i];
      if (col?.role === "field") raw[col.spec.id] = col.spec.type === "date" || col.spec.type === "number" ? v : text(v);
      else if (!this.headed.has(i)) {
        this.headed.add(i);
        this.problems.push(this.at("IMPORT_UNNAMED_COLUMN", { column: columnName(i) }, i, this.headerRow));
      }
    });
    const cell = (role: Standard): CellValue => (cols[role] === undefined ? undefined : r.cells[cols[role]!]);

    // Fields: the one field check, its problems placed at their cells. A required field without a
    // column was said once, at the header.
    const { values, problems } = checkFields(this.kind, raw, this.units.find);
    for (const p of problems) {
      const col = fieldCol.get(p.field);
      if (col !== undefined) bad(col, p.code, p.params);
    }

    const to = this.unitsOf(cell("to"), cols.to, bad);

    let level: string | undefined;
    const levelCell = cell("level");
    if (levelCell !== undefined) {
      const ids = this.kind.levels.map((l) => l.id);
      level = text(levelCell);
      if (!ids.includes(level)) bad(cols.level!, "FIELD_NOT_CHOICE", { field: STANDARD_COLUMNS.level[0], value: level, choices: ids });
    }

    const rule = this.kind.levels.find((l) => l.id === level)?.due ?? this.kind.due;
    let due: number | undefined;
    const dueCell = cell("due");
    if (dueCell !== undefined) {
      if (rule.kind === "offset") bad(cols.due!, "IMPORT_DUE_FIXED", { n: rule.offset.n, unit: rule.offset.unit });
      else {
        const when = parseLocalDateTime(typeof dueCell === "string" || dueCell instanceof Date ? dueCell : String(dueCell));
        if (!when) bad(cols.due!, "FIELD_NOT_DATE", { field: STANDARD_COLUMNS.due[0], value: text(dueCell) });
        else due = localInstant(when.date, when.time ?? this.plan.calendar.dueAt, this.plan.campaign.timezone);
      }
    } else if (rule.kind === "given" && !rule.default && cols.due !== undefined) bad(cols.due, "FIELD_REQUIRED", { field: STANDARD_COLUMNS.due[0] });

    const titleCell = cell("title");
    const title = titleCell !== undefined ? text(titleCell) : this.titleOf(values, cell("id"), row);
    const noteCell = cell("note");
    const note = noteCell === undefined ? undefined : text(noteCell);

    const key = this.keyOf(r, values, bad, () => JSON.stringify([[...to].sort(), title, due ?? null, level ?? null, note ?? null, values]));

    if (found.length > 0) {
      found.sort((a, b) => a.col - b.col);
      for (const f of found) this.problems.push(f.p);
      return true;
    }
    if (this.problems.length > 0) return true;
    const req: OpenRequest = { kind: this.kind.id, to, title, fields: values, key, actor: this.opts.actor };
    if (due !== undefined) req.due = due;
    if (level !== undefined) req.level = level;
    if (note !== undefined) req.note = note;
    this.requests.push(req);
    this.rows.push(row);
    return true;
  }

  private unitsOf(v: CellValue, col: number | undefined, bad: (col: number, code: ImportProblem["code"], params: ImportProblem["params"]) => void): UnitId[] {
    if (col === undefined) return [];
    const field = STANDARD_COLUMNS.to[0];
    if (v === undefined) {
      bad(col, "FIELD_REQUIRED", { field });
      return [];
    }
    const to: UnitId[] = [];
    const unknown: string[] = [];
    for (const name of text(v).split(UNIT_SEPARATORS).map((s) => s.trim()).filter(Boolean)) {
      const id = this.units.find(name);
      if (id) {
        if (!to.includes(id)) to.push(id);
        continue;
      }
      const could = this.units.ambiguous(name);
      if (could) bad(col, "IMPORT_AMBIGUOUS_UNIT", { value: name, units: could.map((u) => this.plan.units.get(u)?.name ?? u) });
      else unknown.push(name);
    }
    if (unknown.length > 0) {
      const near = unknown.length === 1 ? nearest(unknown[0]!, this.units.names()) : undefined;
      bad(col, "IMPORT_UNKNOWN_UNIT", { field, value: unknown.join("、"), ...(near ? { nearest: near } : {}) });
    }
    const max = this.kind.joint?.maxUnits ?? 1;
    if (to.length > max) bad(col, "IMPORT_TOO_MANY_UNITS", { count: to.length, max });
    return to;
  }

  /**
   * A row's identity across imports: its 编号 when the sheet has that column, else the kind's key fields,
   * else the whole row's content (so importing the same file twice still opens nothing new).
   */
  private keyOf(r: SheetRow, values: Record<string, FieldValue>, bad: (col: number, code: ImportProblem["code"], params: ImportProblem["params"]) => void, content: () => string): string | undefined {
    const { cols, fieldCol } = this;
    let key: string;
    let col: number;
    let by: "id" | "fields" | "content";
    if (cols.id !== undefined) {
      const v = r.cells[cols.id];
      if (v === undefined) {
        bad(cols.id, "FIELD_REQUIRED", { field: STANDARD_COLUMNS.id[0] });
        return undefined;
      }
      [key, col, by] = [text(v), cols.id, "id"];
    } else if (this.kind.key.length > 0) {
      const parts = this.kind.key.map((id) => values[id]);
      // A key field left empty or wrong is reported as that field's problem.
      if (parts.some((p) => p === undefined)) return undefined;
      [key, col, by] = [parts.length === 1 ? String(parts[0]) : JSON.stringify(parts), fieldCol.get(this.kind.key[0]!) ?? 0, "fields"];
    } else {
      // Not the 序号 or the cells as written: the row's meaning, so a renumbered copy of the file matches.
      [key, col, by] = [`row:${createHash("sha256").update(content()).digest("hex").slice(0, 24)}`, r.cells.findIndex((c) => c !== undefined), "content"];
    }
    const first = this.keys.get(key);
    if (first !== undefined) {
      const fields = by === "id" ? [STANDARD_COLUMNS.id[0]] : by === "fields" ? this.kind.key.map((id) => this.kind.fields.find((f) => f.id === id)?.title ?? id) : [];
      bad(col, "IMPORT_DUPLICATE_KEY", { first, by, fields, key: by === "content" ? "" : key });
    } else this.keys.set(key, r.row);
    return key;
  }

  /** A row without 标题: the kind's title and what identifies the row (its key fields, its 编号, its first text). */
  private titleOf(values: Record<string, FieldValue>, id: CellValue, row: number): string {
    const keyed = this.kind.key.map((k) => values[k]).filter((v): v is string | number => typeof v === "string" || typeof v === "number");
    if (keyed.length > 0) return `${this.kind.title}：${keyed.join("，")}`;
    if (id !== undefined) return `${this.kind.title}：${text(id)}`;
    const first = this.kind.fields.find((f) => (f.type === "text" || f.type === "longText") && typeof values[f.id] === "string" && values[f.id] !== "");
    if (first) {
      const s = [...(values[first.id] as string)];
      return `${this.kind.title}：${s.length > 40 ? `${s.slice(0, 40).join("")}…` : s.join("")}`;
    }
    return `${this.kind.title}（第 ${row} 行）`;
  }

  finish(sheet: string | undefined): ImportResult {
    this.sheet = sheet;
    if (!this.columns && this.above.length > 0) this.headerless();
    if (!this.columns) return { problems: [this.at("IMPORT_EMPTY", {})] };
    if (this.dataRows === 0) this.problems.push(this.at("IMPORT_NO_ROWS", {}));
    if (this.problems.length > 0) return { problems: this.problems };
    return { requests: this.requests, rows: this.rows, ...(sheet !== undefined ? { sheet } : {}) };
  }
}

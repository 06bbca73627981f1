import type { FieldSpec, ItemKind } from "./kind.ts";
import type { Problem } from "./problem.ts";
import type { UnitId } from "./ids.ts";

export interface AttachmentRef {
  name: string;
  sha256: string;
  size: number;
}

/** A filled-in field: text, choice, unit id and date (YYYY-MM-DD) as strings; numbers; attachments. */
export type FieldValue = string | number | AttachmentRef[];

export type FieldProblemCode = "FIELD_REQUIRED" | "FIELD_UNKNOWN" | "FIELD_NOT_DATE" | "FIELD_NOT_NUMBER" | "FIELD_NOT_CHOICE" | "FIELD_NOT_UNIT" | "FIELD_TOO_LONG" | "ATTACHMENT_TOO_LARGE" | "FIELD_NOT_ATTACHMENT";
export type FieldProblem = Problem<FieldProblemCode> & { field: string };

/** Finds a unit by id, full name or short name (what a sheet's cell or a form holds). */
export type UnitLookup = (text: string) => UnitId | undefined;

const DATE = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/;

function isoDate(y: number, m: number, d: number): string | undefined {
  const t = new Date(Date.UTC(y, m - 1, d));
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== m - 1 || t.getUTCDate() !== d) return undefined;
  return `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
}

const DATE_TIME = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]+(\d{1,2})[:：时点](\d{2})(?:[:：分](\d{2})秒?)?分?)?$/;

/**
 * A local date, or a date and a wall-clock time, as a person writes one (`2021-06-15`, `2021/6/15 18:00`,
 * `2021年6月15日`) or a sheet holds one (a Date whose UTC fields are the wall-clock time shown, which is
 * how exceljs reads a date cell). Undefined when it is neither. `time` is `HH:mm`, absent for a bare date
 * (a cell at midnight counts as a bare date: that is how Excel stores a date without a time).
 */
export function parseLocalDateTime(raw: unknown): { date: string; time?: string } | undefined {
  if (raw instanceof Date) {
    if (Number.isNaN(raw.getTime())) return undefined;
    const date = isoDate(raw.getUTCFullYear(), raw.getUTCMonth() + 1, raw.getUTCDate())!;
    const h = raw.getUTCHours();
    const m = raw.getUTCMinutes();
    return h === 0 && m === 0 ? { date } : { date, time: `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}` };
  }
  if (typeof raw !== "string") return undefined;
  const m = DATE_TIME.exec(raw.trim());
  const date = m && isoDate(Number(m[1]), Number(m[2]), Number(m[3]));
  if (!date) return undefined;
  if (m[4] === undefined) return { date };
  const h = Number(m[4]);
  const min = Number(m[5]);
  if (h > 23 || min > 59 || Number(m[6] ?? 0) > 59) return undefined;
  return { date, time: `${String(h).padStart(2, "0")}:${String(min).padStart(2, "0")}` };
}

/**
 * One field's value from what a person gave: a string from a command line, a form or a CSV cell, or a
 * native value from JSON or a sheet (a number, a Date for a date cell). Returns the problem instead
 * when the value does not fit the field's type.
 */
export function parseFieldValue(spec: FieldSpec, raw: unknown, units: UnitLookup, maxAttachmentBytes: number): FieldValue | FieldProblem {
  const bad = (code: FieldProblemCode, extra: Record<string, string | number | readonly string[]> = {}): FieldProblem => ({ code, field: spec.id, params: { field: spec.title, value: show(raw), ...extra } });
  switch (spec.type) {
    case "text":
    case "longText": {
      // A sheet may hold a date in a text column (a 问题编号 Excel took for a date): keep what it shows.
      const when = raw instanceof Date ? parseLocalDateTime(raw) : undefined;
      const s = when ? `${when.date}${when.time ? ` ${when.time}` : ""}` : String(raw).trim();
      if (spec.maxLength !== undefined && [...s].length > spec.maxLength) return bad("FIELD_TOO_LONG", { max: spec.maxLength });
      return s;
    }
    case "number": {
      const n = typeof raw === "number" ? raw : Number(String(raw).trim().replace(/,/g, ""));
      return Number.isFinite(n) && String(raw).trim() !== "" ? n : bad("FIELD_NOT_NUMBER");
    }
    case "date": {
      // A sheet's date cell arrives as a Date at midnight UTC of the day it shows.
      if (raw instanceof Date && !Number.isNaN(raw.getTime())) return isoDate(raw.getUTCFullYear(), raw.getUTCMonth() + 1, raw.getUTCDate())!;
      const m = DATE.exec(String(raw).trim());
      const d = m && isoDate(Number(m[1]), Number(m[2]), Number(m[3]));
      return d ?? bad("FIELD_NOT_DATE");
    }
    case "choice": {
      const s = String(raw).trim();
      return spec.choices?.includes(s) ? s : bad("FIELD_NOT_CHOICE", { choices: spec.choices ?? [] });
    }
    case "unit": {
      const id = units(String(raw).trim());
      return id ?? bad("FIELD_NOT_UNIT");
    }
    case "attachment": {
      const list = Array.isArray(raw) ? raw : [raw];
      const refs: AttachmentRef[] = [];
      for (const r of list) {
        const a = r as Partial<AttachmentRef>;
        if (typeof a !== "object" || a === null || typeof a.name !== "string" || typeof a.sha256 !== "string" || typeof a.size !== "number") return bad("FIELD_NOT_ATTACHMENT");
        if (a.size > maxAttachmentBytes) return { code: "ATTACHMENT_TOO_LARGE", field: spec.id, params: { field: spec.title, value: a.name, size: a.size, max: maxAttachmentBytes } };
        refs.push({ name: a.name, sha256: a.sha256, size: a.size });
      }
      return refs;
    }
  }
}

function show(raw: unknown): string {
  if (raw instanceof Date) return raw.toISOString();
  if (typeof raw === "object" && raw !== null) return JSON.stringify(raw).slice(0, 80);
  return String(raw).slice(0, 80);
}

function isEmpty(raw: unknown): boolean {
  return raw === undefined || raw === null || (typeof raw === "string" && raw.trim() === "") || (Array.isArray(raw) && raw.length === 0);
}

/**
 * Every field of an opening checked against its kind, all problems at once: unknown fields, required
 * ones left empty, values of the wrong type. Fields are named by id or by title (a sheet's header).
 */
export function checkFields(kind: ItemKind, raw: Readonly<Record<string, unknown>>, units: UnitLookup): { values: Record<string, FieldValue>; problems: FieldProblem[] } {
  const values: Record<string, FieldValue> = {};
  const problems: FieldProblem[] = [];
  const byName = new Map<string, FieldSpec>();
  for (const f of kind.fields) byName.set(f.id, f).set(f.title, f);
  const given = new Map<string, unknown>();
  for (const [k, v] of Object.entries(raw)) {
    const spec = byName.get(k);
    if (!spec) {
      problems.push({ code: "FIELD_UNKNOWN", field: k, params: { field: k, known: kind.fields.map((f) => `${f.id}（${f.title}）`) } });
      continue;
    }
    given.set(spec.id, v);
  }
  for (const spec of kind.fields) {
    const v = given.get(spec.id);
    if (isEmpty(v)) {
      if (spec.required) problems.push({ code: "FIELD_REQUIRED", field: spec.id, params: { field: spec.title } });
      continue;
    }
    const parsed = parseFieldValue(spec, v, units, kind.maxAttachmentBytes);
    if (typeof parsed === "object" && !Array.isArray(parsed)) problems.push(parsed);
    else values[spec.id] = parsed;
  }
  return { values, problems };
}

import type { IsoDate } from "../engine/calendar.ts";

export type TimeAnchor =
  | { kind: "date"; date: IsoDate }
  | { kind: "phase-start" | "phase-end"; phase: string }
  | { kind: "due"; deliverable: string }
  | { kind: "campaign-start" | "campaign-end" };

/** A date written in the plan: an anchor, optionally moved by N working days (wd) or calendar days (d). */
export interface TimeExpr {
  anchor: TimeAnchor;
  offset: number;
  unit: "wd" | "d";
}

export type ParseResult = { ok: true; expr: TimeExpr } | { ok: false; message: string };

const EXPR = /^\s*([a-z:0-9_-]+?|\d{4}-\d{2}-\d{2})\s*(?:([+-])\s*(\d+)\s*(wd|d))?\s*$/;

export const TIME_EXPR_HELP =
  "请写日期（如 2021-05-20），或 start:阶段id、end:阶段id、due:报送事项id、campaign:start、campaign:end，后面可加“+ 5wd”（工作日）或“- 3d”（自然日）";

export function parseTimeExpr(text: string): ParseResult {
  const m = EXPR.exec(text);
  if (!m) return { ok: false, message: `“${text}”不是有效的日期表达式；${TIME_EXPR_HELP}` };
  const [, head, sign, n, unit] = m;
  const offset = n === undefined ? 0 : (sign === "-" ? -1 : 1) * Number(n);
  const anchor = parseAnchor(head!);
  if (!anchor) return { ok: false, message: `“${head}”既不是日期，也不是可引用的时间点；${TIME_EXPR_HELP}` };
  return { ok: true, expr: { anchor, offset, unit: (unit as "wd" | "d" | undefined) ?? "d" } };
}

function parseAnchor(head: string): TimeAnchor | undefined {
  if (/^\d{4}-\d{2}-\d{2}$/.test(head)) return { kind: "date", date: head };
  const [kind, ref] = head.split(":", 2);
  if (!ref) return undefined;
  if (kind === "start") return { kind: "phase-start", phase: ref };
  if (kind === "end") return { kind: "phase-end", phase: ref };
  if (kind === "due") return { kind: "due", deliverable: ref };
  if (kind === "campaign" && ref === "start") return { kind: "campaign-start" };
  if (kind === "campaign" && ref === "end") return { kind: "campaign-end" };
  return undefined;
}

/** Offsets of ladder steps: "-3wd", "0wd", "+1wd", "-4h". The schema has already checked the form. */
export function parseOffset(text: string): { offset: number; unit: "wd" | "h" } {
  const m = /^([+-]?\d+)(wd|h)$/.exec(text)!;
  return { offset: Number(m[1]), unit: m[2] as "wd" | "h" };
}

/** A kind's deadline counted from an opening: "+5wd", "3d", "+24h". The schema has already checked the form. */
export function parseKindOffset(text: string): { n: number; unit: "wd" | "d" | "h" } {
  const m = /^\+?(\d+)(wd|d|h)$/.exec(text)!;
  return { n: Number(m[1]), unit: m[2] as "wd" | "d" | "h" };
}

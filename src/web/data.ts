import { withRollups, type SubPlan } from "../campaign/subplans.ts";
import { isOutstanding } from "../model/states.ts";
import { actingUnits, authorize } from "../engine/authorize.ts";
import { owingUnits } from "../model/item.ts";
import { parseInstant, type EpochMs } from "../engine/calendar.ts";
import type { Deferral, UnitAction } from "../engine/types.ts";
import type { BoardRow } from "../campaign/board.ts";
import type { Assignment, ResolvedPlan } from "../plan/types.ts";
import type { StoredEvent } from "../store/types.ts";
import type { Viewer, WebDeps } from "./context.ts";
import { lightRows, parseLight, type LightColour, type LightMark, type LitRow } from "../publish/light.ts";
import { marksAt } from "../publish/light-marks.ts";
import { memoOn } from "./row-memo.ts";

export const VERBS = ["acknowledge", "submit", "accept", "return", "extend", "waive", "withdraw", "recall"] as const;
export type Verb = (typeof VERBS)[number];

/**
 * Items a user may see: all for the office and auditors; for a unit, those it owes (any member of a
 * joint item), receives or leads (an opened item's lead is the unit that opened it).
 */
export function canSee(plan: ResolvedPlan, v: Viewer, a: Assignment): boolean {
  if (v.user.role !== "unit") return true;
  const units = actingUnits(plan, v.actor!);
  return owingUnits(a).some((u) => units.has(u)) || units.has(a.to) || units.has(a.lead);
}

/** Whether a user may open a unit's page: their own unit (or the unit a person belongs to), or everything. */
export function canSeeUnit(plan: ResolvedPlan, v: Viewer, unit: string): boolean {
  return v.user.role !== "unit" || actingUnits(plan, v.actor!).has(unit);
}

/**
 * The actions the plan's rules allow this user on this item now, by asking authorize() itself:
 * the forms shown are exactly the actions the engine would take.
 */
export function allowedVerbs(plan: ResolvedPlan, v: Viewer, a: Assignment, state: BoardRow["state"], acknowledged = false): Verb[] {
  if (!v.actor) return [];
  return VERBS.filter((type) => !authorize(plan, a, { type, assignment: a.id, actor: v.actor!, until: 0 } as Exclude<UnitAction, { type: "open" }>, state, acknowledged));
}

/** Whether a row waits for its 签收 (a kind that asks for one, not yet acknowledged). */
export function acknowledgedOf(r: Pick<BoardRow, "acknowledgedAt">): boolean {
  return r.acknowledgedAt !== null;
}

export interface BoardFilter {
  phase?: string;
  task?: string;
  unit?: string;
  overdue?: boolean;
  /** Only items with this light (`?light=red`). */
  light?: LightColour;
  /** Only opened items of this kind (`?kind=dubandan`), or only the plan's own (`?kind=plan`). */
  kind?: string;
  /** Only items at this ladder level or above (`?level=2`: 二级督办 and 三级督办). */
  level?: number;
  /** Only units whose id, name or short name contains this text (`?q=渝中`): the unit search box. */
  q?: string;
  /** Only units of this plan group (`?group=p01-counties`): a summary line's drill-down. */
  group?: string;
  /** Only items of this deliverable or task (`?deliverable=monthly-report`), every instance. */
  deliverable?: string;
  /** The matrix's and the ranking's order: `level` puts the units at the highest ladder level first. */
  sort?: BoardSort;
}

export const BOARD_SORTS = ["plan", "level", "overdue", "rate"] as const;
export type BoardSort = (typeof BOARD_SORTS)[number];

/** The `kind` filter's value for the plan's own items. */
export const PLANNED_KIND = "plan";

export function isOverdue(r: Pick<BoardRow, "late" | "state">): boolean {
  return r.late && isOutstanding(r.state);
}

/** The board's filter from a query string, the same for the page (a checkbox sends "on") and the API. */
export function boardFilter(query: (name: string) => string | undefined): BoardFilter {
  const overdue = query("overdue");
  return {
    ...(query("phase") ? { phase: query("phase")! } : {}),
    ...(query("task") ? { task: query("task")! } : {}),
    ...(query("unit") ? { unit: query("unit")! } : {}),
    ...(overdue && overdue !== "0" && overdue !== "false" ? { overdue: true } : {}),
    // An unknown colour filters nothing rather than everything: the page shows the whole board.
    ...(parseLight(query("light") ?? "") ? { light: parseLight(query("light")!)! } : {}),
    ...(query("kind") ? { kind: query("kind")! } : {}),
    ...(query("group") ? { group: query("group")! } : {}),
    ...(query("deliverable") ? { deliverable: query("deliverable")! } : {}),
    ...(/^[1-9]$/.test(query("level") ?? "") ? { level: Number(query("level")) } : {}),
    ...(query("q")?.trim() ? { q: query("q")!.trim().slice(0, 50) } : {}),
    ...((BOARD_SORTS as readonly string[]).includes(query("sort") ?? "") ? { sort: query("sort") as BoardSort } : {}),
  };
}

/** The units whose id, full name or short name contains `text` (case-insensitive for Latin letters). */
export function unitsMatching(plan: ResolvedPlan, text: string): Set<string> {
  const t = text.toLowerCase();
  const out = new Set<string>();
  for (const u of plan.units.values()) if ([u.id, u.name, u.short ?? ""].some((x) => x.toLowerCase().includes(t))) out.add(u.id);
  return out;
}

export function filterRows(plan: ResolvedPlan, rows: LitRow[], f: BoardFilter): LitRow[] {
  // No filter: the rows themselves, so what is memoised on them (row-memo.ts) serves the whole board too.
  if (Object.keys(f).every((k) => k === "sort")) return rows;
  return memoOn(rows, `filter:${JSON.stringify(f)}`, () => filterRowsNow(plan, rows, f));
}

function filterRowsNow(plan: ResolvedPlan, rows: LitRow[], f: BoardFilter): LitRow[] {
  const found = f.q ? unitsMatching(plan, f.q) : undefined;
  const group = f.group !== undefined ? new Set(plan.groups.get(f.group)?.members ?? []) : undefined;
  return rows.filter(
    (r) =>
      (!found || (r.members ?? [r.unit]).some((u) => found.has(u))) &&
      (!group || (r.members ?? [r.unit]).some((u) => group.has(u))) &&
      (!f.deliverable || r.deliverable === f.deliverable || r.task === f.deliverable) &&
      (!f.level || (isOverdue(r) && r.level >= f.level)) &&
      (!f.phase || r.phase === f.phase) &&
      (!f.task || r.task === f.task) &&
      (!f.unit || r.unit === f.unit || (r.members?.includes(f.unit) ?? false)) &&
      (!f.overdue || isOverdue(r)) &&
      (!f.light || r.light.colour === f.light) &&
      (!f.kind || (f.kind === PLANNED_KIND ? r.kind === undefined : r.kind === f.kind)),
  );
}

/** The board the user may see, at the campaign clock, each row with its light (the office's marks in force now). */
export async function visibleBoard(deps: WebDeps, v: Viewer): Promise<{ now: EpochMs; rows: LitRow[]; subPlans: SubPlan[] }> {
  const c = deps.campaign;
  await c.refresh();
  const now = Math.max(deps.now(), c.plan.campaign.startAt);
  const lit = litBoard(c.board(now), await marksAt(c, now), now, c.plan.campaign.timezone);
  // The office and auditors see every item: no per-row check (nor item lookup) on a national board.
  const rows = v.user.role === "unit" ? lit.filter((r) => canSee(c.plan, v, c.item(r.id)!)) : lit;
  // A unit sees the sub-plans written for its own items; the office and auditors see every one.
  const all = (await deps.subPlans?.all(now)) ?? [];
  const ids = v.user.role === "unit" ? new Set(rows.map((r) => r.id)) : undefined;
  const subPlans = ids ? all.filter((s) => (s.item !== undefined ? ids.has(s.item) : s.unit === v.user.unit)) : all;
  return { now, rows: subPlans.length ? withRollups(rows, subPlans) : rows, subPlans };
}

/** The last board lit, per board: the same rows and the same marks light the same (see Campaign.board's window). */
const litCache = new WeakMap<BoardRow[], { marks: ReadonlyMap<string, LightMark>; rows: LitRow[] }>();

function sameMarks(a: ReadonlyMap<string, LightMark>, b: ReadonlyMap<string, LightMark>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, m] of a) if (b.get(k) !== m) return false;
  return true;
}

function litBoard(board: BoardRow[], marks: ReadonlyMap<string, LightMark>, now: EpochMs, zone: string): LitRow[] {
  const hit = litCache.get(board);
  if (hit && sameMarks(hit.marks, marks)) return hit.rows;
  const rows = lightRows(board, marks, now, zone);
  litCache.set(board, { marks, rows });
  return rows;
}

/** Working days from today to the due date (negative once past), as a district counts them. */
export function workingDaysLeft(deps: WebDeps, now: EpochMs, due: string): number {
  const cal = deps.campaign.calendar;
  return cal.workingDaysBetween(cal.dateOf(now), cal.dateOf(parseInstant(due, deps.campaign.plan.campaign.timezone)));
}

/** The latest comment the receiving side left when returning an item. */
export function lastReturn(history: StoredEvent[]): { at: string; note?: string; by: StoredEvent["actor"] } | undefined {
  const e = [...history].reverse().find((x) => x.type === "returned");
  if (!e) return undefined;
  const note = (e.payload as { note?: string }).note;
  return { at: e.at, by: e.actor, ...(note ? { note } : {}) };
}

export interface ReminderTold {
  at: string;
  step: number;
  level: number;
  recipient: string;
  status: "sent" | "failed" | "retrying" | "pending";
  channels: string[];
  deliveredAt?: string;
  /** Why it went out later than its step says (a {@link Deferral} code). */
  deferred?: Deferral;
  /** Why it went out when not for the deadline (`unacknowledged`: nobody acknowledged the item in time). */
  reason?: string;
}

/**
 * Who was told about an item, when and how: each `reminded` event names its recipients; the message
 * to each went out under the outbox key `campaign/recipient/slot`, whose delivery the log records.
 */
export async function remindersTold(deps: WebDeps, history: StoredEvent[]): Promise<ReminderTold[]> {
  const { plan, store } = deps.campaign;
  await deps.deliveries.catchUp(store);
  const zone = plan.campaign.timezone;
  const out: ReminderTold[] = [];
  for (const e of history) {
    if (e.type !== "reminded") continue;
    const p = e.payload as { step: number; level: number; recipients: string[]; deferred?: Deferral; reason?: string };
    for (const r of p.recipients) {
      const d = deps.deliveries.forReminder(r, parseInstant(e.at, zone));
      out.push({ at: e.at, step: p.step, level: p.level, recipient: r, status: d?.status ?? "pending", channels: d?.channels ?? [], ...(d ? { deliveredAt: d.at } : {}), ...(p.deferred ? { deferred: p.deferred } : {}), ...(p.reason ? { reason: p.reason } : {}) });
    }
  }
  return out;
}


/** The files an event names: a submission's attachments, or the attachment fields an opening filled in. */
export function namedFiles(e: StoredEvent): { sha256: string; name: string; size: number }[] {
  if (e.type === "submitted") return (e.payload as { attachments?: { sha256: string; name: string; size: number }[] }).attachments ?? [];
  if (e.type === "itemOpened") {
    const fields = (e.payload as { item?: { opened?: { fields?: Record<string, unknown> } } }).item?.opened?.fields ?? {};
    return Object.values(fields).filter(Array.isArray).flat() as { sha256: string; name: string; size: number }[];
  }
  return [];
}

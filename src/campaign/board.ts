import type { ChildRollup } from "./rollup.ts";
import type { ProgressState, LatenessState } from "../engine/assignment-machine.ts";
import { formatInstant, type EpochMs, type WorkCalendar } from "../engine/calendar.ts";
import type { AssignmentView } from "../engine/engine.ts";
import type { ResolvedPlan } from "../plan/types.ts";
import { phaseOf } from "../plan/phase-of.ts";
import { isOutstanding } from "../model/states.ts";

/** One line of the board: a unit owing one item. */
export interface BoardRow {
  id: string;
  unit: string;
  title: string;
  deliverable?: string;
  task?: string;
  /** The phase the plan names, else the one the due date falls in. */
  phase?: string;
  state: ProgressState;
  lateness: LatenessState;
  /** Overdue and not handed in, or handed in late. */
  late: boolean;
  level: number;
  /** null: the item has no deadline (a task tracked without a hand-in); it is never late. */
  due: string | null;
  /** Why the due date is an assumption (the plan's `assumed:`), when it is one. */
  dueAssumed?: string;
  /** Working days past due (not yet handed in: up to now; handed in: at submission). 0 when not late. */
  daysLate: number;
  submittedAt?: string;
  returns: number;
  extensions: number;
  /** An item opened at run time: its kind's id (absent for the plan's own items). */
  kind?: string;
  /** A joint item's owing units, the lead first. */
  members?: string[];
  /** The urgency the opener picked (一般/紧急/特急). */
  urgency?: string;
  openedBy?: string;
  openedAt?: string;
  /** 签收: when it was acknowledged, or null when it is still waiting for it (absent: not asked). */
  acknowledgedAt?: string | null;
  /** 一事一报: interim reports so far. */
  reports?: number;
  /** When the office last urged the unit about it (催办). */
  urgedAt?: string;
  /** The sub-plans written for this item in the same store (a parent's board; see src/campaign/subplans.ts). */
  subPlans?: ChildRollup[];
}


/** Still owed and past its due instant at `now`: the board row's `late` for an item not handed in. */
function lateNowOf(v: AssignmentView, now: EpochMs): boolean {
  return isOutstanding(v.progress) && v.context.dueAt !== null && now > v.context.dueAt;
}

/**
 * The rows `status --overdue` lists (late and still owed), told from the views alone: a board of a few
 * overdue rows does not build the presentation of every other row.
 */
export function isOverdueView(v: AssignmentView, now: EpochMs): boolean {
  return isOutstanding(v.progress) && (lateNowOf(v, now) || v.context.late);
}

export function boardRows(plan: ResolvedPlan, calendar: WorkCalendar, views: AssignmentView[], now: EpochMs): BoardRow[] {
  const zone = plan.campaign.timezone;
  const rows = new Array<BoardRow>(views.length);
  for (let k = 0; k < views.length; k++) rows[k] = boardRow(plan, calendar, zone, views[k]!, now);
  return rows;
}

/**
 * One row, its optional fields set only when present and always in the same order (the order JSON
 * output and the pages show). Built field by field, not from spread literals: a national board is a few
 * hundred thousand rows, and each spread made and copied an object of its own (most of an as-of replay's
 * board time, and of every published view built on the rows).
 */
function boardRow(plan: ResolvedPlan, calendar: WorkCalendar, zone: string, v: AssignmentView, now: EpochMs): BoardRow {
  const c = v.context;
  const owed = isOutstanding(v.progress);
  const dueAt = c.dueAt;
  const lateNow = lateNowOf(v, now);
  const until = owed ? now : (c.submittedAt ?? now);
  const daysLate = dueAt !== null && (lateNow || c.late) ? Math.max(0, calendar.workingDaysBetween(calendar.dateOf(dueAt), calendar.dateOf(until))) : 0;
  const a = v.assignment;
  const phase = phaseOf(plan, a);
  const row = { id: a.id, unit: a.unit, title: a.title } as BoardRow;
  if (a.deliverable) row.deliverable = a.deliverable;
  if (a.task) row.task = a.task;
  if (phase) row.phase = phase;
  row.state = v.progress;
  row.lateness = v.lateness;
  row.late = lateNow || c.late;
  row.level = c.level;
  row.due = dueAt === null ? null : formatInstant(dueAt, zone);
  if (a.dueAssumed !== undefined) row.dueAssumed = a.dueAssumed;
  row.daysLate = daysLate;
  if (c.submittedAt !== null) row.submittedAt = formatInstant(c.submittedAt, zone);
  row.returns = c.returns;
  row.extensions = c.extensions;
  if (c.urgedAt !== undefined) row.urgedAt = formatInstant(c.urgedAt, zone);
  const o = a.opened;
  if (o) {
    row.kind = o.kind;
    // Set even when undefined, as the row always carried the key.
    row.urgency = o.level;
    row.openedBy = o.openedBy;
    row.openedAt = formatInstant(a.opensAt, zone);
    if (a.members) row.members = a.members;
    if (a.ackDueAt !== undefined) row.acknowledgedAt = c.acknowledgedAt ? formatInstant(c.acknowledgedAt, zone) : null;
    if (o.followUpEveryWorkingDays !== undefined) row.reports = c.reports ?? 0;
  }
  return row;
}

/**
 * The instants a board built at `from` stays right for: a row changes with the clock only when an item
 * still owed passes its due instant (late, and its light turns red) or the day changes (working days late).
 */
export interface BoardWindow {
  from: EpochMs;
  /** The earliest due instant at or after `from` of an item still owed (Infinity when none). */
  until: EpochMs;
  date: string;
}

export function boardWindow(views: AssignmentView[], calendar: WorkCalendar, from: EpochMs): BoardWindow {
  let until = Infinity;
  for (const v of views) {
    const d = v.context.dueAt;
    if (d !== null && d >= from && d < until && isOutstanding(v.progress)) until = d;
  }
  return { from, until, date: calendar.dateOf(from) };
}

export function boardStillValid(w: BoardWindow, calendar: WorkCalendar, at: EpochMs): boolean {
  return at >= w.from && at <= w.until && calendar.dateOf(at) === w.date;
}

import type { SubPlanProgress } from "../engine/types.ts";
import { isClosed, isOutstanding } from "../model/states.ts";
import type { BoardRow } from "./board.ts";

/** A sub-plan's progress as its parent's board shows it on the parent item's row. */
export interface ChildRollup {
  campaign: string;
  title: string;
  /** Items to hand in: the sub-plan's items with a deadline, less the withdrawn ones. */
  total: number;
  /** Of those, accepted or waived: nothing more is owed. */
  done: number;
  /** Handed in, waiting for review. */
  handedIn: number;
  /** Past due and not handed in. */
  overdue: number;
  /** When someone last did something in the sub-plan (ISO 8601), or undefined when nobody has yet. */
  lastActivity?: string;
  /** Every item done (and at least one to do): what `requiresSubPlan` waits for. */
  complete: boolean;
}

/** One entry of the sub-plan's log, as much of it as the roll-up reads. */
export interface ActivityEvent {
  at: string;
  actor: { kind: string };
}

/**
 * The roll-up of a sub-plan from its board rows (boardRows at the same instant) and, when given, its log:
 * last activity is the last event a person caused (the engine's reminders and deadlines are not activity);
 * without the log, the last hand-in or opening on the board. A tracked task with no deadline is never
 * handed in, so it neither counts nor keeps the sub-plan from completing; a withdrawn item is not owed.
 */
export function rollupChild(child: { campaign: string; title: string }, rows: readonly BoardRow[], activity?: Iterable<ActivityEvent>): ChildRollup {
  let total = 0;
  let done = 0;
  let handedIn = 0;
  let overdue = 0;
  for (const r of rows) {
    if (r.due === null || r.state === "withdrawn") continue;
    total++;
    if (isClosed(r.state)) done++;
    else if (r.state === "submitted") handedIn++;
    if (isOutstanding(r.state) && r.late) overdue++;
  }
  const last = latest(activity ? [...activity].filter((e) => e.actor.kind !== "engine").map((e) => e.at) : rows.flatMap((r) => [r.submittedAt, r.openedAt].filter((x): x is string => x !== undefined)));
  return { campaign: child.campaign, title: child.title, total, done, handedIn, overdue, ...(last ? { lastActivity: last } : {}), complete: total > 0 && done === total };
}

/** What a submit of the parent item carries for authorize: each sub-plan's done and total. */
export function subPlanProgress(rollups: readonly ChildRollup[]): SubPlanProgress[] {
  return rollups.map((r) => ({ campaign: r.campaign, title: r.title, done: r.done, total: r.total }));
}

/** The latest of ISO 8601 instants written with any offset. */
function latest(instants: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestMs = -Infinity;
  for (const t of instants) {
    const ms = Date.parse(t);
    if (ms > bestMs) {
      bestMs = ms;
      best = t;
    }
  }
  return best;
}

import { boardRows, type BoardRow } from "../campaign/board.ts";
import type { CampaignViews } from "../campaign/campaign.ts";
import type { EpochMs } from "../engine/calendar.ts";
import type { Assignment } from "../plan/types.ts";
import { lightOf, type Light, type LightMark } from "./light.ts";

/**
 * How an item stands at an instant, as every published view counts it. The five outcomes partition the
 * items: each is in exactly one, so a table's columns always add up to its "assigned".
 * - `onTime`: handed in (submitted or accepted) and never after its due instant;
 * - `late`: handed in after its due instant (the engine's `late` mark: it stays once set);
 * - `overdue`: still owed (not open yet, open, or returned for rework) and past its due instant;
 * - `waived`: the office waived it;
 * - `pending`: still owed and not yet due.
 */
export type Outcome = "onTime" | "late" | "overdue" | "waived" | "pending";

export const OUTCOMES: readonly Outcome[] = ["onTime", "late", "overdue", "waived", "pending"];

/** One item as the published views see it: its place in the plan, its outcome and its trail's figures. */
export interface ItemRecord {
  assignment: Assignment;
  row: BoardRow;
  outcome: Outcome;
  /** The due instant in force (an extension moves it). */
  /** null: an item without a deadline (a task the plan asks no hand-in for); never overdue. */
  dueAt: EpochMs | null;
  submittedAt: EpochMs | null;
  /** Working days past due on the plan's calendar: up to the hand-in (late) or up to the instant (overdue); else 0. */
  daysLate: number;
  returns: number;
  extensions: number;
  /** Its 三色 light at the instant, with the office's marks in force then. */
  light: Light;
}

/** The figures a view needs of the campaign at one instant. */
export interface PublishedState extends CampaignViews {
  asOf: EpochMs;
  items: ItemRecord[];
}

/**
 * Every item's record at `asOf`, from views taken at that instant (live, or folded from the log). Only items
 * with a deadline are published: a task the plan tracks without one (no `due:`) is never on time or late, so
 * it would only distort the rates, the scores and the 通报; it stays on the board.
 */
export function itemsAt(state: CampaignViews, asOf: EpochMs, marks: ReadonlyMap<string, LightMark> = new Map()): PublishedState {
  const dated = state.views.filter((v) => v.context.dueAt !== null);
  const rows = boardRows(state.plan, state.calendar, dated, asOf);
  const items = new Array<ItemRecord>(dated.length);
  for (let i = 0; i < dated.length; i++) {
    const v = dated[i]!;
    const row = rows[i]!;
    const c = v.context;
    items[i] = {
      assignment: v.assignment,
      row,
      outcome: outcomeOf(row.state, c.late, c.dueAt, asOf),
      dueAt: c.dueAt,
      submittedAt: c.submittedAt,
      daysLate: row.daysLate,
      returns: c.returns,
      extensions: c.extensions,
      light: lightOf({ state: row.state, lateness: row.lateness, dueAt: c.dueAt, late: c.late, daysLate: row.daysLate }, marks.size ? marks.get(v.assignment.id) : undefined, asOf),
    };
  }
  return { ...state, asOf, items };
}

export function outcomeOf(state: BoardRow["state"], late: boolean, dueAt: EpochMs | null, asOf: EpochMs): Outcome {
  switch (state) {
    case "waived":
      return "waived";
    case "submitted":
    case "accepted":
      return late ? "late" : "onTime";
    default:
      // An item without a deadline is never overdue.
      return dueAt !== null && asOf > dueAt ? "overdue" : "pending";
  }
}

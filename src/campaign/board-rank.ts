import type { BoardRow } from "./board.ts";
import { isOutstanding } from "../model/states.ts";

/** One unit's line of the board's ranking. */
export interface UnitRank {
  unit: string;
  /** Items the unit owes (withdrawn ones aside). */
  items: number;
  /** Handed in (submitted or accepted) on time. */
  onTime: number;
  /** Handed in late. */
  closedLate: number;
  /** Still owed and past due now. */
  overdue: number;
  /** 按时办结率 = onTime / (onTime + closedLate + overdue), as the statistics count it; null when nothing has come due. */
  onTimeRate: number | null;
  /** The highest ladder level among its overdue items (0: none escalated). */
  maxLevel: number;
}

export type RankOrder = "overdue" | "rate" | "level";

/**
 * Per unit, how it stands: overdue count, on-time rate and highest ladder level, over the rows given (the
 * board's filtered rows, so the ranking answers the same question as the matrix above it).
 * `order`: most overdue first (default); lowest on-time rate first; highest ladder level first. Ties keep
 * `unitOrder` (the plan's), so the ranking is stable.
 */
export function unitRanking(rows: readonly BoardRow[], unitOrder: readonly string[], order: RankOrder = "overdue"): UnitRank[] {
  const by = new Map<string, UnitRank>();
  for (const r of rows) {
    if (r.state === "withdrawn") continue;
    let u = by.get(r.unit);
    if (!u) by.set(r.unit, (u = { unit: r.unit, items: 0, onTime: 0, closedLate: 0, overdue: 0, onTimeRate: null, maxLevel: 0 }));
    u.items++;
    if (r.state === "submitted" || r.state === "accepted") {
      if (r.late) u.closedLate++;
      else u.onTime++;
    } else if (r.late && isOutstanding(r.state)) {
      u.overdue++;
      u.maxLevel = Math.max(u.maxLevel, r.level);
    }
  }
  for (const u of by.values()) {
    const due = u.onTime + u.closedLate + u.overdue;
    u.onTimeRate = due ? Math.round((u.onTime / due) * 10000) / 10000 : null;
  }
  const pos = new Map(unitOrder.map((u, i) => [u, i]));
  const place = (u: UnitRank) => pos.get(u.unit) ?? Number.MAX_SAFE_INTEGER;
  // No rate sorts after every rate: a unit with nothing due yet is not the worst.
  const rate = (u: UnitRank) => u.onTimeRate ?? 2;
  const cmp: Record<RankOrder, (a: UnitRank, b: UnitRank) => number> = {
    overdue: (a, b) => b.overdue - a.overdue || rate(a) - rate(b) || b.maxLevel - a.maxLevel,
    rate: (a, b) => rate(a) - rate(b) || b.overdue - a.overdue,
    level: (a, b) => b.maxLevel - a.maxLevel || b.overdue - a.overdue || rate(a) - rate(b),
  };
  return [...by.values()].sort((a, b) => cmp[order](a, b) || place(a) - place(b));
}

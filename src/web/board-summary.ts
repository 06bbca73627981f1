import { isOutstanding } from "../model/states.ts";
import type { ResolvedPlan } from "../plan/types.ts";
import type { LitRow } from "../publish/light.ts";

/**
 * Above this many rows the board shows a summary instead of the matrix: a national campaign's hundreds of
 * thousands of items are not one table. Each summary line drills down (a group to its units, a unit to its
 * matrix) until the rows fit.
 */
export const MATRIX_MAX_ROWS = 4000;

/** One line of the summary: a group of units (or one unit, or one deliverable) with its counts and lights. */
export interface SummaryLine {
  key: string;
  name: string;
  /** What the drill-down link sets in the filter. */
  drill: { group?: string; unit?: string; deliverable?: string };
  units: number;
  items: number;
  overdue: number;
  closedLate: number;
  red: number;
  yellow: number;
  /** 按时办结率, as the ranking counts it; null when nothing has come due. */
  onTimeRate: number | null;
}

export type SummaryBy = "group" | "unit" | "deliverable";

const homes = new WeakMap<ResolvedPlan, Map<string, string>>();

/**
 * The group a unit is summarised under: the smallest of the plan's groups it belongs to (a county's
 * province's counties, not all counties), or the unit itself when it is in none.
 */
export function homeGroup(plan: ResolvedPlan, unit: string): string | undefined {
  let m = homes.get(plan);
  if (!m) {
    m = new Map();
    const size = (g: string) => plan.groups.get(g)?.members.length ?? Number.MAX_SAFE_INTEGER;
    for (const u of plan.units.values()) {
      const best = [...u.groups].sort((a, b) => size(a) - size(b))[0];
      if (best !== undefined) m.set(u.id, best);
    }
    homes.set(plan, m);
  }
  return m.get(unit);
}

export function summarize(plan: ResolvedPlan, rows: readonly LitRow[], by: SummaryBy): SummaryLine[] {
  const lines = new Map<string, SummaryLine & { unitSet: Set<string>; onTime: number }>();
  for (const r of rows) {
    if (r.state === "withdrawn") continue;
    // The line's key per row; its name and drill-down only once per line (a plan lookup, not one per row).
    const g = by === "group" ? homeGroup(plan, r.unit) : undefined;
    const key = by === "deliverable" ? (r.deliverable ?? r.task ?? r.kind ?? "") : g ? `@${g}` : r.unit;
    let l = lines.get(key);
    if (!l) {
      let name: string;
      let drill: SummaryLine["drill"];
      if (by === "deliverable") {
        name = (r.deliverable && plan.deliverables.find((d) => d.id === r.deliverable)?.title) || plan.tasks.find((t) => t.id === r.task)?.title || r.title;
        drill = { deliverable: key };
      } else {
        name = g ? (plan.groups.get(g)?.name ?? g) : (plan.units.get(r.unit)?.name ?? r.unit);
        drill = g ? { group: g } : { unit: r.unit };
      }
      lines.set(key, (l = { key, name, drill, units: 0, items: 0, overdue: 0, closedLate: 0, red: 0, yellow: 0, onTimeRate: null, unitSet: new Set(), onTime: 0 }));
    }
    l.unitSet.add(r.unit);
    l.items++;
    const closed = r.state === "submitted" || r.state === "accepted";
    if (closed && r.late) l.closedLate++;
    if (r.late && isOutstanding(r.state)) l.overdue++;
    if (r.light.colour === "red") l.red++;
    if (r.light.colour === "yellow") l.yellow++;
    if (closed && !r.late) l.onTime++;
  }
  return [...lines.values()].map(({ unitSet, onTime, ...l }) => {
    const due = onTime + l.closedLate + l.overdue;
    return { ...l, units: unitSet.size, onTimeRate: due ? Math.round((onTime / due) * 10000) / 10000 : null };
  });
}

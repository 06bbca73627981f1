import type { Assignment, ResolvedPlan } from "./types.ts";

/**
 * The phase an assignment belongs to: the one the plan names, else the one its due date falls in, or
 * for an item without a deadline the one it opens in ("" when none does). The board, the daily summary
 * and the plan table all count by this.
 */
export function phaseOf(plan: ResolvedPlan, a: Assignment): string {
  const t = a.dueAt ?? a.opensAt;
  return a.phase ?? plan.phases.find((p) => t >= p.startAt && t < p.endAt)?.id ?? "";
}

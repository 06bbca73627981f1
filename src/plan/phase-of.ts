import type { Assignment, ResolvedPlan } from "./types.ts";

/**
 * The phase an assignment belongs to: the one the plan names, else the one its due date falls in
 * ("" when none does). The board, the daily summary and the plan table all count by this.
 */
export function phaseOf(plan: ResolvedPlan, a: Assignment): string {
  return a.phase ?? plan.phases.find((p) => a.dueAt >= p.startAt && a.dueAt < p.endAt)?.id ?? "";
}

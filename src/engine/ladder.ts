import type { Assignment, ResolvedPlan } from "../plan/types.ts";

/**
 * Turns a step's roles into the unit and person ids to tell. Order is kept and duplicates dropped,
 * so "assignee, lead" for a unit that leads its own task tells it once.
 */
export function resolveRecipients(plan: ResolvedPlan, a: Assignment, notify: readonly string[]): string[] {
  const out = new Set<string>();
  const lg = plan.leadingGroup;
  for (const who of notify) {
    switch (who) {
      case "assignee":
        out.add(a.unit);
        break;
      case "lead":
        out.add(a.lead);
        break;
      case "recipient":
        out.add(a.to);
        break;
      case "office":
        out.add(lg.office.unit);
        break;
      case "director":
        out.add(lg.office.director ?? lg.office.unit);
        break;
      case "leader":
        out.add(lg.leader);
        break;
      default:
        out.add(who);
    }
  }
  return [...out];
}

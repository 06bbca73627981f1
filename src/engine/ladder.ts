import type { ResolvedPlan } from "../model/definition.ts";
import { owingUnits, type Item } from "../model/item.ts";

/**
 * Turns a step's roles into the unit and person ids to tell. Order is kept and duplicates dropped,
 * so "assignee, lead" for a unit that leads its own task tells it once.
 */
export function resolveRecipients(plan: ResolvedPlan, a: Item, notify: readonly string[]): string[] {
  const out = new Set<string>();
  const lg = plan.leadingGroup;
  for (const who of notify) {
    switch (who) {
      case "assignee":
        // A joint item tells every unit that owes it, each in its own digest.
        for (const u of owingUnits(a)) out.add(u);
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

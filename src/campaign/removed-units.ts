import type { AssignmentView } from "../engine/engine.ts";
import { owingUnits } from "../model/item.ts";
import { isClosed } from "../model/states.ts";
import type { ResolvedPlan, UnitId } from "../plan/types.ts";

/** An item that still needs a unit the new plan version no longer has. */
export interface StrandedItem {
  id: string;
  title: string;
  /** The removed unit, and whether it owes the item or receives it. */
  unit: UnitId;
  as: "owner" | "recipient";
  state: string;
}

/**
 * Items of the running campaign that a unit removal would strand: one a removed unit owes or receives
 * that is not closed (accepted, waived, withdrawn), and any item opened at run time that names it (those
 * carry over to the new version whatever their state). A closed planned item is the log's history and
 * may go with its unit, as it goes with a deliverable today.
 */
export function strandedByRemovedUnits(views: readonly AssignmentView[], next: ResolvedPlan): StrandedItem[] {
  const out: StrandedItem[] = [];
  for (const v of views) {
    const a = v.assignment;
    if (!a.opened && isClosed(v.progress)) continue;
    const owner = owingUnits(a).find((u) => !next.units.has(u));
    if (owner !== undefined) out.push({ id: a.id, title: a.title, unit: owner, as: "owner", state: v.progress });
    else if (!next.units.has(a.to)) out.push({ id: a.id, title: a.title, unit: a.to, as: "recipient", state: v.progress });
  }
  return out;
}

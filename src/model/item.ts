import type { AssignmentId, DeliverableId, KindId, PhaseId, PolicyId, TaskId, UnitId } from "./ids.ts";
import type { EpochMs, IsoDate } from "./time.ts";
import type { FieldValue } from "./fields.ts";

/**
 * What an item opened at run time carries besides what every item has: the kind it was opened under,
 * who opened it, the urgency picked and the fields filled in. Logged with the opening, so a replay
 * rebuilds the item from the log, under the rules it was opened with.
 */
export interface OpenedInfo {
  kind: KindId;
  /** 1, 2, … per kind: the item's number in its kind (督办单第 N 号). */
  number: number;
  openedBy: UnitId;
  level: string;
  fields: Record<string, FieldValue>;
  /** Who of the owing units may hand it in: any of them, or the lead one (`unit`). */
  submit: "any" | "lead";
  /** 一事一报: after each interim report the next one is due this many working days later. */
  followUpEveryWorkingDays?: number;
  /** An import's row key: a second import of the same row opens nothing. */
  key?: string;
  note?: string;
}

/** One unit owing one deliverable (or one instance of a recurring one), or running one task. */
export interface Item {
  id: AssignmentId;
  kind: "deliverable" | "task" | "opened";
  /** The owing unit; of a joint item, its lead member. */
  unit: UnitId;
  /** A joint item's owing units, the lead first; absent: `unit` alone. */
  members?: UnitId[];
  /** owner: owes a deliverable; lead / support: runs a task. */
  role: "owner" | "lead" | "support";
  title: string;
  deliverable?: DeliverableId;
  task?: TaskId;
  phase?: PhaseId;
  /** Who receives the work (accepts or returns it). */
  to: UnitId;
  /** The ladder's "lead" role: the task's lead unit, or the recipient when there is no task. */
  lead: UnitId;
  /** "" for an item without a deadline: it has no ladder. */
  policy: PolicyId;
  opensAt: EpochMs;
  /**
   * null: the item has no deadline (a task the plan gives no `due:`). It is tracked on the board with its
   * unit but never falls due, is never reminded and is never late.
   */
  dueAt: EpochMs | null;
  /** The date as written when the rest-day rule moved it. */
  dueShiftedFrom?: IsoDate;
  /** Set when the plan marks the due date as assumed (`assumed:`): why it is not the document's own date. */
  dueAssumed?: string;
  /** Hour deadlines: hour steps of its ladder fire at their exact instant, not at the next send time. */
  exactHours?: boolean;
  /** 签收 deadline: until someone of the owing units acknowledges, the kind's ack step fires then. */
  ackDueAt?: EpochMs;
  /** Set for an item opened while the campaign runs (交办, 一事一报, an import row). */
  opened?: OpenedInfo;
  /** Handing it in waits for the sub-plans under it to be complete (the deliverable's `requiresSubPlan`). */
  requiresSubPlan?: true;
}

/** The name the engine has used for an item since the first wave. */
export type Assignment = Item;

/** Every unit that owes the item (one, or a joint item's members). */
export function owingUnits(item: Item): readonly UnitId[] {
  return item.members ?? [item.unit];
}



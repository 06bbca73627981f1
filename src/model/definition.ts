import type { DeliverableId, KindId, PhaseId, PolicyId, RestDayRule, TaskId, UnitId, UnitKind } from "./ids.ts";
import type { Item } from "./item.ts";
import type { ItemKind } from "./kind.ts";
import type { CnCalendarData, EpochMs, IsoDate } from "./time.ts";

/** Roles a ladder step can notify; resolved per assignment to units and persons. */
export const RecipientRole = ["assignee", "lead", "recipient", "office", "director", "leader"] as const;
export type RecipientRole = (typeof RecipientRole)[number];

export interface Unit {
  id: UnitId;
  name: string;
  short?: string;
  kind: UnitKind;
  parent?: UnitId;
  title?: string;
  email: string[];
  webhooks: string[];
  groups: string[];
}

export interface Phase {
  id: PhaseId;
  name: string;
  start: IsoDate;
  end: IsoDate;
  /** Instants: the phase runs over [startAt, endAt). */
  startAt: EpochMs;
  endAt: EpochMs;
}

export interface Task {
  id: TaskId;
  /** The task's number in the document, e.g. 2 for （二）. */
  number?: number;
  title: string;
  scope?: string;
  lead: UnitId;
  support: UnitId[];
  partners: UnitId[];
  phases: PhaseId[];
}

/** A ladder step with its offset parsed. */
export interface PolicyStep {
  index: number;
  /** Offset from the due date in working days (unit "wd") or from the due instant in hours ("h"). */
  offset: number;
  unit: "wd" | "h";
  notify: string[];
  level: number;
  /** Repeat every N working days after the first firing; 0 = once. */
  repeat: number;
}

export interface Policy {
  id: PolicyId;
  dueSoon: number;
  steps: PolicyStep[];
}

/** A plan with every reference resolved and every date turned into an instant: what the engine runs. */
export interface ResolvedPlan {
  hash: string;
  file: string;
  campaign: {
    id: string;
    title: string;
    issuer: string;
    document?: string;
    timezone: string;
    language: string;
    start: IsoDate;
    end: IsoDate;
    startAt: EpochMs;
    endAt: EpochMs;
    baseUrl?: string;
  };
  calendar: {
    base: "cn" | "weekends";
    sendAt: string;
    dueAt: string;
    dueOnRestDay: RestDayRule;
    holidays: IsoDate[];
    workdays: IsoDate[];
    /** The statutory data this version was resolved with (cn calendars); kept with the version. */
    data?: CnCalendarData;
  };
  units: Map<UnitId, Unit>;
  groups: Map<string, { name?: string; members: UnitId[] }>;
  leadingGroup: {
    name?: string;
    leader: UnitId;
    deputies: UnitId[];
    members: { person: UnitId; unit: UnitId }[];
    office: { name?: string; unit: UnitId; director?: UnitId };
  };
  phases: Phase[];
  tasks: Task[];
  deliverables: DeliverableInput[];
  policies: Map<PolicyId, Policy>;
  /** The items the plan itself opens (planned); items opened at run time live in the log. */
  assignments: Item[];
  /** Kinds of items that may be opened while the campaign runs (`kinds:`), by id. */
  kinds: Map<KindId, ItemKind>;
  /** The 考评 rules of this version; absent when the plan has no `scoring:` section. */
  scoring?: ScoringRules;
  /** A sub-plan's parent: the campaign it serves, and the item or unit there it rolls up to. */
  parent?: PlanParent;
}

/** `parent:` of a sub-plan (a district's 实施方案 under the city's campaign): exactly one of item and unit. */
export interface PlanParent {
  campaign: string;
  item?: string;
  unit?: UnitId;
}

/** One item's scoring rules with every key filled in; bounds are ±Infinity when not written. */
export interface ItemScoring {
  onTime: number;
  late: number;
  overdue: number;
  perLateDay: number;
  perReturn: number;
  waived: number;
  itemMin: number;
  itemMax: number;
}

export interface ScoringRules {
  base: ItemScoring;
  /** By deliverable or task id: the base with that id's overrides applied. */
  byId: Record<string, ItemScoring>;
  unitMin: number;
  unitMax: number;
}

/** A deliverable as the plan writes it; kept in the resolved plan for views that show the plan's own words. */
export interface DeliverableInput {
  id: DeliverableId;
  title: string;
  description?: string;
  source?: string;
  /** What the hand-in must contain, as the item page lists it. */
  checklist?: string[];
  /** The form or template to use (a document number, a file name or a link). */
  template?: string;
  task?: TaskId;
  phase?: PhaseId;
  from: string[];
  to?: string;
  opens?: string;
  due?: string;
  recurring?: Recurrence;
  dueOnRestDay?: RestDayRule;
  /** Why the due date is an assumption, not a date the document sets (e.g. it comes from another document). */
  assumed?: string;
  policy?: PolicyId;
  /** Handing in is refused until the sub-plans under the item (their `parent.item`) have every item done. */
  requiresSubPlan?: boolean;
}

/** A recurring deliverable's dates; see recurrenceDays (src/plan/recurrence.ts) for the rules. */
export interface Recurrence {
  /** Days of the month, 1-31, or "last" for the month's last day. */
  monthDays?: (number | "last")[];
  /** 1 = Monday … 7 = Sunday: weekly on those days. */
  weekdays?: number[];
  /** Only in these months (1-12), e.g. [3, 6, 9, 12] with monthDays [last]: quarterly. */
  months?: number[];
  /** Every N working days from `from` (from + N wd, from + 2N wd, …); alone, without the others. */
  everyWorkingDays?: number;
  from: string;
  until: string;
}


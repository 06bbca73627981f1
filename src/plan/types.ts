import type { CnCalendarData, EpochMs, IsoDate } from "../engine/calendar.ts";

export type UnitId = string;
export type PhaseId = string;
export type TaskId = string;
export type DeliverableId = string;
export type PolicyId = string;
export type AssignmentId = string;

export type UnitKind = "department" | "district" | "external" | "person";
export type RestDayRule = "next" | "previous" | "keep";

/** The plan as written (after schema validation), before any reference is resolved. */
export interface PlanInput {
  duban: 1;
  campaign: {
    id: string;
    title: string;
    issuer: string;
    document?: string;
    timezone?: string;
    language?: string;
    start: IsoDate;
    end: IsoDate;
    baseUrl?: string;
  };
  calendar?: {
    base?: "cn" | "weekends";
    sendAt?: string;
    dueAt?: string;
    dueOnRestDay?: RestDayRule;
    holidays?: IsoDate[];
    workdays?: IsoDate[];
  };
  units: UnitInput[];
  groups?: Record<string, { name?: string; members: string[] }>;
  leadingGroup: {
    name?: string;
    leader: UnitId;
    deputies?: UnitId[];
    members?: { person: UnitId; unit: UnitId }[];
    office: { name?: string; unit: UnitId; director?: UnitId };
  };
  phases: { id: PhaseId; name: string; start: IsoDate; end: IsoDate; description?: string }[];
  tasks?: TaskInput[];
  deliverables?: DeliverableInput[];
  policies?: Record<PolicyId, PolicyInput>;
  defaults?: { policy?: PolicyId; taskPolicy?: PolicyId };
  scoring?: ScoringInput;
  /** Open questions a draft leaves for a person (see `duban draft`); any entry makes the plan invalid. */
  todo?: TodoInput[];
}

/** Points for one item by how it stands; a key left out scores 0 (or, in an override, keeps the plan's). */
export interface ItemScoringInput {
  onTime?: number;
  late?: number;
  overdue?: number;
  perLateDay?: number;
  perReturn?: number;
  waived?: number;
  item?: { min?: number; max?: number };
}

/** The plan's `scoring:` section (考评), as written. */
export interface ScoringInput extends ItemScoringInput {
  unit?: { min?: number; max?: number };
  /** Overrides by deliverable or task id. */
  deliverables?: Record<string, ItemScoringInput>;
}

export interface TodoInput {
  what: string;
  source?: string;
  document?: string;
  draft?: Record<string, unknown>;
}

export interface UnitInput {
  id: UnitId;
  name: string;
  short?: string;
  kind: UnitKind;
  parent?: UnitId;
  title?: string;
  contacts?: { email?: string[]; webhooks?: string[] };
}

export interface TaskInput {
  id: TaskId;
  number?: number;
  /** @deprecated Use `number`: YAML 1.1 readers read the key `no` as the boolean false. */
  no?: number;
  title: string;
  scope?: string;
  lead: UnitId;
  support?: string[];
  partners?: string[];
  phases?: PhaseId[];
  /** When the task's units report it done; without it the task is tracked but has no deadline. */
  due?: string;
  policy?: PolicyId;
}

export interface DeliverableInput {
  id: DeliverableId;
  title: string;
  description?: string;
  source?: string;
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

export interface PolicyInput {
  description?: string;
  dueSoon?: number;
  steps: { at: string; notify: string[]; level?: number; repeat?: number }[];
}

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

/** One unit owing one deliverable (or one instance of a recurring one), or running one task. */
export interface Assignment {
  id: AssignmentId;
  kind: "deliverable" | "task";
  unit: UnitId;
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
  assignments: Assignment[];
  /** The 考评 rules of this version; absent when the plan has no `scoring:` section. */
  scoring?: ScoringRules;
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

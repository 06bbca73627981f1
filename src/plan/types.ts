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
  /** Open questions a draft leaves for a person (see `duban draft`); any entry makes the plan invalid. */
  todo?: TodoInput[];
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
  no?: number;
  title: string;
  scope?: string;
  lead: UnitId;
  support?: string[];
  partners?: string[];
  phases?: PhaseId[];
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
  recurring?: { monthDays?: number[]; weekdays?: number[]; from: string; until: string };
  dueOnRestDay?: RestDayRule;
  policy?: PolicyId;
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
  no?: number;
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
  policy: PolicyId;
  opensAt: EpochMs;
  dueAt: EpochMs;
  /** The date as written when the rest-day rule moved it. */
  dueShiftedFrom?: IsoDate;
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
}

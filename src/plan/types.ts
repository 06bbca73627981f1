import type { IsoDate } from "../model/time.ts";
import type { DeliverableInput } from "../model/definition.ts";
import type { PhaseId, PolicyId, RestDayRule, TaskId, UnitId, UnitKind } from "../model/ids.ts";

// The shapes the engine and every view share live in model/; the plan re-exports them for its readers.
export * from "../model/ids.ts";
export * from "../model/definition.ts";
export * from "../model/item.ts";
export type { CnCalendarData, EpochMs, IsoDate } from "../model/time.ts";

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
  /** Kinds of items opened while the campaign runs (交办, 督办单, 一事一报, 问题清单 rows). */
  kinds?: KindInput[];
  /** A sub-plan names the campaign and the item (or unit) it serves; see src/plan/parent.ts. */
  parent?: { campaign: string; item?: string; unit?: UnitId };
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

export interface PolicyInput {
  description?: string;
  dueSoon?: number;
  steps: { at: string; notify: string[]; level?: number; repeat?: number }[];
}


/** A deadline counted from an opening: `+5wd` working days, `+3d` calendar days, `+24h` clock hours. */
export type OffsetInput = string;

/** `+5wd`, or a date the opener gives, within bounds counted from the opening. */
export type KindDueInput = OffsetInput | { given: { min?: OffsetInput; max: OffsetInput; default?: OffsetInput } };

export interface FieldInput {
  id: string;
  title: string;
  type: "text" | "longText" | "date" | "number" | "unit" | "choice" | "attachment";
  required?: boolean;
  choices?: string[];
  maxLength?: number;
}

/** One `kinds:` entry as written; see ItemKind (src/model/kind.ts) for what each key means. */
export interface KindInput {
  id: string;
  title: string;
  description?: string;
  source?: string;
  /** office, self, any, @task-leads, unit ids, @groups. */
  openers: string[];
  to: string[];
  joint?: { maxUnits: number; submit?: "any" | "lead" };
  reviewer?: "office" | "opener";
  due?: KindDueInput;
  workingHours?: boolean;
  acknowledge?: { within: OffsetInput; notify: string[]; level?: number };
  levels?: { id: string; policy?: PolicyId; due?: KindDueInput }[];
  policy?: PolicyId;
  fields?: FieldInput[];
  followUp?: { first: OffsetInput; everyWorkingDays: number };
  /** Besides the office: opener, any, @task-leads, unit ids, @groups. */
  withdraw?: string[];
  extend?: string[];
  key?: string[];
  maxAttachmentMb?: number;
  assumed?: string;
}

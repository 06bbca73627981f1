import type { KindId, PolicyId, UnitId } from "./ids.ts";

/**
 * A set of units, as a kind's rule names it. `office`: the leading-group office (and those who act as
 * it); `taskLeads`: every task's lead unit; `self`: the unit acting, for itself (openers) or the opener
 * (recipients); `units`: ids listed or named through groups; `any`: every unit of the plan. In `withdraw`
 * and `extend`, `self` is the unit that opened the item (written `opener` in the plan).
 */
export interface Audience {
  office: boolean;
  taskLeads: boolean;
  self: boolean;
  any: boolean;
  units: ReadonlySet<UnitId>;
}

/**
 * A deadline counted from an instant: working days (`+5wd`, to the calendar's due time), calendar days
 * (`+3d`, same), or clock hours (`+24h`, to the minute; with the kind's `workingHours`, counted only in
 * working hours on working days).
 */
export interface Offset {
  n: number;
  unit: "wd" | "d" | "h";
}

/**
 * `offset`: the deadline follows from the opening. `given`: the opener gives a date, no earlier than
 * `min` and no later than `max` after the opening (both offsets), `default` used when none is given.
 */
export type DueRule = { kind: "offset"; offset: Offset } | { kind: "given"; min?: Offset; max: Offset; default?: Offset };

export type FieldType = "text" | "longText" | "date" | "number" | "unit" | "choice" | "attachment";

export interface FieldSpec {
  id: string;
  /** The title people see, and the column header an import reads. */
  title: string;
  type: FieldType;
  required: boolean;
  /** For `choice`. */
  choices?: string[];
  /** For `text` / `longText`: at most this many characters. */
  maxLength?: number;
}

/** An urgency the opener picks (一般/紧急/特急): its own ladder and, optionally, its own deadline. */
export interface UrgencyLevel {
  id: string;
  policy: PolicyId;
  due?: DueRule;
}

/** 签收: the receiving units acknowledge within `within`, or the ladder tells `notify` at `level`. */
export interface AckRule {
  within: Offset;
  notify: string[];
  level: number;
}

/** 一事一报: the first report within `first`, then an interim report every `everyWorkingDays` until a final one. */
export interface FollowUpRule {
  first: Offset;
  everyWorkingDays: number;
}

/** What the plan declares about items that may be opened while the campaign runs (`kinds:`). */
export interface ItemKind {
  id: KindId;
  title: string;
  source?: string;
  description?: string;
  /** Who may open one. */
  openers: Audience;
  /** To whom: the units that may owe one. */
  recipients: Audience;
  /** Several units may owe one item jointly; `submit` says which of them may hand it in. */
  joint: { maxUnits: number; submit: "any" | "lead" } | null;
  /** Who reviews the hand-in (accepts or returns it): the office, or the unit that opened the item. */
  reviewer: "office" | "opener";
  due: DueRule;
  /** Hour deadlines count only working hours on working days. */
  workingHours: boolean;
  acknowledge: AckRule | null;
  /** Urgency levels in the plan's order; the first is the default. */
  levels: UrgencyLevel[];
  fields: FieldSpec[];
  followUp: FollowUpRule | null;
  /** Who may withdraw (撤销) and extend an item of this kind besides the office. */
  withdraw: Audience;
  extend: Audience;
  /** Field ids whose values identify a row of an import: the same values open nothing new. */
  key: string[];
  /** The largest attachment accepted, in bytes. */
  maxAttachmentBytes: number;
  /** Set when the plan marks the deadline as assumed (`assumed:`): why it is not the document's own. */
  assumed?: string;
}

export const NOBODY: Audience = Object.freeze({ office: false, taskLeads: false, self: false, any: false, units: new Set<UnitId>() });

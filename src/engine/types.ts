import type { EpochMs } from "../model/time.ts";
import type { Item } from "../model/item.ts";
import type { KindId, UnitId } from "../model/ids.ts";
import type { Problem } from "../model/problem.ts";

/** Who did something: a unit (optionally through one of its people) or the engine itself. */
export type Actor = { kind: "engine" } | { kind: "unit"; unit: string; person?: string };

export const ENGINE: Actor = { kind: "engine" };

/**
 * Everything that changes state, as data. Each is logged, and each is also the XState event
 * applied to its machine, so replaying the log runs exactly the transitions that ran live.
 */
export type DomainEvent =
  | { type: "phaseStarted"; at: EpochMs; phase: string }
  | { type: "phaseEnded"; at: EpochMs; phase: string }
  | { type: "campaignClosed"; at: EpochMs }
  | { type: "opened"; at: EpochMs; assignment: string }
  | { type: "dueSoon"; at: EpochMs; assignment: string }
  | { type: "overdue"; at: EpochMs; assignment: string }
  /** `actor` and `note`: of a 催办 (reason `urged`), the office member who urged and what they added. */
  | { type: "reminded"; at: EpochMs; assignment: string; step: number; level: number; recipients: string[]; deferred?: Deferral; reason?: ReminderReason; actor?: Actor; note?: string }
  /**
   * `report`: of a 一事一报 item, an interim report (续报; the item stays owed, the next one due at
   * `nextDueAt`) or the final one (终报). Absent for every other item.
   */
  | { type: "submitted"; at: EpochMs; assignment: string; actor: Actor; note?: string; attachments?: Attachment[]; late: boolean; report?: "interim" | "final"; nextDueAt?: EpochMs }
  /** An item opened while the campaign runs; the log carries the whole item, so replay needs no rule. */
  | { type: "itemOpened"; at: EpochMs; assignment: string; actor: Actor; item: Item }
  | { type: "acknowledged"; at: EpochMs; assignment: string; actor: Actor; note?: string }
  | { type: "withdrawn"; at: EpochMs; assignment: string; actor: Actor; note?: string }
  /** The owing unit takes back its hand-in while it waits for review (to correct it): owed again. */
  | { type: "recalled"; at: EpochMs; assignment: string; actor: Actor; note?: string }
  | { type: "accepted"; at: EpochMs; assignment: string; actor: Actor; note?: string }
  | { type: "returned"; at: EpochMs; assignment: string; actor: Actor; note?: string }
  | { type: "extended"; at: EpochMs; assignment: string; actor: Actor; until: EpochMs; note?: string }
  | { type: "waived"; at: EpochMs; assignment: string; actor: Actor; note?: string };

/**
 * Why a reminder went out later than its step says. `beforeOpening`: the step fell before the item
 * opened, so it went out at the first send time after the opening (see buildSchedule).
 */
export type Deferral = "beforeOpening";

/**
 * Why a reminder went out, when it is not the ladder's step: nobody acknowledged it (签收) in time, or the
 * office urged the unit by hand (催办).
 */
export type ReminderReason = "unacknowledged" | "urged";

export type DomainEventType = DomainEvent["type"];
export type AssignmentEvent = Extract<DomainEvent, { assignment: string }>;
export type CampaignEvent = Exclude<DomainEvent, { assignment: string }>;

export interface Attachment {
  name: string;
  sha256: string;
  size: number;
}

/**
 * An item to open while the campaign runs (交办, 督办单, 一事一报, an import row), checked against its kind.
 * `due`: a deadline the opener gives (kinds whose due rule lets them); `key`: an import row's identity.
 */
export interface OpenRequest {
  kind: KindId;
  to: UnitId[];
  title: string;
  due?: EpochMs;
  level?: string;
  fields?: Readonly<Record<string, unknown>>;
  note?: string;
  key?: string;
  actor: Actor;
}

/** What a unit asks for; checked against the plan's roles before it becomes a domain event. */
export type UnitAction =
  | ({ type: "open" } & OpenRequest)
  /** `final`: of a 一事一报 item, whether this is the final report (终报); otherwise it is an interim one. */
  | { type: "submit"; assignment: string; actor: Actor; note?: string; attachments?: Attachment[]; final?: boolean; subPlans?: SubPlanProgress[] }
  | { type: "acknowledge"; assignment: string; actor: Actor; note?: string }
  | { type: "withdraw"; assignment: string; actor: Actor; note?: string }
  | { type: "recall"; assignment: string; actor: Actor; note?: string }
  | { type: "accept"; assignment: string; actor: Actor; note?: string }
  | { type: "return"; assignment: string; actor: Actor; note?: string }
  | { type: "extend"; assignment: string; actor: Actor; until: EpochMs; note?: string }
  | { type: "waive"; assignment: string; actor: Actor; note?: string };

/**
 * 催办: the office reminds a unit now, outside the ladder, of every item it still owes that has a deadline.
 * One reminder (a `reminded` event per item, one message) through the same path as the ladder's; at most
 * once per unit per calendar day.
 */
export interface UrgeRequest {
  type: "urge";
  unit: string;
  actor: Actor;
  note?: string;
}

export type EngineInput = UnitAction | UrgeRequest | { type: "tick" };

/** One item of a reminder: an assignment at a ladder step. */
export interface ReminderItem {
  assignment: string;
  unit: string;
  title: string;
  dueAt: EpochMs;
  /** Highest ladder level among the collapsed occurrences (0 = plain reminder). */
  level: number;
  /** Index of the ladder step in its policy (the latest one that fired). */
  step: number;
  /** When that step fired (earlier than the message's send time after a catch-up). */
  firedAt: EpochMs;
  /** Whether the item was already overdue when the reminder was due. */
  overdue: boolean;
  /** Set when the step went out later than it says (see {@link Deferral}). */
  deferred?: Deferral;
  /** Set when it reminds of something other than the deadline (see {@link ReminderReason}). */
  reason?: ReminderReason;
  /** A 催办's note from the office, said in the message (only with reason "urged"). */
  note?: string;
}

/**
 * A message to send: one per recipient per tick, grouping all of its items. A tick after downtime
 * collapses every step that fell due while down into one intent per recipient.
 */
export interface ReminderIntent {
  /** Stable idempotency key: the same state and clock always give the same key. */
  key: string;
  recipient: string;
  /** The send time the message belongs to: the tick's latest working-day send time (after downtime, today's). */
  at: EpochMs;
  kind: "reminder" | "escalation";
  items: ReminderItem[];
}

export const RefusalCode = {
  UNKNOWN_ASSIGNMENT: "UNKNOWN_ASSIGNMENT",
  NOT_PERMITTED: "NOT_PERMITTED",
  WRONG_STATE: "WRONG_STATE",
  BAD_EXTENSION: "BAD_EXTENSION",
  UNKNOWN_ACTOR: "UNKNOWN_ACTOR",
  /** Reviewing (accepting, returning) an item one's own unit owes. */
  OWN_ITEM: "OWN_ITEM",
  UNKNOWN_KIND: "UNKNOWN_KIND",
  NOT_OPENER: "NOT_OPENER",
  BAD_RECIPIENT: "BAD_RECIPIENT",
  BAD_DUE: "BAD_DUE",
  BAD_LEVEL: "BAD_LEVEL",
  BAD_FIELDS: "BAD_FIELDS",
  CAMPAIGN_OVER: "CAMPAIGN_OVER",
  DUPLICATE_KEY: "DUPLICATE_KEY",
  UNKNOWN_UNIT: "UNKNOWN_UNIT",
  /** 催办 a unit that owes nothing with a deadline. */
  NOTHING_TO_URGE: "NOTHING_TO_URGE",
  /** 催办 a unit a second time on the same day. */
  ALREADY_URGED: "ALREADY_URGED",
  /** Handing in an item that requires its sub-plans' completion while one is incomplete (or none is known). */
  SUB_PLAN_INCOMPLETE: "SUB_PLAN_INCOMPLETE",
} as const;

/**
 * How far a sub-plan under an item has got (src/campaign/rollup.ts), given by the host with a submit: the
 * engine holds one campaign and cannot look at another, so the host that holds both says.
 */
export interface SubPlanProgress {
  campaign: string;
  title?: string;
  done: number;
  total: number;
}
export type RefusalCode = (typeof RefusalCode)[keyof typeof RefusalCode];

/**
 * An action the engine would not take, as a value: the rule's code and the facts its message needs
 * (unit and item ids, states, instants as ISO text). The words are rendered at the edge (src/text/).
 * `problems`: each field of an opening that did not fit (BAD_FIELDS).
 */
export interface Refusal extends Problem<RefusalCode> {
  problems?: Problem[];
}

export interface StepResult {
  events: DomainEvent[];
  reminders: ReminderIntent[];
  refused?: Refusal;
}

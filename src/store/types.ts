import type { StoreError } from "./errors.ts";
/** Who caused an event. The engine acts on its own (timers, escalations); units and people act through the UI or replies. */
export type Actor =
  | { kind: "engine" }
  | { kind: "unit"; unit: string; person?: string }
  | { kind: "person"; person: string; unit?: string };

export interface NewEvent {
  /** ISO 8601 with an explicit offset: the domain instant, stored byte for byte because auditors quote it. */
  at: string;
  actor: Actor;
  type: string;
  /** Any JSON value. */
  payload: unknown;
  planHash: string;
  /** Id of the assignment the event concerns; indexed so the history of one assignment is cheap to read. */
  assignment?: string;
}

export interface StoredEvent extends NewEvent {
  /** 1, 2, 3, ... without gaps. */
  seq: number;
  prevHash: string;
  hash: string;
}

export interface ChainHead {
  /** 0 for an empty log. */
  seq: number;
  /** The genesis hash (64 zeros) for an empty log. */
  hash: string;
  /** The last event's instant as recorded; undefined for an empty log. No event may be appended before it. */
  at?: string;
}

export interface NewOutboxItem {
  /** Idempotency key: a second item with the same key is ignored. */
  key: string;
  channel: string;
  /** ISO 8601 with offset. */
  dueAt: string;
  payload: unknown;
  /**
   * How many of the append's events the item follows: its eventSeq is the seq of the last of them (the
   * head's when 0). Unset: all of them. A writer that groups several steps into one append keeps each
   * step's items with that step's events, as the step's own append would have.
   */
  afterEvents?: number;
}

export type OutboxStatus = "pending" | "sent" | "failed";

export interface OutboxItem extends Omit<NewOutboxItem, "afterEvents"> {
  id: number;
  status: OutboxStatus;
  /** Incremented on every claim, so a worker that died mid-delivery still counts as an attempt. */
  attempts: number;
  nextAttemptAt: string;
  lastError?: string;
  sentAt?: string;
  /** Seq of the last event appended in the same transaction (the head seq when none was). */
  eventSeq: number;
  /**
   * Channels that already took this message on an earlier attempt whose other channels failed: a retry
   * goes only to the others, so a chat-robot outage does not mail the recipient again (even across processes).
   */
  deliveredVia?: string[];
  /** Retried until this instant (set at the first failed attempt), then given up on; cleared by a manual retry. */
  retryUntil?: string;
}

export interface ReadOptions {
  /** Inclusive. */
  fromSeq?: number;
  /** Inclusive. */
  toSeq?: number;
  assignment?: string;
  /** Only events whose domain instant is at or before this ISO instant. */
  untilAt?: string;
  /**
   * Only events of these types: the store skips the others itself, so a fold that wants a few rare ones
   * (the office's light marks) does not decode the whole log.
   */
  types?: readonly string[];
  /** Rows fetched per round trip; the log is never loaded whole. */
  batchSize?: number;
}

/** `count` is the number of events that verified; on failure, `seq` is the first one that did not (or is missing). */
export type VerifyResult =
  | { ok: true; count: number; head: string }
  | { ok: false; seq: number; problem: string; count: number };

export interface VerifyOptions {
  /** A head hash recorded elsewhere (a report, a sidecar file, a notarised print-out). */
  head?: string;
  /**
   * By default the recorded head must be the last event, so a deleted tail is caught.
   * Set when the recorded head is an older anchor and later appends are legitimate.
   */
  allowLater?: boolean;
  batchSize?: number;
  /** Called after each batch with the events verified so far (awaited: a slow reader slows the check). */
  progress?: (checked: number) => void | Promise<void>;
}

export interface Snapshot {
  seq: number;
  planHash: string;
  data: string;
}

export type OutboxCounts = Record<OutboxStatus, number>;

export interface OutboxFilter {
  status?: OutboxStatus;
  channel?: string;
  key?: string;
  /** Default 100. */
  limit?: number;
}

export interface ClaimOptions {
  /**
   * How long a claimed item stays invisible to other workers. A worker that dies before
   * markSent/markAttemptFailed leaves the item pending, so it is retried once the lease runs out.
   */
  leaseMs?: number;
}

/** What a dispatcher knows when it settles a claimed item. */
/** One claimed item delivered, for {@link EventStore.markSentMany}. */
export interface SentSettle {
  id: number;
  sentAt: string;
  event: NewEvent;
  opts?: SettleOptions;
}

/** What became of one settle of a batch: its event, or why it was refused (the others are unaffected). */
export type SettleOutcome = { event: StoredEvent } | { error: StoreError };

export interface SettleOptions {
  /**
   * Fencing token: the `attempts` value of the claim being settled. When the item was claimed again since
   * (its lease ran out and another dispatcher took it), the settle is refused with OUTBOX_LEASE_LOST, so a
   * stale holder never overwrites the outcome of the current one.
   */
  attempt?: number;
  /** Channels that took the message so far (kept for the next attempt). */
  deliveredVia?: string[];
  /** The retry horizon to keep with the item (the dispatcher computes it at the first failure). */
  retryUntil?: string;
}

/** A claim a dispatcher still holds: the item and the `attempts` value its claim produced. */
export interface HeldClaim {
  id: number;
  attempts: number;
}

export interface AppendOptions {
  /**
   * Optimistic concurrency: append only if the head is still at this seq, else fail with
   * HEAD_MOVED. A writer that decided from state at seq N must not append after someone else's N+1.
   */
  expectedSeq?: number;
}

/** One campaign of a store: its id (the plan's `campaign.id`) and the prefix of its own tables. */
export interface CampaignRecord {
  id: string;
  /** "" for the unprefixed tables (the store's first campaign), else `c<n>_`. */
  prefix: string;
  /** The campaign this one serves (a district's sub-plan under the city's). */
  parent?: string;
  createdAt: string;
}

/** One outbox row of one campaign of the store: the campaign's table prefix and the row's id. */
export interface MemberRef {
  prefix: string;
  id: number;
}

/** A digest group as recorded: its key and the outbox rows its message carries, per campaign. */
export interface DigestGroup {
  key: string;
  members: (MemberRef & { itemKey: string })[];
}

/** A digest group claimed: each member row leased, with the `attempts` its claim produced. */
export interface DigestClaim {
  key: string;
  /** True when the group was recorded before (a retry): the members are the recorded ones. */
  retry: boolean;
  members: (MemberRef & { item: OutboxItem })[];
}

/** What became of one member of a digest group's message, for {@link EventStore.settleDigest}. */
export interface DigestSettle extends MemberRef {
  /** The claim's `attempts` (fencing, as SettleOptions.attempt). */
  attempt: number;
  event: NewEvent;
  outcome: { sentAt: string } | { error: string; nextAttemptAt: string; final: boolean };
  opts?: Omit<SettleOptions, "attempt">;
}

import type {
  AppendOptions,
  CampaignRecord,
  ChainHead,
  ClaimOptions,
  DigestClaim,
  DigestGroup,
  DigestSettle,
  HeldClaim,
  MemberRef,
  NewEvent,
  NewOutboxItem,
  OutboxCounts,
  OutboxFilter,
  OutboxItem,
  ReadOptions,
  SentSettle,
  SettleOptions,
  SettleOutcome,
  Snapshot,
  StoredEvent,
  VerifyOptions,
  VerifyResult,
} from "./types.ts";

/**
 * The campaign's source of truth: an append-only, hash-chained event log plus the rows that must
 * change atomically with it (outbox, plan texts) and a disposable snapshot cache.
 * Every backend runs the same test suite (test/store/store-suite.ts).
 */
export interface EventStore {
  /**
   * Appends events chained to the current head and enqueues outbox items, all in one transaction.
   * Safe against concurrent writers in other connections and processes.
   * Outbox items whose key already exists are skipped, not an error.
   */
  append(events: NewEvent[], outbox?: NewOutboxItem[], opts?: AppendOptions): Promise<StoredEvent[]>;
  head(): Promise<ChainHead>;
  /**
   * The seq of the last event at or before `at` (0 when none), found by index. The log's instants
   * rise with its seq (the engine never writes into the past), so this bounds an as-of replay.
   */
  lastSeqAt(at: string): Promise<number>;
  /** Streams events in seq order, fetching batchSize rows per query. */
  read(opts?: ReadOptions): AsyncIterable<StoredEvent>;
  /** Recomputes the whole chain (streaming) and reports the first bad seq. */
  verify(opts?: VerifyOptions): Promise<VerifyResult>;

  /** Stores a plan text under its hash; storing the same pair again only marks it as the latest. */
  putPlan(hash: string, text: string, meta?: object): Promise<void>;
  getPlan(hash: string): Promise<string | undefined>;
  /** The metadata stored with a plan version (e.g. the calendar data it was resolved with). */
  getPlanMeta(hash: string): Promise<Record<string, unknown> | undefined>;
  latestPlanHash(): Promise<string | undefined>;

  /** Snapshots are a derived cache: they may be dropped and rebuilt from the log at any time. */
  putSnapshot(seq: number, planHash: string, data: string): Promise<void>;
  latestSnapshot(maxSeq?: number, planHash?: string): Promise<Snapshot | undefined>;

  /**
   * Leases up to `limit` pending items with nextAttemptAt <= now, ordered by dueAt then id.
   * A claimed item is hidden from other claimers for the lease; attempts is incremented.
   */
  claimOutbox(now: string, limit: number, opts?: ClaimOptions): Promise<OutboxItem[]>;
  /**
   * Extends the lease of claims still held (same `attempts`, still pending) to `until`, so a send slower
   * than the lease is not taken over and sent twice. Returns the ids whose lease was extended.
   */
  renewOutboxLease(claims: HeldClaim[], until: string): Promise<number[]>;
  /**
   * Keeps the channels that already took a claimed message while it is still in flight (the same claim,
   * still pending), without an event: the outcome's event follows when the message settles. A dispatcher
   * that waits on a slower channel (a rate-limited robot) records the mail this way, so a crash meanwhile
   * does not send the mail again. False when the claim is no longer held.
   */
  keepDelivered(claim: HeldClaim, deliveredVia: string[]): Promise<boolean>;
  /** Marks a pending item sent, appending `event` in the same transaction; returns that event. */
  markSent(id: number, sentAt: string, event?: NewEvent, opts?: SettleOptions): Promise<StoredEvent | undefined>;
  /**
   * Marks many claimed items sent in one transaction, appending their events in order: what a dispatcher
   * does with the messages of its window that finished together, instead of one transaction each. Each
   * settle is fenced by its own claim (`opts.attempt`) as in {@link markSent}; one refused (settled or
   * claimed again elsewhere) leaves the others to commit. A failure of the append itself (CLOCK_BEHIND:
   * another writer logged a later instant) commits none and is thrown.
   */
  markSentMany(settles: SentSettle[]): Promise<SettleOutcome[]>;
  /** Records a failed attempt: retried at nextAttemptAt, or given up on when `final`. */
  markAttemptFailed(id: number, error: string, nextAttemptAt: string, final: boolean, event?: NewEvent, opts?: SettleOptions): Promise<StoredEvent | undefined>;
  /**
   * Makes failed items pending again (due at `nextAttemptAt`, with a fresh retry horizon), appending
   * `event` in the same transaction. All or nothing: an unknown key or one not failed is refused.
   */
  retryOutbox(keys: string[], nextAttemptAt: string, event: NewEvent): Promise<StoredEvent>;
  outboxCounts(): Promise<OutboxCounts>;
  /**
   * The earliest instant (epoch ms) at which a pending item may be claimed, or undefined when none is
   * pending: a daemon that released a campaign from memory asks it to know when its outbox needs it again.
   */
  nextOutboxAttemptMs(): Promise<number | undefined>;
  listOutbox(filter?: OutboxFilter): Promise<OutboxItem[]>;

  /**
   * Tries to become the one daemon that ticks and dispatches (a lease held as long as this connection
   * lives). Undefined when another process holds it. Correctness never depends on it (appends are
   * compare-and-swap, outbox claims are leased); it keeps several daemons from doing the same work.
   */
  tryLease(name: string): Promise<Lease | undefined>;
  /**
   * Says this process is one of the daemons of this store, for as long as it lives (PostgreSQL: a shared
   * advisory lock on its own connection), and counts those alive now: daemons divide the campaigns by it.
   * SQLite: always 1 (one host; the leases are granted to each).
   */
  joinDaemons(): Promise<DaemonPresence>;

  /** The schema version the store's tables are at now (a newer build may have migrated them since open). */
  schemaVersion(): Promise<number>;
  /**
   * This store's own id, made when the store was created and kept across restarts and upgrades (a backup
   * keeps it too, unless made with `duban backup --as-copy`). Message-IDs carry it, so two stores of one
   * campaign (production and a staging copy) never send the same Message-ID.
   */
  storeId(): Promise<string>;

  /**
   * The campaigns this store holds, in the order they were added. The first campaign, in the unprefixed
   * tables, is listed even when a release without the registry wrote it.
   */
  campaigns(): Promise<CampaignRecord[]>;
  /** Registers a campaign and makes its own tables; CAMPAIGN_EXISTS when the id is taken. */
  addCampaign(id: string, opts?: { parent?: string }): Promise<CampaignRecord>;
  /** Forgets a registration whose log is still empty (an init that failed after registering). */
  dropEmptyCampaign(id: string): Promise<void>;
  /**
   * The log of one campaign of this store (its record's prefix), on this store's connection or pool: its own
   * hash chain, outbox, plans and snapshots. Closing it leaves the store open; closing the store ends it.
   */
  campaignLog(prefix: string): EventStore;

  /**
   * Claims a digest group across the store's campaigns in one transaction. A key already recorded and open
   * (a retry after a crash or a failed attempt) claims exactly its recorded members again, once every one is
   * pending and claimable; `members` is then ignored. A new key claims all of `members` (two at least) when
   * every one is still pending, never claimed, claimable and in no open group, else none: a key stands for
   * one set of members for good (a closed key is never claimed again), so its Message-ID never carries other
   * sections. Undefined when nothing was claimed. Store-wide: on a campaign's log it acts on its store.
   */
  claimDigest(group: { key: string; members: MemberRef[] }, now: string, opts?: ClaimOptions): Promise<DigestClaim | undefined>;
  /** The digest groups recorded and still open (not yet sent, nor failed for good). */
  openDigests(): Promise<DigestGroup[]>;
  /**
   * Settles every member of a claimed digest group in one transaction: each row marked sent (or failed, or
   * due again), each member campaign's outcome event appended to its own chain. All or nothing: a member
   * refused (OUTBOX_STATE, OUTBOX_LEASE_LOST) or a chain's CLOCK_BEHIND commits none and is thrown. The group
   * closes when its message went out or a member was given up on; members left due are then sent alone.
   */
  settleDigest(key: string, settles: DigestSettle[]): Promise<StoredEvent[]>;

  close(): Promise<void>;
}

export interface DaemonPresence {
  /** The daemons of this store alive now, this one included. */
  count(): Promise<number>;
  leave(): Promise<void>;
}

export interface Lease {
  release(): Promise<void>;
  /**
   * Settles when the lease ends without release() (its connection died), so the holder stops working
   * and asks again. Absent where a lease cannot be lost (SQLite, one host).
   */
  lost?: Promise<void>;
}

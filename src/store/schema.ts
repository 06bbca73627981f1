import { randomBytes } from "node:crypto";

/**
 * Schema shared by both backends. Instants are kept twice: the ISO text exactly as given (what the
 * hash covers and what auditors quote) and epoch ms (what range queries and ordering use).
 * JSON is stored as canonical text, not jsonb, so the stored bytes are the hashed bytes.
 */
export const SCHEMA_VERSION = 2;

/** Outbox columns added after version 1, with their types: added to older stores when they are opened. */
export const OUTBOX_COLUMNS_V2: readonly (readonly [string, string])[] = [
  // JSON array of the channels that already took the message.
  ["delivered_via", "text"],
  ["retry_until", "text"],
];

/** A fresh store id: 16 hex digits, random, unique per store, kept for its life (see EventStore.storeId). */
export function newStoreId(): string {
  return randomBytes(10).toString("hex").slice(0, 16);
}

type Dialect = "sqlite" | "postgres";

/**
 * Event types that are few in a long log and read on their own by every board: the office's light marks and
 * clearings (src/publish/light-marks.ts). A read of exactly these types names them as SPARSE_TYPES_TERM does,
 * literally, so that SQLite and PostgreSQL can prove the partial index `events_sparse_idx` serves it.
 */
export const SPARSE_TYPES: readonly string[] = ["lightMarked", "lightCleared"];
export const SPARSE_TYPES_TERM = `type IN (${SPARSE_TYPES.map((t) => `'${t}'`).join(", ")})`;

/**
 * A campaign's own tables start with this (events, outbox, plans, snapshots): "" for the store's first campaign,
 * which lives in the unprefixed tables every earlier release wrote, so such a store opens unchanged.
 */
export const CAMPAIGN_PREFIX = /^(|c[0-9]{1,6}_)$/;

/** The tables of the whole store: its version, its own id, and the registry of the campaigns it holds. */
export function storeDdl(q: (table: string) => string): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${q("schema_version")} (version integer PRIMARY KEY, applied_at text NOT NULL)`,
    // Facts about this store itself (its id), not about the campaign: never hashed, never exported. Added without
    // a schema version of its own: a build that does not know it ignores it, so a rollback still opens the store.
    `CREATE TABLE IF NOT EXISTS ${q("store_meta")} (key text PRIMARY KEY, value text NOT NULL)`,
    // Like store_meta, without a schema version: an older build ignores it and sees the first campaign only.
    `CREATE TABLE IF NOT EXISTS ${q("campaigns")} (
      id text PRIMARY KEY,
      prefix text NOT NULL UNIQUE,
      parent text,
      created_at text NOT NULL
    )`,
    // The digest groups (one message for what one recipient owes in several campaigns at one send time): which
    // outbox rows of which campaign a group's Message-ID carries, so a retry claims exactly those again. A row of
    // an open group is claimed only with its group. Without a schema version: an older build ignores it.
    `CREATE TABLE IF NOT EXISTS ${q("digest_members")} (
      prefix text NOT NULL,
      outbox_id bigint NOT NULL,
      digest text NOT NULL,
      item_key text NOT NULL,
      open integer NOT NULL,
      created_at text NOT NULL,
      PRIMARY KEY (prefix, outbox_id)
    )`,
    `CREATE INDEX IF NOT EXISTS digest_members_open_idx ON ${q("digest_members")} (digest) WHERE open = 1`,
  ];
}

export function schemaDdl(dialect: Dialect, q: (table: string) => string): string[] {
  return [...storeDdl(q), ...campaignDdl(dialect, q, "")];
}

/** One campaign's tables: its hash chain, its outbox, its plan versions and its snapshots, all named with `prefix`. */
export function campaignDdl(dialect: Dialect, q: (table: string) => string, prefix: string): string[] {
  const int8 = dialect === "postgres" ? "bigint" : "INTEGER";
  const serial = dialect === "postgres" ? "bigserial PRIMARY KEY" : "INTEGER PRIMARY KEY AUTOINCREMENT";
  const t = (name: string) => q(prefix + name);
  return [
    `CREATE TABLE IF NOT EXISTS ${t("events")} (
      seq ${int8} PRIMARY KEY CHECK (seq > 0),
      at text NOT NULL,
      at_ms ${int8} NOT NULL,
      actor text NOT NULL,
      type text NOT NULL,
      payload text NOT NULL,
      plan_hash text NOT NULL,
      assignment text,
      prev_hash text NOT NULL,
      hash text NOT NULL UNIQUE
    )`,
    `CREATE INDEX IF NOT EXISTS ${prefix}events_assignment_idx ON ${t("events")} (assignment, seq) WHERE assignment IS NOT NULL`,
    `CREATE INDEX IF NOT EXISTS ${prefix}events_at_ms_idx ON ${t("events")} (at_ms)`,
    // The few events of the SPARSE_TYPES (the office's light marks, read by every board) found without a scan of
    // every event, payloads and all (a tenth of a second at 100k events). Partial, so an append of any other
    // event does not touch it. Built at the first open of an older store; an older build ignores it.
    `CREATE INDEX IF NOT EXISTS ${prefix}events_sparse_idx ON ${t("events")} (seq) WHERE ${SPARSE_TYPES_TERM}`,
    `CREATE TABLE IF NOT EXISTS ${t("outbox")} (
      id ${serial},
      key text NOT NULL UNIQUE,
      channel text NOT NULL,
      due_at text NOT NULL,
      due_at_ms ${int8} NOT NULL,
      payload text NOT NULL,
      status text NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
      attempts integer NOT NULL DEFAULT 0,
      next_attempt_at text NOT NULL,
      next_attempt_ms ${int8} NOT NULL,
      last_error text,
      sent_at text,
      event_seq ${int8} NOT NULL,
      ${OUTBOX_COLUMNS_V2.map(([c, type]) => `${c} ${type}`).join(",\n      ")}
    )`,
    `CREATE INDEX IF NOT EXISTS ${prefix}outbox_pending_idx ON ${t("outbox")} (next_attempt_ms, due_at_ms, id) WHERE status = 'pending'`,
    // A claim reads pending items in due order: walking this index it stops at the first few claimable,
    // where the one above sorts every pending item at each claim (a dispatch of n messages cost n²).
    `CREATE INDEX IF NOT EXISTS ${prefix}outbox_due_idx ON ${t("outbox")} (due_at_ms, id) WHERE status = 'pending'`,
    // Every board counts the outbox by status: failed messages (few) through this index, pending ones through
    // outbox_pending_idx, all of them through the key's; never a scan of every message's payload.
    `CREATE INDEX IF NOT EXISTS ${prefix}outbox_failed_idx ON ${t("outbox")} (id) WHERE status = 'failed'`,
    `CREATE TABLE IF NOT EXISTS ${t("plans")} (
      hash text PRIMARY KEY,
      text text NOT NULL,
      meta text,
      put_order ${int8} NOT NULL,
      stored_at text NOT NULL
    )`,
    `CREATE TABLE IF NOT EXISTS ${t("snapshots")} (
      seq ${int8} NOT NULL,
      plan_hash text NOT NULL,
      data text NOT NULL,
      created_at text NOT NULL,
      PRIMARY KEY (seq, plan_hash)
    )`,
  ];
}

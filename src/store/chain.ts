import { StoreError } from "./errors.ts";
import { InstantOrder } from "./instant-order.ts";
import { GENESIS_HASH, canonicalJson, eventHash, eventHashCanonical } from "./hash.ts";
import type { PreparedEvent } from "./validate.ts";
import type { Actor, ChainHead, OutboxItem, OutboxStatus, StoredEvent, VerifyOptions, VerifyResult } from "./types.ts";

/** An events row as both backends return it (numbers already converted from int8 strings). */
export interface EventRow {
  seq: number;
  at: string;
  at_ms: number;
  actor: string;
  type: string;
  payload: string;
  plan_hash: string;
  assignment: string | null;
  prev_hash: string;
  hash: string;
}

export interface OutboxRow {
  id: number;
  key: string;
  channel: string;
  due_at: string;
  payload: string;
  status: string;
  attempts: number;
  next_attempt_at: string;
  last_error: string | null;
  sent_at: string | null;
  event_seq: number;
  delivered_via: string | null;
  retry_until: string | null;
}

/**
 * Links prepared events onto the head; the backend must hold its write lock from reading the head to commit.
 * The log's clock never runs back: an event before the head's instant (or before the one ahead of it in the
 * same append) is refused, whoever writes it, because as-of replays find their end by instant.
 */
export function chainEvents(head: ChainHead, events: PreparedEvent[]): EventRow[] {
  let prev = head.hash;
  let seq = head.seq;
  let lastAt = head.at;
  let lastMs = head.at === undefined ? -Infinity : Date.parse(head.at);
  return events.map((e, i) => {
    if (e.atMs < lastMs) throw new StoreError("CLOCK_BEHIND", `events[${i}].at ${e.at} is before the log's last instant ${lastAt}; the log's clock never runs back`, lastAt);
    lastAt = e.at;
    lastMs = e.atMs;
    seq += 1;
    const hash = eventHashCanonical(prev, { seq, at: e.at, actorJson: e.actorJson, type: e.type, payloadJson: e.payloadJson, planHash: e.planHash, assignment: e.assignment });
    const row: EventRow = {
      seq,
      at: e.at,
      at_ms: e.atMs,
      actor: e.actorJson,
      type: e.type,
      payload: e.payloadJson,
      plan_hash: e.planHash,
      assignment: e.assignment ?? null,
      prev_hash: prev,
      hash,
    };
    prev = hash;
    return row;
  });
}

/** `actor`: the event's actor when the caller holds it already (see appendedEvent), else parsed from the row. */
export function rowToEvent(r: EventRow, actor?: Actor): StoredEvent {
  const e: StoredEvent = {
    seq: r.seq,
    at: r.at,
    actor: actor ?? (JSON.parse(r.actor) as Actor),
    type: r.type,
    payload: JSON.parse(r.payload),
    planHash: r.plan_hash,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
  if (r.assignment !== null) e.assignment = r.assignment;
  return e;
}

/**
 * The event just appended from `e`, as {@link rowToEvent} would read it back: the actor is the prepared
 * one (already a fresh copy in canonical shape), so only the payload is parsed from the stored text.
 */
export function appendedEvent(r: EventRow, e: PreparedEvent): StoredEvent {
  return rowToEvent(r, e.actor);
}

export function rowToOutbox(r: OutboxRow): OutboxItem {
  const o: OutboxItem = {
    id: r.id,
    key: r.key,
    channel: r.channel,
    dueAt: r.due_at,
    payload: JSON.parse(r.payload),
    status: r.status as OutboxStatus,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    eventSeq: r.event_seq,
  };
  if (r.last_error !== null) o.lastError = r.last_error;
  if (r.sent_at !== null) o.sentAt = r.sent_at;
  if (r.delivered_via) o.deliveredVia = JSON.parse(r.delivered_via) as string[];
  if (r.retry_until) o.retryUntil = r.retry_until;
  return o;
}

export function headOf(row: { seq: number; hash: string; at: string } | undefined): ChainHead {
  return row ? { seq: row.seq, hash: row.hash, at: row.at } : { seq: 0, hash: GENESIS_HASH };
}

function short(hash: string): string {
  return hash.length > 16 ? hash.slice(0, 16) + "…" : hash;
}

type Failure = Extract<VerifyResult, { ok: false }>;

/**
 * Re-derives the chain row by row, so verification streams in constant memory.
 * It checks the stored text, not a re-serialisation of it: an edit that keeps the JSON meaning
 * but changes its bytes is still an edit of the record.
 */
export class ChainVerifier {
  private expectedSeq = 1;
  private prevHash = GENESIS_HASH;
  private count = 0;
  private recordedHeadSeq: number | undefined;
  private readonly instants = new InstantOrder();

  constructor(private readonly opts: VerifyOptions = {}) {}

  /** Returns a failure for the first bad row; stop feeding after one. */
  feed(r: EventRow): Failure | undefined {
    const fail = (problem: string): Failure => ({ ok: false, seq: r.seq, problem, count: this.count });
    if (r.seq !== this.expectedSeq) {
      return { ok: false, seq: this.expectedSeq, problem: `序号不连续：应为第 ${this.expectedSeq} 条，实为第 ${r.seq} 条（其间的记录被删除）`, count: this.count };
    }
    if (r.prev_hash !== this.prevHash) {
      return fail(
        this.expectedSeq === 1
          ? "前一哈希（prevHash）与上一条不符：第一条记录必须接在创世哈希之后"
          : `前一哈希（prevHash）与上一条不符：第 ${r.seq - 1} 条或本条被改写`,
      );
    }
    let actor: unknown;
    let payload: unknown;
    try {
      actor = JSON.parse(r.actor);
    } catch {
      return fail("哈希不符：存储的操作人（actor）已不是有效的 JSON");
    }
    try {
      payload = JSON.parse(r.payload);
    } catch {
      return fail("哈希不符：存储的内容（payload）已不是有效的 JSON");
    }
    const hash = eventHash(r.prev_hash, {
      seq: r.seq,
      at: r.at,
      actor: actor as Actor,
      type: r.type,
      payload,
      planHash: r.plan_hash,
      assignment: r.assignment ?? undefined,
    });
    if (hash !== r.hash) return fail("哈希不符：写入后内容、操作人、时刻、类型、计划版本或事项被改动");
    if (canonicalJson(actor) !== r.actor) return fail("存储的操作人文本被改动（含义相同，字节不同）");
    if (canonicalJson(payload) !== r.payload) return fail("存储的内容文本被改动（含义相同，字节不同）");
    if (Date.parse(r.at) !== r.at_ms) return fail("时刻索引（at_ms）与记录的时刻不符");
    const behind = this.instants.check(r.seq, r.at, r.at_ms);
    if (behind) return fail(behind);
    if (this.opts.head !== undefined && r.hash === this.opts.head) this.recordedHeadSeq = r.seq;
    this.prevHash = r.hash;
    this.expectedSeq += 1;
    this.count += 1;
    return undefined;
  }

  finish(): VerifyResult {
    const { head, allowLater } = this.opts;
    const lastSeq = this.expectedSeq - 1;
    if (head !== undefined) {
      if (this.recordedHeadSeq === undefined && head !== GENESIS_HASH) {
        return {
          ok: false,
          seq: lastSeq + 1,
          problem: `找不到记录的日志头 ${short(head)}：日志在第 ${lastSeq} 条就结束了，没有到达该日志头；第 ${lastSeq} 条之后的记录被删除，或日志被改写`,
          count: this.count,
        };
      }
      const headSeq = this.recordedHeadSeq ?? 0;
      if (!allowLater && headSeq !== lastSeq) {
        return {
          ok: false,
          seq: headSeq + 1,
          problem: `记录的日志头 ${short(head)} 是第 ${headSeq} 条，但日志延续到第 ${lastSeq} 条`,
          count: this.count,
        };
      }
    }
    return { ok: true, count: this.count, head: this.prevHash };
  }
}

/** Fails an append whose writer decided from an older head (see AppendOptions.expectedSeq). */
export function checkExpected(head: ChainHead, expectedSeq: number | undefined): void {
  if (expectedSeq !== undefined && head.seq !== expectedSeq)
    throw new StoreError("HEAD_MOVED", `the log moved on (head is at ${head.seq}, expected ${expectedSeq}); reload and try again`);
}

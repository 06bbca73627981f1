import type { EventStore } from "../store/store.ts";
import type { OutboxItem } from "../store/types.ts";
import { REMINDER_CHANNEL } from "./codec.ts";

export type OutboxCheck = { ok: true; rows: number } | { ok: false; problem: string; key?: string; seq?: number };

// Far above any campaign's outbox; listOutbox pages by this limit.
const ALL = 100_000_000;

interface ReminderRow {
  row: OutboxItem;
  recipient: string;
  at: string;
  assignments: Set<string>;
}

function reminderRow(row: OutboxItem): ReminderRow | undefined {
  const p = row.payload as { recipient?: unknown; at?: unknown; items?: { assignment?: unknown }[] } | null;
  if (row.channel !== REMINDER_CHANNEL || typeof p?.recipient !== "string" || typeof p.at !== "string") return undefined;
  return { row, recipient: p.recipient, at: p.at, assignments: new Set((p.items ?? []).map((i) => String(i.assignment))) };
}

/**
 * Cross-checks the outbox against the log, which the hash chain alone cannot: an outbox row set to
 * `sent` (or `failed`) by hand suppresses a reminder for good while the chain stays intact.
 * - Every `sent` row has its `delivered` event, every `failed` row its final `deliveryFailed` event.
 * - Every `reminded` event has its outbox row: the rows written in the same transaction carry the seq of
 *   that transaction's last event, so the event's row is among the reminder rows with the first such seq
 *   at or after it; or, when the message's key was already queued, the row of that key (same recipient,
 *   same send time) was kept instead.
 */
export async function checkOutbox(store: EventStore, opts: { batchSize?: number; progress?: (read: number) => void | Promise<void> } = {}): Promise<OutboxCheck> {
  const delivered = new Set<string>();
  const failed = new Set<string>();
  const reminded: { seq: number; assignment: string; recipients: string[] }[] = [];
  const every = opts.batchSize ?? 5000;
  let read = 0;
  for await (const e of store.read(opts.batchSize ? { batchSize: opts.batchSize } : {})) {
    // A reader of the log's pages never leaves the event loop by itself: a host that serves requests
    // meanwhile gets a turn after each batch.
    if (opts.progress && ++read % every === 0) await opts.progress(read);
    const p = e.payload as { key?: unknown; final?: unknown; recipients?: unknown } | null;
    if (e.type === "delivered" && typeof p?.key === "string") delivered.add(p.key);
    else if (e.type === "deliveryFailed" && typeof p?.key === "string" && p.final !== false) failed.add(p.key);
    else if (e.type === "reminded" && e.assignment !== undefined && Array.isArray(p?.recipients)) reminded.push({ seq: e.seq, assignment: e.assignment, recipients: p.recipients.map(String) });
  }

  const rows = await store.listOutbox({ limit: ALL });
  for (const row of rows) {
    if (row.status === "sent" && !delivered.has(row.key))
      return { ok: false, key: row.key, problem: `发送记录 ${row.key} 标记为已发送，但日志中没有它的送达事件（delivered）：该消息从未送出，记录可能被改动过` };
    if (row.status === "failed" && !failed.has(row.key))
      return { ok: false, key: row.key, problem: `发送记录 ${row.key} 标记为发送失败，但日志中没有它的失败事件（deliveryFailed）：记录可能被改动过` };
  }

  const bySeq = new Map<number, ReminderRow[]>();
  const slots = new Set<string>();
  for (const row of rows) {
    const r = reminderRow(row);
    if (!r) continue;
    (bySeq.get(row.eventSeq) ?? bySeq.set(row.eventSeq, []).get(row.eventSeq)!).push(r);
    slots.add(`${r.recipient}\n${r.at}`);
  }
  const seqs = [...bySeq.keys()].sort((a, b) => a - b);
  const firstAtOrAfter = (s: number): number | undefined => {
    let lo = 0;
    let hi = seqs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (seqs[mid]! < s) lo = mid + 1;
      else hi = mid;
    }
    return seqs[lo];
  };
  for (const e of reminded) {
    const txn = firstAtOrAfter(e.seq);
    const written = txn === undefined ? [] : bySeq.get(txn)!;
    const slot = written[0]?.at;
    for (const recipient of e.recipients) {
      if (written.some((r) => r.recipient === recipient && r.assignments.has(e.assignment))) continue;
      if (slot !== undefined && slots.has(`${recipient}\n${slot}`)) continue;
      return { ok: false, seq: e.seq, problem: `日志第 ${e.seq} 条记录了对 ${recipient} 的提醒（${e.assignment}），但发送队列中没有对应的消息：该提醒从未排队发送，记录可能被删除` };
    }
  }
  return { ok: true, rows: rows.length };
}

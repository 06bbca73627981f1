import type { EventStore } from "../store/store.ts";
import { checkOutbox } from "./outbox-check.ts";

/** Where a long check is: the chain first, then the outbox against the log. */
export interface AuditProgress {
  stage: "chain" | "outbox";
  /** Events read so far in this stage. */
  checked: number;
  /** Events in the log when the check began. */
  total: number;
}

export type AuditResult =
  | { ok: true; count: number; head: string; headSeq: number; outboxRows: number }
  | { ok: false; stage: "chain"; seq: number; problem: string; count: number }
  | { ok: false; stage: "outbox"; problem: string; count: number; head: string };

export interface AuditOptions {
  /** A head recorded earlier (the daily summary's 日志头); later appends are allowed. */
  head?: string;
  batchSize?: number;
  /** Awaited after each batch: the web streams it, and gives other requests a turn there. */
  progress?: (p: AuditProgress) => void | Promise<void>;
}

/**
 * `duban verify` and the web's verify page: the whole hash chain (with a recorded head, that nothing after
 * it was deleted), then the outbox against the log. Work comes in batches, with `progress` between them.
 */
export async function auditStore(store: EventStore, opts: AuditOptions = {}): Promise<AuditResult> {
  const total = (await store.head()).seq;
  const batch = opts.batchSize ? { batchSize: opts.batchSize } : {};
  const tick = (stage: AuditProgress["stage"]) => (opts.progress ? { progress: (checked: number) => opts.progress!({ stage, checked, total }) } : {});
  const r = await store.verify({ ...(opts.head ? { head: opts.head, allowLater: true } : {}), ...batch, ...tick("chain") });
  if (!r.ok) return { ok: false, stage: "chain", seq: r.seq, problem: r.problem, count: r.count };
  const outbox = await checkOutbox(store, { ...batch, ...tick("outbox") });
  if (!outbox.ok) return { ok: false, stage: "outbox", problem: outbox.problem, count: r.count, head: r.head };
  return { ok: true, count: r.count, head: r.head, headSeq: r.count, outboxRows: outbox.rows };
}

/** The result in words, as `duban verify` prints it and the verify page shows it. */
export function auditResultZh(r: AuditResult): string {
  if (r.ok) return `完整：${r.count} 条事件，日志头 ${r.head}；发送队列 ${r.outboxRows} 条与日志一致`;
  if (r.stage === "chain") return `校验失败：第 ${r.seq} 条：${r.problem}（此前 ${r.count} 条完好）`;
  return `校验失败：发送队列与日志不符：${r.problem}`;
}

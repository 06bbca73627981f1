import { StoreError } from "./errors.ts";
import type { OutboxFilter, ReadOptions } from "./types.ts";
import { SPARSE_TYPES, SPARSE_TYPES_TERM } from "./schema.ts";
import { instantMs, positiveInt } from "./validate.ts";

/** Placeholder for the i-th (1-based) parameter: "?" for SQLite, "$i" for PostgreSQL. */
export type Placeholder = (i: number) => string;

export const DEFAULT_BATCH = 1000;

export interface PageFilter {
  toSeq: number | undefined;
  assignment: string | undefined;
  untilMs: number | undefined;
  types: readonly string[] | undefined;
  batchSize: number;
}

export function pageFilter(opts: ReadOptions): PageFilter & { fromSeq: number } {
  const fromSeq = opts.fromSeq ?? 1;
  if (!Number.isSafeInteger(fromSeq)) throw new StoreError("INVALID_ARGUMENT", `fromSeq must be an integer, got ${opts.fromSeq}`);
  if (opts.toSeq !== undefined && !Number.isSafeInteger(opts.toSeq)) throw new StoreError("INVALID_ARGUMENT", `toSeq must be an integer, got ${opts.toSeq}`);
  return {
    fromSeq,
    toSeq: opts.toSeq,
    assignment: opts.assignment,
    untilMs: opts.untilAt === undefined ? undefined : instantMs(opts.untilAt, "untilAt"),
    types: typesOf(opts.types),
    batchSize: positiveInt(opts.batchSize, "batchSize", DEFAULT_BATCH),
  };
}

function typesOf(types: readonly string[] | undefined): readonly string[] | undefined {
  if (types === undefined) return undefined;
  if (!Array.isArray(types) || types.some((t) => typeof t !== "string")) throw new StoreError("INVALID_ARGUMENT", "types must be a list of event types");
  return types;
}

/** Keyset pagination: each page starts after the last seq seen, so memory stays at one batch. */
export function eventsPage(table: string, after: number, f: PageFilter, ph: Placeholder): { sql: string; params: unknown[] } {
  const params: unknown[] = [after];
  const where = [`seq > ${ph(1)}`];
  const add = (clause: (p: string) => string, value: unknown) => {
    params.push(value);
    where.push(clause(ph(params.length)));
  };
  if (f.toSeq !== undefined) add((p) => `seq <= ${p}`, f.toSeq);
  if (f.assignment !== undefined) add((p) => `assignment = ${p}`, f.assignment);
  if (f.untilMs !== undefined) add((p) => `at_ms <= ${p}`, f.untilMs);
  if (f.types !== undefined) {
    // The sparse types as the partial index names them, or the planner cannot use it (see SPARSE_TYPES).
    if (f.types.length === SPARSE_TYPES.length && SPARSE_TYPES.every((t) => f.types!.includes(t))) where.push(SPARSE_TYPES_TERM);
    else {
      const list = f.types.map((t) => (params.push(t), ph(params.length)));
      where.push(list.length ? `type IN (${list.join(", ")})` : "false");
    }
  }
  params.push(f.batchSize);
  return { sql: `SELECT * FROM ${table} WHERE ${where.join(" AND ")} ORDER BY seq LIMIT ${ph(params.length)}`, params };
}

/**
 * SQLite's read of the newest snapshot at or before `maxSeq` (of one plan version): the newest seq through the
 * key first, then only its rows sorted. Ordering every snapshot by (seq, created_at) made SQLite read and sort
 * all of them, data and all (15 snapshots, 20 MB, at 100k events of a 30k plan).
 */
export function latestSnapshotQuery(table: string, maxSeq?: number, planHash?: string): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const where: string[] = [];
  if (maxSeq !== undefined) (where.push("seq <= ?"), params.push(maxSeq));
  if (planHash !== undefined) (where.push("plan_hash = ?"), params.push(planHash));
  const and = where.map((w) => ` AND ${w}`).join("");
  const sql = `SELECT seq, plan_hash, data FROM ${table} WHERE seq = (SELECT max(seq) FROM ${table}${where.length ? ` WHERE ${where.join(" AND ")}` : ""})${and} ORDER BY created_at DESC LIMIT 1`;
  return { sql, params: [...params, ...params] };
}

/**
 * SQLite's outbox counts as `total`, `pending`, `failed`: three counts from indexes alone (the key's, the
 * pending and the failed partial ones), never a scan of every message's payload; sent is the rest, as status
 * takes only those three values.
 */
export function outboxCountsQuery(table: string): string {
  return `SELECT (SELECT count(*) FROM ${table}) AS total, (SELECT count(*) FROM ${table} WHERE status = 'pending') AS pending, (SELECT count(*) FROM ${table} WHERE status = 'failed') AS failed`;
}

export function outboxList(table: string, filter: OutboxFilter, ph: Placeholder): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const where: string[] = [];
  for (const [column, value] of [["status", filter.status], ["channel", filter.channel], ["key", filter.key]] as const) {
    if (value === undefined) continue;
    params.push(value);
    where.push(`${column} = ${ph(params.length)}`);
  }
  params.push(positiveInt(filter.limit, "limit", 100));
  const cond = where.length ? `WHERE ${where.join(" AND ")}` : "";
  return { sql: `SELECT * FROM ${table} ${cond} ORDER BY due_at_ms, id LIMIT ${ph(params.length)}`, params };
}

/**
 * The key (seq, plan hash) of the newest snapshot matching `where`: the latest seq, and at one seq the
 * one written last. The seq is found on the primary key alone and no snapshot's data is read; the
 * caller then reads the one it picked. Ordering every matching row by `created_at` and selecting its
 * data in the same query made SQLite copy the data of every snapshot in the store into its sorter on
 * each as-of replay and each open (megabytes each on a large campaign). `planHash`: the plan condition
 * again, for the outer query (its placeholder).
 */
export function newestSnapshotKeySql(table: string, where: readonly string[], planHash: string | undefined): string {
  const inner = `SELECT max(seq) FROM ${table}${where.length ? " WHERE " + where.join(" AND ") : ""}`;
  return `SELECT seq, plan_hash FROM ${table} WHERE seq = (${inner})${planHash ? ` AND ${planHash}` : ""} ORDER BY created_at DESC LIMIT 1`;
}

/**
 * The physical limit of an append: the same rows, the same schema and the same pragmas, written by the
 * bare driver through one prepared statement per table in one transaction. Duban's bulk paths (catch-up,
 * import, the demo) are measured against it; the interactive path (one action, one durable transaction)
 * against a bare single-row transaction with the same `synchronous`.
 */
import { copyFileSync, existsSync } from "node:fs";
import Database from "better-sqlite3";
import { schemaDdl } from "../../src/store/schema.ts";
import { removeDb } from "./figures.ts";
import { median, time } from "./measure.ts";

export type Sync = "FULL" | "NORMAL";

const EVENT_COLS = ["seq", "at", "at_ms", "actor", "type", "payload", "plan_hash", "assignment", "prev_hash", "hash"] as const;
const OUTBOX_COLS = ["key", "channel", "due_at", "due_at_ms", "payload", "status", "attempts", "next_attempt_at", "next_attempt_ms", "event_seq"] as const;

export interface Rows {
  events: unknown[][];
  outbox: unknown[][];
}

/** The events after seq `afterSeq` and the outbox rows after id `afterOutboxId` of a store, as stored. */
export function rowsOf(path: string, afterSeq: number, afterOutboxId = 0): Rows {
  const db = new Database(path, { readonly: true });
  try {
    const events = db.prepare(`SELECT ${EVENT_COLS.join(", ")} FROM events WHERE seq > ? ORDER BY seq`).raw().all(afterSeq) as unknown[][];
    const outbox = db.prepare(`SELECT ${OUTBOX_COLS.join(", ")} FROM outbox WHERE id > ? ORDER BY id`).raw().all(afterOutboxId) as unknown[][];
    return { events, outbox };
  } finally {
    db.close();
  }
}

/** The last event seq and outbox id of a store: where a figure's own rows begin. */
export function marksOf(path: string): { seq: number; outboxId: number } {
  const db = new Database(path, { readonly: true });
  try {
    const seq = db.prepare<[], { m: number | null }>("SELECT max(seq) AS m FROM events").get()!.m ?? 0;
    const outboxId = db.prepare<[], { m: number | null }>("SELECT max(id) AS m FROM outbox").get()!.m ?? 0;
    return { seq, outboxId };
  } finally {
    db.close();
  }
}

function copyDb(from: string, to: string): void {
  removeDb(to);
  copyFileSync(from, to);
  if (existsSync(`${from}-wal`)) copyFileSync(`${from}-wal`, `${to}-wal`);
}

/** A scratch database with the store's schema and pragmas: a copy of `base` (its rows and indexes) or empty. */
function scratch(path: string, synchronous: Sync, base?: string): Database.Database {
  if (base) copyDb(base, path);
  else removeDb(path);
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma(`synchronous = ${synchronous}`);
  if (!base) for (const ddl of schemaDdl("sqlite", (t) => t)) db.exec(ddl);
  return db;
}

/**
 * Milliseconds to write `rows` in transactions of at most `chunk` events (one, unless the figure is too
 * large to hold one transaction's rows), each through one prepared statement per table. The outbox rows
 * go with the chunk their event_seq falls in.
 */
export function limitMs(rows: Rows, opts: { synchronous: Sync; base?: string; scratchPath: string; chunk?: number }): number {
  const db = scratch(opts.scratchPath, opts.synchronous, opts.base);
  const ev = db.prepare(`INSERT INTO events (${EVENT_COLS.join(", ")}) VALUES (${EVENT_COLS.map(() => "?").join(", ")})`);
  const ob = db.prepare(`INSERT INTO outbox (${OUTBOX_COLS.join(", ")}) VALUES (${OUTBOX_COLS.map(() => "?").join(", ")})`);
  const chunk = opts.chunk ?? Infinity;
  const tx = db.transaction((events: unknown[][], outbox: unknown[][]) => {
    for (const r of events) ev.run(r);
    for (const o of outbox) ob.run(o);
  });
  const ms = time(() => {
    let o = 0;
    for (let e = 0; e < rows.events.length || o < rows.outbox.length; e += chunk) {
      const events = rows.events.slice(e, e + chunk);
      const lastSeq = e + chunk >= rows.events.length ? Infinity : (events.at(-1)![0] as number);
      let o2 = o;
      while (o2 < rows.outbox.length && ((rows.outbox[o2]![9] as number | null) ?? 0) <= lastSeq) o2++;
      tx.immediate(events, rows.outbox.slice(o, o2));
      o = o2;
      if (events.length === 0) break;
    }
  }).ms;
  db.close();
  removeDb(opts.scratchPath);
  return ms;
}

/**
 * The median milliseconds of one bare transaction inserting one event row (the shape of `sample`, next
 * seq), `n` times, on a copy of `base` with the given durability: the floor of one durable action.
 */
export function singleRowTxMs(base: string, sample: unknown[], n: number, synchronous: Sync, scratchPath: string): number {
  const db = scratch(scratchPath, synchronous, base);
  const ev = db.prepare(`INSERT INTO events (${EVENT_COLS.join(", ")}) VALUES (${EVENT_COLS.map(() => "?").join(", ")})`);
  let seq = db.prepare<[], { m: number }>("SELECT max(seq) AS m FROM events").get()!.m;
  const tx = db.transaction((row: unknown[]) => ev.run(row));
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const row = [...sample];
    row[0] = ++seq;
    row[9] = `${String(row[9]).slice(0, 48)}${seq.toString(16).padStart(16, "0")}`;
    ms.push(time(() => tx.immediate(row)).ms);
  }
  db.close();
  removeDb(scratchPath);
  return median(ms);
}

/** Events per second. */
export function rate(events: number, ms: number): number {
  return events / (ms / 1000);
}

/**
 * PostgreSQL beside SQLite, on the same campaign driven the same way (the plan's year through
 * Campaign.step until `events` are stored, snapshots included): the hash-chained store's grouped append
 * against the bare `pg` limit (the same rows as multi-row INSERTs in one transaction, the same
 * synchronous_commit), a full replay against pg + JSON.parse + the engine's transition call, and
 * `replay --as-of` at 95 % of the log against the full replay. Skipped, with the reason, when no
 * PostgreSQL answers at DUBAN_BENCH_PG (else DUBAN_TEST_PG, else postgres://postgres@127.0.0.1:5432/test).
 */
import pg from "pg";
import { Campaign } from "../../src/campaign/campaign.ts";
import { decodeEvent, isDomainEventType } from "../../src/campaign/codec.ts";
import { parseInstant } from "../../src/engine/calendar.ts";
import { Engine } from "../../src/engine/engine.ts";
import { loadPlan, loadPlanText } from "../../src/plan/load.ts";
import type { PlanSize } from "../../src/scale/generate.ts";
import { syntheticActions } from "../../src/simulate/synthetic-actions.ts";
import { schemaDdl } from "../../src/store/schema.ts";
import { PostgresStore } from "../../src/store/postgres.ts";
import { SqliteStore } from "../../src/store/sqlite.ts";
import type { EventStore } from "../../src/store/store.ts";
import type { NewEvent, NewOutboxItem } from "../../src/store/types.ts";
import { runCampaign, yearInputs } from "./drive.ts";
import { bareFold, planFile, removeDb } from "./figures.ts";
import { rate, rowsOf } from "./limit.ts";
import { fmt, median, note, report, sample, skipped, timeAsync } from "./measure.ts";
import { limitOf } from "./writes.ts";

const DIR = "bench-data";
const URL = process.env.DUBAN_BENCH_PG ?? process.env.DUBAN_TEST_PG ?? "postgres://postgres@127.0.0.1:5432/test";
const CHUNK = 10_000;
const ROWS_PER_INSERT = 1_000;

async function unavailable(): Promise<string | undefined> {
  const c = new pg.Client({ connectionString: URL, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    await c.query("SELECT 1");
    return undefined;
  } catch (err) {
    return (err as Error).message || String(err);
  } finally {
    await c.end().catch(() => {});
  }
}

/** The same fold as Campaign's rebuild without a snapshot; returns the events read. */
async function fullReplay(store: EventStore): Promise<number> {
  const hash = (await store.latestPlanHash())!;
  const plan = loadPlanText(`plan@${hash.slice(0, 12)}`, (await store.getPlan(hash))!).plan!;
  const engine = new Engine(plan);
  let clock = -Infinity;
  let n = 0;
  for await (const s of store.read()) {
    const e = decodeEvent(plan, s);
    if (e) (engine.apply(e), e.at > clock && (clock = e.at));
    if ((++n & 4095) === 0) sample();
  }
  engine.settle(clock);
  return n;
}

async function asOfMs(store: EventStore, at: string): Promise<number> {
  const c = await Campaign.open(store);
  const zone = c.plan.campaign.timezone;
  const runs: number[] = [];
  for (let i = 0; i < 3; i++) runs.push((await timeAsync(() => c.replayAsOf(parseInstant(at, zone)))).ms);
  return median(runs);
}

type Row = unknown[];

/** Events and outbox rows, as a store's append takes them, with each outbox row's event seq. */
function asNew(rows: { events: Row[]; outbox: Row[] }): { events: NewEvent[]; outbox: (NewOutboxItem & { seq: number })[] } {
  return {
    events: rows.events.map((r) => ({ at: r[1], actor: JSON.parse(r[3] as string), type: r[4], payload: JSON.parse(r[5] as string), planHash: r[6], ...(r[7] !== null ? { assignment: r[7] } : {}) })) as NewEvent[],
    outbox: rows.outbox.map((o) => ({ key: o[0] as string, channel: o[1] as string, dueAt: o[2] as string, payload: JSON.parse(o[4] as string), seq: (o[9] as number | null) ?? 0 })),
  };
}

async function groupedAppend(store: EventStore, events: NewEvent[], outbox: (NewOutboxItem & { seq: number })[], seqs: number[]): Promise<number> {
  return (
    await timeAsync(async () => {
      let o = 0;
      for (let e = 0; e < events.length; e += CHUNK) {
        const lastSeq = e + CHUNK >= events.length ? Infinity : seqs[e + CHUNK - 1]!;
        let o2 = o;
        while (o2 < outbox.length && outbox[o2]!.seq <= lastSeq) o2++;
        await store.append(events.slice(e, e + CHUNK), outbox.slice(o, o2).map(({ seq: _, ...x }) => x));
        o = o2;
      }
    })
  ).ms;
}

/** The bare pg limit: the same rows into the same tables (a fresh schema), multi-row INSERTs, one transaction. */
async function pgLimitMs(schema: string, rows: { events: Row[]; outbox: Row[] }): Promise<number> {
  const c = new pg.Client({ connectionString: URL, options: "-c synchronous_commit=on" });
  await c.connect();
  try {
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await c.query(`CREATE SCHEMA ${schema}`);
    for (const ddl of schemaDdl("postgres", (t) => `${schema}.${t}`)) await c.query(ddl);
    const insert = async (table: string, cols: string[], all: Row[]) => {
      for (let i = 0; i < all.length; i += ROWS_PER_INSERT) {
        const chunk = all.slice(i, i + ROWS_PER_INSERT);
        const values = chunk.map((_, r) => `(${cols.map((_, k) => `$${r * cols.length + k + 1}`).join(", ")})`).join(", ");
        await c.query(`INSERT INTO ${schema}.${table} (${cols.join(", ")}) VALUES ${values}`, chunk.flat());
      }
    };
    const t = await timeAsync(async () => {
      await c.query("BEGIN");
      await insert("events", ["seq", "at", "at_ms", "actor", "type", "payload", "plan_hash", "assignment", "prev_hash", "hash"], rows.events);
      await insert("outbox", ["key", "channel", "due_at", "due_at_ms", "payload", "status", "attempts", "next_attempt_at", "next_attempt_ms", "event_seq"], rows.outbox);
      await c.query("COMMIT");
    });
    await c.query(`DROP SCHEMA ${schema} CASCADE`);
    return t.ms;
  } finally {
    await c.end();
  }
}

/** Bare full replay from PostgreSQL: one query, JSON.parse, the engine's transition call. */
async function pgBareReplayMs(schema: string, plan: ReturnType<typeof loadPlan>["plan"] & object): Promise<number> {
  const c = new pg.Client({ connectionString: URL });
  await c.connect();
  try {
    return (
      await timeAsync(async () => {
        const fold = bareFold(plan);
        const r = await c.query<{ type: string; at: string; payload: string; assignment: string | null }>(`SELECT type, at, payload, assignment FROM ${schema}.events ORDER BY seq`);
        for (const row of r.rows) {
          if (!isDomainEventType(row.type)) continue;
          fold.apply({ type: row.type, at: Date.parse(row.at), ...JSON.parse(row.payload), ...(row.assignment ? { assignment: row.assignment } : {}) });
        }
      })
    ).ms;
  } finally {
    await c.end();
  }
}

export async function figPg(size: PlanSize, events: number): Promise<void> {
  const why = await unavailable();
  if (why) {
    for (const [key, what, target] of [
      ["pg-append", "PostgreSQL: grouped append vs multi-row INSERT", "≥ 0.5"],
      ["pg-replay", "PostgreSQL: full replay vs pg + JSON.parse + transition", "≥ 0.5"],
      ["pg-as-of", "PostgreSQL: replay --as-of at 95 % vs full replay", "≤ 0.1"],
    ] as const)
      skipped(key, what, target, `no PostgreSQL at ${URL.replace(/\/\/[^@]*@/, "//…@")}: ${why}`);
    return;
  }
  const file = planFile(size);
  const plan = loadPlan(file).plan!;
  const inputs = yearInputs(new Engine(plan), syntheticActions(plan), plan.campaign.endAt);
  const schema = `duban_bench_${process.pid}`;
  const sqlitePath = `${DIR}/pg-beside-${size}.db`;
  removeDb(sqlitePath);
  const lite = new SqliteStore(sqlitePath, { synchronous: "NORMAL" });
  const pgStore = new PostgresStore(URL, { schema });
  try {
    const start = plan.campaign.startAt - 86_400_000;
    const cl = await Campaign.init(lite, file, start);
    const liteSteps = await timeAsync(() => runCampaign(cl, inputs, events, sample));
    const server = await pgAdmin((c) => c.query<{ server_version: string }>("SHOW server_version"));
    note("pg-server", `PostgreSQL server ${server.rows[0]!.server_version} on the same machine (loopback)`);
    const cp = await Campaign.init(pgStore, file, start);
    const pgSteps = await timeAsync(() => runCampaign(cp, inputs, events, sample));
    note(
      "pg-steps",
      `the year's first ${fmt(pgSteps.value.events)} events through Campaign.step, one transaction a step (${fmt(pgSteps.value.batches.length)}): PostgreSQL ${fmt(rate(pgSteps.value.events, pgSteps.ms))} ev/s, SQLite (NORMAL) ${fmt(rate(liteSteps.value.events, liteSteps.ms))} ev/s`,
    );

    // Replay and as-of, both stores.
    const replay = async (s: EventStore) => {
      const runs: number[] = [];
      let n = 0;
      for (let i = 0; i < 2; i++) {
        const t = await timeAsync(() => fullReplay(s));
        runs.push(t.ms);
        n = t.value;
      }
      return { ms: median(runs), n };
    };
    const pgReplay = await replay(pgStore);
    const liteReplay = await replay(lite);
    const barePgReplay = median([await pgBareReplayMs(schema, plan), await pgBareReplayMs(schema, plan)]);
    const own = rowsOf(sqlitePath, 0);
    const lateAt = own.events[Math.floor(own.events.length * 0.95) - 1]![1] as string;
    const pgAsOf = await asOfMs(pgStore, lateAt);
    const liteAsOf = await asOfMs(lite, lateAt);
    report({
      key: "pg-replay",
      label: `PostgreSQL: full replay from the log (${size} plan)`,
      what: `PostgreSQL full replay, ${fmt(pgReplay.n)} events (${size} plan)`,
      duban: `${fmt(rate(pgReplay.n, pgReplay.ms))} ev/s (${fmt(pgReplay.ms)} ms)`,
      bare: `pg query + JSON.parse + machine.transition ${fmt(rate(pgReplay.n, barePgReplay))} ev/s (${fmt(barePgReplay)} ms)`,
      ratio: barePgReplay / pgReplay.ms,
      target: "≥ 0.5",
      pass: barePgReplay / pgReplay.ms >= 0.5,
      extra: `SQLite, same log: ${fmt(rate(liteReplay.n, liteReplay.ms))} ev/s (${fmt(liteReplay.ms)} ms)`,
    });
    report({
      key: "pg-as-of",
      label: `PostgreSQL: \`replay --as-of\` at 95 % vs full replay (${size} plan)`,
      what: `PostgreSQL replay --as-of ${lateAt} (95 % of the log) vs full replay`,
      duban: `${fmt(pgAsOf)} ms`,
      bare: `full replay ${fmt(pgReplay.ms)} ms`,
      ratio: pgAsOf / pgReplay.ms,
      target: "≤ 0.1",
      pass: pgAsOf / pgReplay.ms <= 0.1,
      extra: `SQLite, same log: ${fmt(liteAsOf)} ms of ${fmt(liteReplay.ms)} ms (${fmt(liteAsOf / liteReplay.ms)})`,
    });

    // Grouped append on fresh stores: the same events and outbox rows, transactions of ≤ 10,000 events.
    const mine = rowsOf(sqlitePath, 1);
    const { events: newEvents, outbox } = asNew(mine);
    const seqs = mine.events.map((r) => r[0] as number);
    const appendSchema = `${schema}_append`;
    const pgFresh = new PostgresStore(URL, { schema: appendSchema });
    await pgFresh.whenReady();
    const pgAppend = await groupedAppend(pgFresh, newEvents, outbox, seqs);
    await pgFresh.close();
    await dropSchema(appendSchema);
    const pgLimit = await pgLimitMs(`${schema}_limit`, mine);
    const litePath = `${DIR}/pg-beside-append-${size}.db`;
    removeDb(litePath);
    const liteFresh = new SqliteStore(litePath, { synchronous: "NORMAL" });
    const liteAppend = await groupedAppend(liteFresh, newEvents, outbox, seqs);
    await liteFresh.close();
    removeDb(litePath);
    const liteLimit = limitOf(mine, { synchronous: "NORMAL", chunk: CHUNK });
    const n = newEvents.length;
    report({
      key: "pg-append",
      label: `PostgreSQL: grouped append (${fmt(n)} events, ${size} plan)`,
      what: `PostgreSQL hash-chained store, append ${fmt(n)} events + ${fmt(outbox.length)} outbox rows in transactions of ≤ ${fmt(CHUNK)} events (${size} plan)`,
      duban: `${fmt(rate(n, pgAppend))} ev/s (${fmt(pgAppend)} ms)`,
      bare: `pg limit: the same rows, multi-row INSERTs of ${fmt(ROWS_PER_INSERT)}, one transaction, synchronous_commit=on ${fmt(rate(n, pgLimit))} ev/s (${fmt(pgLimit)} ms)`,
      ratio: pgLimit / pgAppend,
      target: "≥ 0.5",
      pass: pgLimit / pgAppend >= 0.5,
      extra: `SQLite, same rows: ${fmt(rate(n, liteAppend))} ev/s, ${fmt(liteLimit / liteAppend)} of its limit (${fmt(rate(n, liteLimit))} ev/s)`,
    });
  } finally {
    await pgStore.close().catch(() => {});
    await lite.close().catch(() => {});
    await dropSchema(schema);
    removeDb(sqlitePath);
  }
}

async function pgAdmin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

async function dropSchema(schema: string): Promise<void> {
  await pgAdmin((c) => c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));
}

/**
 * The three PostgreSQL job queues weighed in docs/job-queue-decision.md, behind one small interface, so the
 * benchmark (scripts/bench/queue.ts) runs the same jobs and the same handler through each:
 * - duban: the store's own outbox (PostgresStore.append with outbox items, claimOutbox leases, markSent fenced by attempts);
 * - graphile: graphile-worker 0.17 (LISTEN/NOTIFY, one job per fetch unless localQueue is set);
 * - pgboss: pg-boss 10 (polling, a batch per fetch).
 * Run as a child process (`node --import tsx scripts/bench/queue-worker.ts KIND SCHEMA SMTP_PORT CONCURRENCY BATCH`) it
 * sends each job as an e-mail to a real SMTP server and records it in a table, for the SIGKILL check.
 * graphile-worker and pg-boss are imported on demand: without them (npm i -D graphile-worker@0.17 pg-boss@10)
 * only the duban queue runs.
 */
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { PostgresStore } from "../../src/store/postgres.ts";
import type { NewEvent } from "../../src/store/types.ts";

export type QueueKind = "duban" | "graphile" | "pgboss";
export const TASK = "noop";
const CHANNEL = "bench";
// One instant for every event: concurrent settles would otherwise race the log's never-backwards clock.
const AT = "2026-01-01T00:00:00+08:00";
const PLAN = "bench-plan";

export const sentEvent = (key: string): NewEvent => ({ at: AT, actor: { kind: "engine" }, type: "bench.sent", payload: { key }, planHash: PLAN });

export interface WorkerSpec {
  kind: QueueKind;
  url: string;
  schema: string;
  /** Jobs being handled at once in this process. */
  concurrency: number;
  /** Jobs fetched per query (duban: claim limit; graphile: localQueue size, 1 = off; pgboss: batchSize). */
  batch: number;
  /** Also append a hash-chained "sent" event per job (duban: in markSent's transaction; others: a separate append). */
  event: boolean;
  /** duban: claim lease; pgboss: expireInSeconds * 1000. */
  leaseMs: number;
  handler: (key: string) => Promise<void>;
  /** Called once per job after the queue has settled it. */
  onDone?: (key: string) => void;
}

export interface RunningWorker {
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export async function dropSchema(url: string, schema: string): Promise<void> {
  await withClient(url, (c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
}

// Neither package is a dependency of Duban (docs/job-queue-decision.md): loaded by name at run time, so the
// type check passes without them, and typed here only as far as this script uses them.
type AnyFn = (...args: any[]) => any;
interface GraphileModule {
  run: AnyFn;
  runMigrations: AnyFn;
  makeWorkerUtils: AnyFn;
  Logger: new (factory: AnyFn) => unknown;
}
interface PgBossInstance {
  on: AnyFn;
  start: AnyFn;
  stop: AnyFn;
  createQueue: AnyFn;
  insert: AnyFn;
  send: AnyFn;
  work: AnyFn;
}
const load = (name: string): Promise<unknown> => import(name);
export const graphile = () => load("graphile-worker") as Promise<GraphileModule>;
export async function pgBoss(): Promise<new (opts: object) => PgBossInstance> {
  return ((await load("pg-boss")) as { default: new (opts: object) => PgBossInstance }).default;
}

const quietLogger = async () => {
  const { Logger } = await graphile();
  return new Logger(() => () => {});
};

/** Creates the queue's tables in a fresh schema. */
export async function setupQueue(kind: QueueKind, url: string, schema: string): Promise<void> {
  await dropSchema(url, schema);
  if (kind === "duban") {
    const store = new PostgresStore(url, { schema });
    await store.whenReady();
    await store.close();
  } else if (kind === "graphile") {
    const { runMigrations } = await graphile();
    await runMigrations({ connectionString: url, schema, logger: await quietLogger() });
  } else {
    const PgBoss = await pgBoss();
    const boss = new PgBoss({ connectionString: url, schema, supervise: false, schedule: false });
    boss.on("error", () => {});
    await boss.start();
    await boss.createQueue(TASK);
    await boss.stop({ graceful: false, wait: true });
  }
}

/** Enqueues jobs in bulk (1,000 a transaction), each carrying its key. */
export async function enqueueMany(kind: QueueKind, url: string, schema: string, keys: string[], opts: { retryLimit?: number; leaseMs?: number } = {}): Promise<void> {
  const chunks: string[][] = [];
  for (let i = 0; i < keys.length; i += 1000) chunks.push(keys.slice(i, i + 1000));
  if (kind === "duban") {
    const store = new PostgresStore(url, { schema, max: 2 });
    for (const chunk of chunks) {
      await store.append(
        [{ at: AT, actor: { kind: "engine" }, type: "bench.queued", payload: { n: chunk.length }, planHash: PLAN }],
        chunk.map((key) => ({ key, channel: CHANNEL, dueAt: AT, payload: { key } })),
      );
    }
    await store.close();
  } else if (kind === "graphile") {
    await withClient(url, async (c) => {
      for (const chunk of chunks) {
        const specs = chunk.map((key) => ({ identifier: TASK, payload: { key }, job_key: key, max_attempts: 25 }));
        await c.query(`SELECT "${schema}".add_jobs(array(SELECT json_populate_recordset(null::"${schema}".job_spec, $1::json)))`, [JSON.stringify(specs)]);
      }
    });
  } else {
    const PgBoss = await pgBoss();
    const boss = new PgBoss({ connectionString: url, schema, supervise: false, schedule: false, migrate: false });
    boss.on("error", () => {});
    await boss.start();
    const expireInSeconds = Math.max(1, Math.round((opts.leaseMs ?? 900_000) / 1000));
    for (const chunk of chunks) {
      await boss.insert(chunk.map((key) => ({ name: TASK, data: { key }, retryLimit: opts.retryLimit ?? 25, expireInSeconds })));
    }
    await boss.stop({ graceful: false, wait: true });
  }
}

/** Jobs not yet settled. */
export async function remaining(kind: QueueKind, url: string, schema: string): Promise<number> {
  const sql =
    kind === "duban"
      ? `SELECT count(*) AS n FROM "${schema}".outbox WHERE status = 'pending'`
      : kind === "graphile"
        ? `SELECT count(*) AS n FROM "${schema}"._private_jobs`
        : `SELECT count(*) AS n FROM "${schema}".job WHERE state < 'completed'`;
  return withClient(url, async (c) => Number((await c.query<{ n: string }>(sql)).rows[0]!.n));
}

export async function startWorker(spec: WorkerSpec): Promise<RunningWorker> {
  if (spec.kind === "duban") return startDuban(spec);
  if (spec.kind === "graphile") return startGraphile(spec);
  return startPgBoss(spec);
}

/** What Duban's dispatcher does, without composing mail: claim under a lease, handle, settle fenced by the claim's attempts. */
async function startDuban(spec: WorkerSpec): Promise<RunningWorker> {
  const store = new PostgresStore(spec.url, { schema: spec.schema, max: spec.concurrency + 1 });
  await store.whenReady();
  let stopping = false;
  const loop = async () => {
    while (!stopping) {
      const items = await store.claimOutbox(new Date().toISOString(), spec.batch, { leaseMs: spec.leaseMs });
      if (items.length === 0) {
        await sleep(20);
        continue;
      }
      for (const item of items) {
        const key = (item.payload as { key: string }).key;
        await spec.handler(key);
        try {
          await store.markSent(item.id, new Date().toISOString(), spec.event ? sentEvent(key) : undefined, { attempt: item.attempts });
          spec.onDone?.(key);
        } catch (err) {
          // Another worker took it over after our lease ran out: its outcome stands.
          if ((err as { code?: string }).code !== "OUTBOX_LEASE_LOST") throw err;
        }
      }
    }
  };
  const loops = Array.from({ length: spec.concurrency }, loop);
  return {
    stop: async () => {
      stopping = true;
      await Promise.all(loops);
      await store.close();
    },
  };
}

async function startGraphile(spec: WorkerSpec): Promise<RunningWorker> {
  const { run } = await graphile();
  const store = spec.event ? new PostgresStore(spec.url, { schema: `${spec.schema}_log`, max: spec.concurrency + 1 }) : undefined;
  const runner = await run({
    noHandleSignals: true,
    logger: await quietLogger(),
    preset: {
      worker: {
        connectionString: spec.url,
        schema: spec.schema,
        concurrentJobs: spec.concurrency,
        maxPoolSize: spec.concurrency + 2,
        pollInterval: 2000,
        ...(spec.batch > 1 ? { localQueue: { size: spec.batch } } : {}),
      },
    },
    taskList: {
      [TASK]: async (payload: unknown) => {
        const key = (payload as { key: string }).key;
        await spec.handler(key);
        if (store) await store.append([sentEvent(key)]);
      },
    },
  });
  runner.events.on("job:complete", ({ job }: { job: { payload: unknown } }) => spec.onDone?.((job.payload as { key: string }).key));
  return {
    stop: async () => {
      await runner.stop();
      await store?.close();
    },
  };
}

async function startPgBoss(spec: WorkerSpec): Promise<RunningWorker> {
  const PgBoss = await pgBoss();
  const store = spec.event ? new PostgresStore(spec.url, { schema: `${spec.schema}_log`, max: spec.concurrency + 1 }) : undefined;
  // Maintenance every second so an expired job (its worker killed) is retried within the lease, as duban's is.
  const boss = new PgBoss({ connectionString: spec.url, schema: spec.schema, migrate: false, schedule: false, maintenanceIntervalSeconds: 1, max: spec.concurrency + 2 });
  boss.on("error", () => {});
  await boss.start();
  for (let i = 0; i < spec.concurrency; i++) {
    await boss.work(TASK, { batchSize: spec.batch, pollingIntervalSeconds: 0.5 }, async (jobs: { data: { key: string } }[]) => {
      for (const job of jobs) {
        await spec.handler(job.data.key);
        if (store) await store.append([sentEvent(job.data.key)]);
      }
      // pg-boss completes the batch after this resolves (without awaiting it); counted here.
      for (const job of jobs) spec.onDone?.(job.data.key);
    });
  }
  return {
    stop: async () => {
      await boss.stop({ graceful: true, wait: true, timeout: 5000 });
      await store?.close();
    },
  };
}

// ---- child process for the SIGKILL check ----

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [kind, schema, port, concurrency, batch] = process.argv.slice(2) as [QueueKind, string, string, string, string];
  const url = process.env.DUBAN_BENCH_PG!;
  const nodemailer = (await import("nodemailer")).default;
  const transport = nodemailer.createTransport({ host: "127.0.0.1", port: Number(port), secure: false, ignoreTLS: true, pool: true, maxConnections: Number(concurrency) });
  const record = new pg.Pool({ connectionString: url, max: 2 });
  const worker = await startWorker({
    kind,
    url,
    schema,
    concurrency: Number(concurrency),
    batch: Number(batch),
    event: false,
    leaseMs: Number(process.env.DUBAN_BENCH_LEASE_MS ?? 3000),
    handler: async (key) => {
      await transport.sendMail({ from: "bench@duban.test", to: "office@duban.test", subject: key, text: key, messageId: `<${key}@duban.test>` });
      // The handler's own record: a second run of one job is counted, not refused.
      await record.query(`INSERT INTO "${schema}_done".done (key, runs) VALUES ($1, 1) ON CONFLICT (key) DO UPDATE SET runs = done.runs + 1`, [key]);
    },
  });
  process.stdout.write("ready\n");
  process.on("SIGTERM", () => void worker.stop().then(() => process.exit(0)));
}

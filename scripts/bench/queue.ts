/**
 * Duban's PostgreSQL outbox against graphile-worker 0.17 and pg-boss 10 (issue 14, part 5), on one machine:
 * jobs a second for no-op jobs with 1 and 4 jobs in flight, the cost of enqueueing inside the caller's
 * transaction, pick-up latency on an idle queue, and what a SIGKILL mid-run does to exactly-once (e-mails
 * counted by Message-ID at a real SMTP server). The figures and the decision are in docs/job-queue-decision.md.
 *
 *   node --import tsx scripts/bench/queue.ts [--quick] [--only throughput,enqueue,latency,kill] [--kinds duban,graphile,pgboss]
 *   npm run bench -- --only queue [--quick]
 *
 * Needs PostgreSQL (DUBAN_BENCH_PG, else DUBAN_TEST_PG, else postgres://postgres@127.0.0.1:5432/test): skipped
 * without it. graphile-worker and pg-boss are not Duban's dependencies: `npm i --no-save graphile-worker@0.17
 * pg-boss@10` to measure them; without them only the duban rows run. Uses schemas qbench_* (dropped first).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import pg from "pg";
import { SMTPServer } from "smtp-server";
import { PostgresStore } from "../../src/store/postgres.ts";
import { dropSchema, enqueueMany, graphile, pgBoss, remaining, sentEvent, setupQueue, startWorker, TASK, type QueueKind } from "./queue-worker.ts";

const url = process.env.DUBAN_BENCH_PG ?? process.env.DUBAN_TEST_PG ?? "postgres://postgres@127.0.0.1:5432/test";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString("en-US") : n.toFixed(1));
const schemaOf = (kind: QueueKind) => `qbench_${kind}`;

/** The natural fetch size of each queue: duban's dispatcher window, graphile's default (one job a fetch), a pg-boss batch. */
const BATCH: Record<QueueKind, number> = { duban: 5, graphile: 1, pgboss: 100 };

async function available(kind: QueueKind): Promise<boolean> {
  if (kind === "duban") return true;
  try {
    await (kind === "graphile" ? graphile() : pgBoss());
    return true;
  } catch {
    return false;
  }
}

async function pgReachable(): Promise<boolean> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.end();
    return true;
  } catch {
    return false;
  }
}

async function waitEmpty(kind: QueueKind, schema: string, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if ((await remaining(kind, url, schema)) === 0) return true;
    await sleep(25);
  }
  return false;
}

// ---- throughput ----

interface Throughput {
  kind: QueueKind;
  concurrency: number;
  batch: number;
  event: boolean;
  n: number;
  enqueuePerS: number;
  jobsPerS: number;
}

async function throughput(kind: QueueKind, n: number, concurrency: number, batch: number, event: boolean): Promise<Throughput> {
  const schema = schemaOf(kind);
  await setupQueue(kind, url, schema);
  if (event && kind !== "duban") await dropSchema(url, `${schema}_log`);
  const keys = Array.from({ length: n }, (_, i) => `job-${i}`);
  const t0 = performance.now();
  await enqueueMany(kind, url, schema, keys);
  const enqueueMs = performance.now() - t0;
  const t1 = performance.now();
  const worker = await startWorker({ kind, url, schema, concurrency, batch, event, leaseMs: 600_000, handler: async () => {} });
  const done = await waitEmpty(kind, schema, 600_000);
  const ms = performance.now() - t1;
  await worker.stop();
  if (!done) throw new Error(`${kind}: jobs left after 10 minutes`);
  return { kind, concurrency, batch, event, n, enqueuePerS: (n / enqueueMs) * 1000, jobsPerS: (n / ms) * 1000 };
}

// ---- enqueue inside the caller's transaction ----

interface EnqueueCost {
  what: string;
  usPerTx: number;
}

/** 1,000 transactions, each one event row plus (or without) one job, one after another. */
async function enqueueCosts(kinds: QueueKind[], txs: number): Promise<EnqueueCost[]> {
  const out: EnqueueCost[] = [];
  const event = (i: number) => sentEvent(`e-${i}`);
  // Through Duban's own API: append(events, outbox) is the one transaction.
  const storeSchema = "qbench_tx_store";
  await dropSchema(url, storeSchema);
  const store = new PostgresStore(url, { schema: storeSchema, max: 2 });
  await store.whenReady();
  for (const withJob of [false, true]) {
    const t = performance.now();
    for (let i = 0; i < txs; i++) await store.append([event(i)], withJob ? [{ key: `k-${withJob}-${i}`, channel: "bench", dueAt: event(i).at, payload: { i } }] : []);
    out.push({ what: withJob ? "duban EventStore.append(1 event, 1 outbox item)" : "duban EventStore.append(1 event)", usPerTx: ((performance.now() - t) / txs) * 1000 });
  }
  await store.close();

  // The same shape in a plain transaction, so the three queues are compared on one footing: the EventStore
  // API cannot run another library's SQL inside its transaction (it owns its pool and its BEGIN).
  const tx = "qbench_tx";
  await dropSchema(url, tx);
  const c = new pg.Client({ connectionString: url, options: "-c synchronous_commit=on" });
  await c.connect();
  await c.query(`CREATE SCHEMA "${tx}"; CREATE TABLE "${tx}".events (id bigserial PRIMARY KEY, payload text NOT NULL)`);
  const enqueuers: { what: string; prepare?: () => Promise<void>; run: (i: number) => Promise<unknown> }[] = [
    { what: "plain tx: 1 event row, no job", run: async () => {} },
    {
      what: "plain tx + duban outbox INSERT",
      prepare: () => setupQueue("duban", url, schemaOf("duban")),
      run: (i) =>
        c.query(
          `INSERT INTO "${schemaOf("duban")}".outbox (key, channel, due_at, due_at_ms, payload, status, attempts, next_attempt_at, next_attempt_ms, event_seq)
           VALUES ($1, 'bench', $2, $3, $4, 'pending', 0, $2, $3, 0) ON CONFLICT (key) DO NOTHING`,
          [`k-${i}`, "2026-01-01T00:00:00+08:00", Date.parse("2026-01-01T00:00:00+08:00"), JSON.stringify({ i })],
        ),
    },
  ];
  if (kinds.includes("graphile")) {
    enqueuers.push({
      what: "plain tx + graphile_worker.add_job",
      prepare: () => setupQueue("graphile", url, schemaOf("graphile")),
      run: (i) => c.query(`SELECT "${schemaOf("graphile")}".add_job($1, $2::json, job_key := $3)`, [TASK, JSON.stringify({ i }), `k-${i}`]),
    });
  }
  let boss: { send: (n: string, d: object, o: object) => Promise<unknown>; stop: (o: object) => Promise<void> } | undefined;
  if (kinds.includes("pgboss")) {
    enqueuers.push({
      what: "plain tx + pg-boss send({ db })",
      prepare: async () => {
        await setupQueue("pgboss", url, schemaOf("pgboss"));
        const PgBoss = await pgBoss();
        const b = new PgBoss({ connectionString: url, schema: schemaOf("pgboss"), migrate: false, supervise: false, schedule: false, max: 2 });
        b.on("error", () => {});
        await b.start();
        boss = b;
      },
      run: (i) => boss!.send(TASK, { i }, { db: { executeSql: (text: string, values: unknown[]) => c.query(text, values) } }),
    });
  }
  for (const e of enqueuers) {
    await e.prepare?.();
    const t = performance.now();
    for (let i = 0; i < txs; i++) {
      await c.query("BEGIN");
      await c.query(`INSERT INTO "${tx}".events (payload) VALUES ($1)`, [JSON.stringify({ i })]);
      await e.run(i);
      await c.query("COMMIT");
    }
    out.push({ what: e.what, usPerTx: ((performance.now() - t) / txs) * 1000 });
  }
  await boss?.stop({ graceful: false, wait: true });
  await c.end();
  return out;
}

// ---- pick-up latency on an idle queue ----

async function latency(kind: QueueKind, samples: number): Promise<number[]> {
  const schema = schemaOf(kind);
  await setupQueue(kind, url, schema);
  let started: ((at: number) => void) | undefined;
  const worker = await startWorker({
    kind,
    url,
    schema,
    concurrency: 1,
    batch: BATCH[kind],
    event: false,
    leaseMs: 60_000,
    handler: async () => started?.(performance.now()),
  });
  await sleep(1000);
  const ms: number[] = [];
  for (let i = 0; i < samples; i++) {
    const picked = new Promise<number>((r) => (started = r));
    const t = performance.now();
    await enqueueMany(kind, url, schema, [`lat-${i}`]);
    ms.push((await picked) - t);
    // Off the polling rhythm, so the samples spread over the poll interval.
    await sleep(150 + Math.random() * 400);
  }
  await worker.stop();
  return ms;
}

// ---- exactly-once through a SIGKILL ----

interface KillResult {
  kind: QueueKind;
  jobs: number;
  killedAfter: number;
  messages: number;
  distinct: number;
  duplicates: number;
  lost: number;
  handlerReruns: number;
  stuck: number;
  recoverMs: number;
  note: string;
}

function startSmtp(): Promise<{ port: number; counts: Map<string, number>; total: () => number; close: () => Promise<void> }> {
  const counts = new Map<string, number>();
  let total = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (b: Buffer) => chunks.push(b));
      stream.on("end", () => {
        const head = Buffer.concat(chunks).toString("utf8").split(/\r?\n\r?\n/)[0] ?? "";
        const id = /^Message-ID:\s*<([^>]+)>/im.exec(head)?.[1] ?? "?";
        counts.set(id, (counts.get(id) ?? 0) + 1);
        total++;
        callback();
      });
    },
  });
  // A killed worker resets its connections: expected here.
  server.on("error", () => {});
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const port = (server.server.address() as { port: number }).port;
      resolve({ port, counts, total: () => total, close: () => new Promise((r) => server.close(() => r())) });
    }),
  );
}

function spawnWorker(kind: QueueKind, schema: string, port: number, leaseMs: number): Promise<ChildProcess> {
  const script = fileURLToPath(new URL("./queue-worker.ts", import.meta.url));
  const child = spawn(process.execPath, ["--import", "tsx", script, kind, schema, String(port), "2", String(kind === "pgboss" ? 10 : BATCH[kind])], {
    env: { ...process.env, DUBAN_BENCH_PG: url, DUBAN_BENCH_LEASE_MS: String(leaseMs) },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (b: Buffer) => b.toString().includes("ready") && resolve(child));
    child.once("exit", (code) => reject(new Error(`${kind} worker exited (${code}) before it was ready`)));
  });
}

async function killCheck(kind: QueueKind, jobs: number): Promise<KillResult> {
  const schema = schemaOf(kind);
  const leaseMs = 3000;
  await setupQueue(kind, url, schema);
  await dropSchema(url, `${schema}_done`);
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA "${schema}_done"; CREATE TABLE "${schema}_done".done (key text PRIMARY KEY, runs int NOT NULL)`);
  await enqueueMany(kind, url, schema, Array.from({ length: jobs }, (_, i) => `kill-${kind}-${i}`), { leaseMs, retryLimit: 25 });
  const smtp = await startSmtp();
  const children: ChildProcess[] = [];
  const reap = () => children.forEach((c) => c.kill("SIGKILL"));
  process.once("exit", reap);
  children.push(await spawnWorker(kind, schema, smtp.port, leaseMs), await spawnWorker(kind, schema, smtp.port, leaseMs));
  while (smtp.total() < jobs / 3) await sleep(5);
  const victim = children[0]!;
  const exited = new Promise((r) => victim.once("exit", r));
  victim.kill("SIGKILL");
  await exited;
  const killedAt = performance.now();
  const killedAfter = smtp.total();
  children[0] = await spawnWorker(kind, schema, smtp.port, leaseMs);
  let stuck = 0;
  let note = "";
  // Wait until the queue is empty, or nothing moves for 10 s (jobs held by the dead worker).
  let last = -1;
  let still = performance.now();
  for (;;) {
    const left = await remaining(kind, url, schema);
    if (left === 0) break;
    if (left !== last) (last = left), (still = performance.now());
    if (performance.now() - still > 10_000) {
      if (kind !== "graphile" || stuck) throw new Error(`${kind}: ${left} jobs never finished after the kill`);
      // graphile-worker frees a dead worker's jobs only after 4 hours, or when told which workers died.
      stuck = left;
      const { rows } = await admin.query<{ locked_by: string }>(`SELECT DISTINCT locked_by FROM "${schema}"._private_jobs WHERE locked_by IS NOT NULL`);
      const { makeWorkerUtils } = await graphile();
      const utils = await makeWorkerUtils({ connectionString: url, schema });
      await utils.forceUnlockWorkers(rows.map((r) => r.locked_by));
      await utils.release();
      note = `${stuck} jobs locked by the dead worker for 10 s (graphile's own timeout is 4 h); freed with forceUnlockWorkers`;
      still = performance.now();
    }
    await sleep(50);
  }
  const recoverMs = performance.now() - killedAt;
  await sleep(300);
  for (const c of children) c.kill("SIGTERM");
  await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once("exit", r)))));
  process.off("exit", reap);
  const { rows } = await admin.query<{ n: string; reruns: string }>(`SELECT count(*) AS n, coalesce(sum(runs - 1), 0) AS reruns FROM "${schema}_done".done`);
  await admin.end();
  await smtp.close();
  const distinct = [...smtp.counts.keys()].filter((k) => k.startsWith(`kill-${kind}-`)).length;
  return {
    kind,
    jobs,
    killedAfter,
    messages: smtp.total(),
    distinct,
    duplicates: smtp.total() - distinct,
    lost: jobs - distinct,
    handlerReruns: Number(rows[0]!.reruns),
    stuck,
    recoverMs,
    note: note || (Number(rows[0]!.n) !== distinct ? `done rows ${rows[0]!.n}` : ""),
  };
}

// ---- the machine's floor, measured in the same run ----

/** Durable single-row commits a second and bare round trips a second on one connection: what every queue here is bound by. */
async function floor(): Promise<{ commitsPerS: number; roundTripsPerS: number }> {
  const c = new pg.Client({ connectionString: url, options: "-c synchronous_commit=on" });
  await c.connect();
  await c.query(`DROP TABLE IF EXISTS public.qbench_floor; CREATE TABLE public.qbench_floor (id serial PRIMARY KEY, v text)`);
  let t = performance.now();
  for (let i = 0; i < 300; i++) await c.query("INSERT INTO public.qbench_floor (v) VALUES ($1)", ["x"]);
  const commitsPerS = 300_000 / (performance.now() - t);
  t = performance.now();
  for (let i = 0; i < 1000; i++) await c.query("SELECT 1");
  const roundTripsPerS = 1_000_000 / (performance.now() - t);
  await c.query("DROP TABLE public.qbench_floor");
  await c.end();
  return { commitsPerS, roundTripsPerS };
}

async function printFloor(when: string): Promise<void> {
  const f = await floor();
  console.log(`floor (${when}) | one connection: ${fmt(f.commitsPerS)} durable commits/s, ${fmt(f.roundTripsPerS)} SELECT 1/s | load average ${loadavg().map((x) => x.toFixed(1)).join(" ")}`);
}

// ---- main ----

export async function runQueueBench(opts: { quick: boolean; only?: string[]; kinds?: QueueKind[] }): Promise<void> {
  if (!(await pgReachable())) {
    console.log(`queue: skipped (no PostgreSQL at ${url.replace(/\/\/[^@]*@/, "//")})`);
    return;
  }
  const kinds: QueueKind[] = [];
  for (const k of opts.kinds ?? (["duban", "graphile", "pgboss"] as QueueKind[])) {
    if (await available(k)) kinds.push(k);
    else console.log(`queue: ${k} not installed (npm i --no-save graphile-worker@0.17 pg-boss@10): its rows are skipped`);
  }
  const parts = opts.only ?? ["throughput", "enqueue", "latency", "kill"];
  const n = opts.quick ? 2_000 : 10_000;
  console.log(`queue bench: ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, Node ${process.version}, ${(await pgVersion()) ?? "PostgreSQL"}; ${n} jobs`);

  await printFloor("start");
  if (parts.includes("throughput")) {
    const cases: [QueueKind, number, number, boolean][] = [];
    for (const k of kinds)
      for (const event of [false, true]) for (const c of [1, 4]) cases.push([k, c, BATCH[k], event]);
    if (kinds.includes("graphile")) cases.push(["graphile", 4, 20, false]);
    for (const [k, c, b, e] of cases) {
      const r = await throughput(k, n, c, b, e);
      console.log(
        `throughput | ${k} | in flight ${c} | fetch ${b} | ${e ? "+ hash-chained event per job" : "no-op"} | ${fmt(r.jobsPerS)} jobs/s | bulk enqueue ${fmt(r.enqueuePerS)} jobs/s`,
      );
    }
  }
  if (parts.includes("enqueue")) {
    for (const r of await enqueueCosts(kinds, opts.quick ? 300 : 1_000)) console.log(`enqueue in tx | ${r.what} | ${fmt(r.usPerTx)} µs/tx`);
  }
  if (parts.includes("latency")) {
    for (const k of kinds) {
      const ms = (await latency(k, opts.quick ? 5 : 15)).sort((a, b) => a - b);
      console.log(`latency | ${k} | idle queue, enqueue commit → handler | median ${fmt(ms[ms.length >> 1]!)} ms | max ${fmt(ms.at(-1)!)} ms`);
    }
  }
  if (parts.includes("kill")) {
    for (const k of kinds) {
      const r = await killCheck(k, opts.quick ? 600 : 2_000);
      console.log(
        `sigkill | ${k} | ${r.jobs} jobs, 2 worker processes, one killed after ${r.killedAfter} mails and restarted | delivered ${r.distinct}/${r.jobs} | duplicates ${r.duplicates} | lost ${r.lost} | handler re-runs ${r.handlerReruns} | empty ${fmt(r.recoverMs / 1000)} s after the kill${r.note ? ` | ${r.note}` : ""}`,
      );
    }
  }
  await printFloor("end");
  for (const k of ["duban", "graphile", "pgboss"] as QueueKind[]) for (const s of ["", "_log", "_done"]) await dropSchema(url, schemaOf(k) + s);
  for (const s of ["qbench_tx", "qbench_tx_store"]) await dropSchema(url, s);
}

async function pgVersion(): Promise<string | undefined> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const v = (await c.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]?.v;
  await c.end();
  return v && `PostgreSQL ${v}`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === (await import("node:path")).resolve(process.argv[1])) {
  const { values } = parseArgs({ options: { quick: { type: "boolean", default: false }, only: { type: "string" }, kinds: { type: "string" } } });
  await runQueueBench({ quick: values.quick!, only: values.only?.split(","), kinds: values.kinds?.split(",") as QueueKind[] | undefined });
  process.exit(0);
}

/**
 * What a user waits for, on the append figure's store: `duban status --overdue` (wall time of the shipped
 * CLI, a fresh process) against a fresh node process SELECTing the same rows with better-sqlite3; and the
 * web workspace served by `duban serve` (board, a filtered board, an item page, the API list: p95 of a
 * bounded sequential loop on loopback) against a bare Hono server answering the same bytes, with the
 * server's peak RSS.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { copyFileSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import Database from "better-sqlite3";
import type { PlanSize } from "../../src/scale/generate.ts";
import { loadPlan } from "../../src/plan/load.ts";
import { planFile, removeDb } from "./figures.ts";
import { fmt, median, note, report } from "./measure.ts";
import { instants, storeOf } from "./publish.ts";

const DIR = "bench-data";
const NODE = process.execPath;
/** The compiled CLI, as a user runs it (dist/, rebuilt first so it is this tree's code). */
const CLI_ENV = { ...process.env, DUBAN_FROM_SOURCE: "" };

let built = false;
function build(): void {
  if (built) return;
  execFileSync(NODE, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"], { stdio: "inherit" });
  built = true;
}

function copyStore(from: string, to: string): void {
  removeDb(to);
  copyFileSync(from, to);
  if (existsSync(`${from}-wal`)) copyFileSync(`${from}-wal`, `${to}-wal`);
}

function wallMs(cmd: string, args: string[], env: NodeJS.ProcessEnv = CLI_ENV): { ms: number; out: string } {
  const t = performance.now();
  const r = spawnSync(cmd, args, { env, encoding: "utf8", maxBuffer: 1 << 30 });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (exit ${r.status}): ${r.stderr.slice(0, 2000)}`);
  return { ms, out: r.stdout };
}

/** `duban status --overdue` vs a fresh node process printing the same rows from a bare SELECT. */
export async function figStatusOverdue(size: PlanSize, events: number): Promise<void> {
  const base = await storeOf(size, events);
  build();
  const db = `${DIR}/status-${size}.db`;
  copyStore(base, db);
  const cli = ["bin/duban.js", "--db", db, "status", "--overdue"];
  const json = JSON.parse(wallMs(NODE, [...cli, "--json"]).out) as { assignments: Record<string, unknown>[] };
  const rows = json.assignments;
  if (rows.length === 0) throw new Error("status --overdue lists nothing on this store");
  // The same rows in a table, every column precomputed: the best a bare query can do.
  const bareDb = `${DIR}/status-bare-${size}.db`;
  removeDb(bareDb);
  const cols = Object.keys(rows[0]!);
  const b = new Database(bareDb);
  b.exec(`CREATE TABLE overdue (${cols.map((c) => `"${c}"`).join(", ")})`);
  const ins = b.prepare(`INSERT INTO overdue VALUES (${cols.map(() => "?").join(", ")})`);
  b.transaction(() => {
    for (const r of rows) ins.run(cols.map((c) => (r[c] === undefined || r[c] === null ? null : typeof r[c] === "object" ? JSON.stringify(r[c]) : typeof r[c] === "boolean" ? Number(r[c]) : r[c])));
  })();
  b.close();
  const script = `const D = require("better-sqlite3"); const db = new D(${JSON.stringify(bareDb)}, { readonly: true }); const out = []; for (const r of db.prepare("SELECT * FROM overdue").raw().iterate()) out.push(r.join("\\t")); process.stdout.write(out.join("\\n") + "\\n");`;
  const dubanMs: number[] = [];
  const bareMs: number[] = [];
  let lines = 0;
  // Interleaved, so a burst of load on the shared machine falls on both alike; the first pair warms the page cache.
  for (let i = 0; i < 6; i++) {
    const d = wallMs(NODE, cli);
    const x = wallMs(NODE, ["-e", script]);
    if (i > 0) (dubanMs.push(d.ms), bareMs.push(x.ms));
    lines = x.out.trim().split("\n").length;
  }
  removeDb(db);
  removeDb(bareDb);
  const d = median(dubanMs);
  const x = median(bareMs);
  report({
    key: "status-overdue",
    label: `\`duban status --overdue\`, wall time (${size} store)`,
    what: `duban status --overdue, wall time of the compiled CLI (${size} store, ${fmt(events)} events; ${fmt(rows.length)} overdue rows)`,
    duban: `${fmt(d)} ms`,
    bare: `fresh node + better-sqlite3 SELECT of the same ${fmt(lines)} rows ${fmt(x)} ms`,
    ratio: d / x,
    target: "≤ 3x",
    pass: d / x <= 3,
  });
}

/** Lines of a child's stdout until one matches; rejects on exit or after `ms`. */
function waitFor(child: ChildProcess, re: RegExp, ms: number): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let buf = "";
    const timer = setTimeout(() => reject(new Error(`no ${re} within ${ms} ms; output: ${buf.slice(0, 2000)}`)), ms);
    child.stdout!.on("data", (c: Buffer) => {
      buf += c.toString();
      const m = re.exec(buf);
      if (m) (clearTimeout(timer), resolve(m));
    });
    child.once("exit", (code) => (clearTimeout(timer), reject(new Error(`exited ${code} before ${re}: ${buf.slice(0, 2000)}`))));
  });
}

/** Peak resident set of a live process, from the kernel (VmHWM), in MB. */
function peakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

interface Loop {
  ms: number[];
  body: Buffer;
  type: string;
  status: number;
}

/** Up to `n` sequential GETs, stopping once `budgetMs` is spent (a page of seconds is still measured, fewer times). */
async function loop(url: string, headers: Record<string, string>, n: number, budgetMs: number): Promise<Loop> {
  const ms: number[] = [];
  let body = Buffer.alloc(0);
  let status = 0;
  let type = "";
  const until = performance.now() + budgetMs;
  for (let i = 0; i < n && performance.now() < until; i++) {
    const t = performance.now();
    const r = await fetch(url, { headers, signal: AbortSignal.timeout(180_000) });
    const got = await r.arrayBuffer();
    ms.push(performance.now() - t);
    body = Buffer.from(got);
    status = r.status;
    type = r.headers.get("content-type") ?? "";
  }
  return { ms, body, type, status };
}

function p95(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(0.95 * s.length) - 1)]!;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const gone = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  const t = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await gone;
  clearTimeout(t);
}

/**
 * `duban serve` on a copy of the append figure's store, its clock fixed at the log's last instant, an
 * office account's bearer token; each page 50 times in turn (at most 90 s a page), then the same bytes
 * from a bare Hono server in its own process.
 */
export async function figWeb(size: PlanSize, events: number): Promise<void> {
  const base = await storeOf(size, events);
  build();
  const db = `${DIR}/web-${size}.db`;
  copyStore(base, db);
  const { last } = instants(db);
  const meta = new Database(db, { readonly: true });
  // An item with a trail: the first one handed in.
  const item = meta.prepare<[], { a: string }>("SELECT assignment AS a FROM events WHERE type = 'submitted' ORDER BY seq LIMIT 1").get()!.a;
  meta.close();
  const officeUnit = loadPlan(planFile(size)).plan!.leadingGroup.office.unit;
  const added = wallMs(NODE, ["bin/duban.js", "--db", db, "--now", last, "users", "add", "bench-office", "--unit", officeUnit, "--role", "office"]).out;
  const token = added.trim().split("\n").at(-1)!.trim();
  const server = spawn(NODE, ["bin/duban.js", "--db", db, "--now", last, "serve", "--port", "0"], { env: CLI_ENV, stdio: ["ignore", "pipe", "inherit"] });
  const url = (await waitFor(server, /(http:\/\/[^\s/]+)\//, 300_000))[1]!;
  const headers = { authorization: `Bearer ${token}` };
  const pages = [
    { key: "web-board", label: "office board page", path: "/" },
    { key: "web-filtered", label: "board filtered to one province (?unit=p01)", path: "/?unit=p01" },
    { key: "web-item", label: "an item page", path: `/items/${item}` },
    { key: "web-api", label: "the API list (/api/board)", path: "/api/board" },
  ];
  const N = 50;
  const BUDGET = 90_000;
  const served: (Loop & (typeof pages)[number])[] = [];
  let peak = NaN;
  try {
    for (const p of pages) served.push({ ...p, ...(await loop(url + p.path, headers, N, BUDGET)) });
    peak = peakRssMb(server.pid!);
  } finally {
    await stop(server);
  }
  removeDb(db);
  // The same bytes from a bare Hono handler in its own process, one route per page.
  const files = served.map((p, i) => {
    const f = `${DIR}/web-bytes-${i}.bin`;
    writeFileSync(f, p.body);
    return `${i}=${p.type}=${f}`;
  });
  const bare = spawn(NODE, ["scripts/bench/bare-hono.mjs", ...files], { stdio: ["ignore", "pipe", "inherit"] });
  const bareUrl = (await waitFor(bare, /(http:\/\/[^\s/]+)\//, 60_000))[1]!;
  const bareLoops: Loop[] = [];
  try {
    for (const [i] of served.entries()) bareLoops.push(await loop(`${bareUrl}/${i}`, {}, N, BUDGET));
  } finally {
    await stop(bare);
    for (const [i] of served.entries()) rmSync(`${DIR}/web-bytes-${i}.bin`, { force: true });
  }
  for (const [i, p] of served.entries()) {
    const d = p95(p.ms);
    const x = p95(bareLoops[i]!.ms);
    if (p.status !== 200) throw new Error(`${p.path} answered ${p.status}`);
    const ok = d <= 150 && d / x <= 5;
    report({
      key: p.key,
      label: `web: ${p.label}, p95 (${size} store)`,
      what: `duban serve ${p.path} (${size} store, ${fmt(p.body.length / 1024)} KB), p95 of ${p.ms.length} sequential requests on loopback`,
      duban: `p95 ${fmt(d)} ms (median ${fmt(median(p.ms))} ms)`,
      bare: `Hono handler, same bytes: p95 ${fmt(x)} ms`,
      ratio: d / x,
      target: "≤ 150 ms and ≤ 5x",
      pass: ok,
      ...(p.ms.length < N ? { extra: `only ${p.ms.length} of ${N} requests fit the ${BUDGET / 1000} s budget` } : {}),
    });
  }
  note("web-rss", `duban serve peak RSS over these requests: ${fmt(peak)} MB (${size} store)`);
}

/**
 * Scale benchmark: `npm run bench [-- --quick]`. Each figure runs in its own process, so one figure's
 * heap never counts in another's peak memory; every line prints Duban's figure, the bare baseline
 * measured in the same run on the same data, their ratio, the target, pass/miss and peak RSS.
 * One figure alone: `npm run bench -- --only cli` (names: the keys of FIGURES). Every run writes its
 * figures to bench-data/bench-run.json; `--write-docs` then regenerates docs/performance.md and the
 * README's table from that file (scripts/bench/write-docs.ts), so no figure in them is typed by hand.
 * `--only queue` compares the PostgreSQL outbox with graphile-worker and pg-boss (scripts/bench/queue.ts);
 * it runs only when named.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { PlanSize } from "../src/scale/generate.ts";
import { figCliStart } from "./bench/cli-start.ts";
import { figCycle } from "./bench/cycle.ts";
import { figStats, figXlsx } from "./bench/publish.ts";
import { appendDb, figEmail, figLoad, figReplay, figSim } from "./bench/figures.ts";
import { figAsOfPoints, figReplayChild } from "./bench/replay-core.ts";
import { figImport, figItems, figOpen } from "./bench/items.ts";
import { runQueueBench } from "./bench/queue.ts";
import { figPg } from "./bench/pg.ts";
import { figStatusOverdue, figWeb } from "./bench/felt.ts";
import { machine, writeDocs, type Run } from "./bench/write-docs.ts";
import { figAppend, figDemo, figInteractive } from "./bench/writes.ts";
import { figCampaigns } from "./bench/campaigns.ts";

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    figure: { type: "string" },
    only: { type: "string" },
    "write-docs": { type: "boolean", default: false },
    "docs-from": { type: "string" },
    size: { type: "string" },
    events: { type: "string" },
  },
});
const quick = values.quick!;
const RUN_JSON = "bench-data/bench-run.json";

if (values["docs-from"] !== undefined) {
  writeDocs(JSON.parse(readFileSync(values["docs-from"], "utf8")) as Run);
  process.exit(0);
}

/** What each figure runs on: quick mode keeps the whole run to minutes; the full run is the national size. */
const base = quick
  ? { load: "30k", cycleSmall: "3k", cycleBig: "30k", sim: "3k", append: "30k", events: 100_000, email: "3k", emails: 1_000, openings: 500, items: 10_000, pgEvents: 30_000 }
  : { load: "300k", cycleSmall: "3k", cycleBig: "300k", sim: "30k", append: "300k", events: 1_000_000, email: "3k", emails: 10_000, openings: 2_000, items: 100_000, pgEvents: 300_000 };
/**
 * `--size 300k` (any size src/scale/generate.ts knows) replaces the large size of either mode (load, the
 * daemon cycle, the append store and everything measured on it: replay, status, web, stats, xlsx, items);
 * `--events N` the number of events that store holds. So `--quick --size 300k --only web` is the web at
 * national size without the rest of the full run.
 */
const sizeArgs = [...(values.size ? ["--size", values.size] : []), ...(values.events ? ["--events", values.events] : [])];
const cfg = {
  ...base,
  ...(values.size ? { load: values.size, cycleBig: values.size, append: values.size } : {}),
  ...(values.events ? { events: Number(values.events.replace(/_/g, "")) } : {}),
};

const FIGURES: Record<string, () => void | Promise<void>> = {
  load: () => figLoad(cfg.load as PlanSize),
  "load-growth": () => {
    for (const s of ["3k", "30k"] as PlanSize[]) figLoad(s, "(growth) load+validate+resolve");
  },
  cycle: () => figCycle(cfg.cycleSmall as PlanSize, cfg.cycleBig as PlanSize),
  sim: () => figSim(cfg.sim as PlanSize),
  "sim-growth": () => figSim("3k"),
  append: () => figAppend(cfg.append as PlanSize, cfg.events),
  interactive: () => figInteractive("3k", 200),
  demo: () => figDemo(),
  replay: () => figReplay(cfg.append as PlanSize),
  // On the store the append figure built: the replay's peak in a process of its own, and as-of at five points.
  "replay-memory": () => void figReplayChild(appendDb(cfg.append as PlanSize)),
  "as-of": () => figAsOfPoints(appendDb(cfg.append as PlanSize)),
  email: () => figEmail(cfg.email as PlanSize, cfg.emails),
  status: () => figStatusOverdue(cfg.append as PlanSize, cfg.events),
  web: () => figWeb(cfg.append as PlanSize, cfg.events),
  pg: () => figPg(cfg.sim as PlanSize, cfg.pgEvents),
  cli: () => figCliStart(),
  stats: () => figStats(cfg.append as PlanSize, cfg.events),
  xlsx: () => figXlsx(cfg.append as PlanSize, cfg.events),
  open: () => figOpen(cfg.sim as PlanSize, cfg.openings),
  items: () => figItems(cfg.append as PlanSize, cfg.events, cfg.items, 1_000),
  import: () => figImport(cfg.sim as PlanSize, 10_000),
  // Not in the default order: it needs PostgreSQL (skipped without it) and, for two of its three rows,
  // packages Duban does not depend on (docs/job-queue-decision.md says how to install them).
  queue: () => runQueueBench({ quick }),
  campaigns: () => figCampaigns(quick ? 10 : 100, "3k"),
};

mkdirSync("bench-data", { recursive: true });
if (values.figure) {
  await FIGURES[values.figure]!();
  process.exit(0);
}
const all = ["load", "load-growth", "cycle", "sim", "sim-growth", "append", "interactive", "demo", "replay", "replay-memory", "as-of", "email", "status", "web", "pg", "cli", "stats", "xlsx", "open", "import", "items"];
const order = values.only ? values.only.split(",") : all.filter((f) => !quick || !f.endsWith("-growth"));
const unknown = order.filter((f) => !(f in FIGURES));
if (unknown.length) {
  console.error(`unknown figure(s): ${unknown.join(", ")}; known: ${Object.keys(FIGURES).join(", ")}`);
  process.exit(2);
}
const host = machine();
console.log(`duban bench${quick ? " --quick" : ""}: ${host.cpus} × ${cpus()[0]?.model ?? "cpu"}, ${Math.round(totalmem() / 2 ** 30)} GB, Node ${process.version}`);
const lines = `bench-data/bench-run.jsonl`;
rmSync(lines, { force: true });
const started = performance.now();
const startedAt = new Date().toISOString();
let failed: string[] = [];
for (const name of order) {
  const r = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), "--figure", name, ...(quick ? ["--quick"] : []), ...sizeArgs], {
    stdio: "inherit",
    env: { ...process.env, DUBAN_BENCH_JSON: lines, DUBAN_BENCH_FIGURE: name },
  });
  if (r.status !== 0) (failed.push(name), console.log(`${name}: the figure process failed (exit ${r.status})`));
}
const seconds = Math.round((performance.now() - started) / 1000);
console.log(`total ${seconds} s`);
let entries: unknown[] = [];
try {
  entries = readFileSync(lines, "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l));
} catch {
  entries = [];
}
const run: Run = { mode: quick ? "quick" : "full", command: `npm run bench --${quick ? " --quick" : ""}${sizeArgs.length ? ` ${sizeArgs.join(" ")}` : ""}${values.only ? ` --only ${values.only}` : ""}`, startedAt, seconds, machine: host, failed, entries: entries as Run["entries"] };
writeFileSync(RUN_JSON, JSON.stringify(run, null, 2) + "\n");
console.log(`figures written to ${RUN_JSON}`);
if (values["write-docs"]) writeDocs(run);
process.exitCode = failed.length ? 1 : 0;

/**
 * Scale benchmark: `npm run bench [-- --quick]`. Each figure runs in its own process, so one figure's
 * heap never counts in another's peak memory; every line prints Duban's figure, the bare baseline
 * measured in the same run on the same data, their ratio, the target, pass/miss and peak RSS.
 * One figure alone: `npm run bench -- --only cli` (names: the keys of FIGURES). `--only queue` compares the
 * PostgreSQL outbox with graphile-worker and pg-boss (scripts/bench/queue.ts); it runs only when named.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { PlanSize } from "../src/scale/generate.ts";
import { figCliStart } from "./bench/cli-start.ts";
import { figStats, figXlsx } from "./bench/publish.ts";
import { figAppend, figEmail, figLoad, figReplay, figSim, figTick } from "./bench/figures.ts";
import { figImport, figItems, figOpen } from "./bench/items.ts";
import { runQueueBench } from "./bench/queue.ts";
import { figCampaigns } from "./bench/campaigns.ts";

const { values } = parseArgs({
  options: { quick: { type: "boolean", default: false }, figure: { type: "string" }, only: { type: "string" } },
});
const quick = values.quick!;

/** What each figure runs on: quick mode keeps the whole run to about a minute. */
const cfg = quick
  ? { load: "30k", tickSmall: "3k", tickBig: "30k", growth: [] as PlanSize[], sim: "3k", append: "30k", events: 100_000, email: "3k", emails: 1_000, openings: 500, items: 10_000 }
  : { load: "300k", tickSmall: "3k", tickBig: "300k", growth: ["30k"] as PlanSize[], sim: "30k", append: "300k", events: 1_000_000, email: "3k", emails: 10_000, openings: 2_000, items: 100_000 };

const FIGURES: Record<string, () => void | Promise<void>> = {
  load: () => figLoad(cfg.load as PlanSize),
  "load-growth": () => {
    for (const s of ["3k", "30k"] as PlanSize[]) figLoad(s, "(growth) load+validate+resolve");
  },
  tick: () => figTick(cfg.tickSmall as PlanSize, cfg.tickBig as PlanSize, cfg.growth),
  sim: () => figSim(cfg.sim as PlanSize),
  "sim-growth": () => figSim("3k"),
  append: () => figAppend(cfg.append as PlanSize, cfg.events),
  replay: () => figReplay(cfg.append as PlanSize),
  email: () => figEmail(cfg.email as PlanSize, cfg.emails),
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
const order = values.only ? values.only.split(",") : quick ? ["load", "tick", "sim", "append", "replay", "email", "cli", "stats", "xlsx", "open", "import", "items"] : ["load", "load-growth", "tick", "sim", "sim-growth", "append", "replay", "email", "cli", "stats", "xlsx", "open", "import", "items"];
console.log(`duban bench${quick ? " --quick" : ""}: ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${Math.round(totalmem() / 2 ** 30)} GB, Node ${process.version}`);
const started = performance.now();
let failed = 0;
for (const name of order) {
  const r = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), "--figure", name, ...(quick ? ["--quick"] : [])], { stdio: "inherit" });
  if (r.status !== 0) (failed++, console.log(`${name}: the figure process failed (exit ${r.status})`));
}
console.log(`total ${((performance.now() - started) / 1000).toFixed(0)} s`);
process.exitCode = failed ? 1 : 0;

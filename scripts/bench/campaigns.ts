/**
 * Many campaigns in one store (issue 14): `count` campaigns of a generated plan each (distinct campaign
 * ids) in one SQLite store, against the same campaigns each in a store of its own.
 *  - One idle daemon cycle over every campaign of the one store (the store daemon's CampaignSlots: a
 *    campaign not due stays released) vs the sum of one idle cycle (runCycle) on each separate store.
 *  - The store daemon's peak RSS over its start (every campaign opened once for its catch-up cycle, at
 *    most keepOpen at a time), measured in a child process; beside it the same daemon keeping all open.
 * Run alone: `npm run bench -- --quick --only campaigns` (10 campaigns), without --quick 100.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { createNotifiers } from "../../notifiers/index.ts";
import { addCampaign } from "../../src/campaign/campaigns.ts";
import { Campaign } from "../../src/campaign/campaign.ts";
import { Dispatcher } from "../../src/dispatch/dispatcher.ts";
import { CampaignCache, CampaignSlot } from "../../src/daemon/campaign-slot.ts";
import { runCycle } from "../../src/daemon/cycle.ts";
import { startStoreDaemon } from "../../src/daemon/store-daemon.ts";
import { parseInstant, type EpochMs } from "../../src/engine/calendar.ts";
import { generatePlan, type PlanSize } from "../../src/scale/generate.ts";
import { SqliteStore } from "../../src/store/sqlite.ts";
import { removeDb } from "./figures.ts";
import { fmt, median, report, sample } from "./measure.ts";

const DIR = "bench-data";
const ZONE = "Asia/Shanghai";
/** Before the generated campaign's start (2025-01-01): nothing falls due for days, so every cycle is idle. */
const INIT_AT = "2024-12-20T09:00:00+08:00";
const IDLE_AT = "2024-12-20T10:00:00+08:00";
/** Idle passes timed (one a minute of the campaign's clock). */
const PASSES = 20;
const KEEP_OPEN = 8;

interface Built {
  shared: string;
  separate: string[];
  assignments: number;
}

function planText(base: string, i: number): string {
  const text = base.replace(/\n {2}id: (national-hr-market-[0-9]+)\n/, (_m, id: string) => `\n  id: ${id}-c${i}\n`);
  if (text === base) throw new Error("the generated plan's campaign id was not found");
  return text;
}

/**
 * Builds (or reuses) the stores: each campaign is added to the one store through `addCampaign` (the
 * plan loaded and resolved once), and its rows (plan text, log) are copied into its own store by SQL in
 * one transaction each, so the build loads every plan once, not twice.
 */
async function build(count: number, size: PlanSize): Promise<Built> {
  const dir = `${DIR}/campaigns-${count}x${size}`;
  const shared = `${dir}/one.db`;
  const separate = Array.from({ length: count }, (_, i) => `${dir}/own-${i}.db`);
  const base = generatePlan(size);
  if (existsSync(`${dir}/built`)) return { shared, separate, assignments: base.assignments };
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const t0 = performance.now();
  const store = new SqliteStore(shared, { synchronous: "NORMAL" });
  const at = parseInstant(INIT_AT, ZONE);
  for (let i = 0; i < count; i++) {
    const file = `${dir}/plan-${i}.yaml`;
    writeFileSync(file, planText(base.text, i));
    await addCampaign(store, file, at);
    sample();
  }
  const records = await store.campaigns();
  await store.close();
  const db = new Database(shared);
  records.forEach((r, i) => {
    const own = separate[i]!;
    removeDb(own);
    // The schema as a store of one campaign has it, then the campaign's rows copied in.
    const s = new SqliteStore(own, { synchronous: "NORMAL" });
    void s.close();
    db.prepare("ATTACH DATABASE ? AS own").run(own);
    db.transaction(() => {
      for (const t of ["events", "plans", "snapshots", "outbox"]) db.exec(`INSERT INTO own.${t} SELECT * FROM main.${r.prefix}${t}`);
    })();
    db.exec("DETACH DATABASE own");
  });
  db.close();
  writeFileSync(`${dir}/built`, "");
  console.log(`  (built ${count} campaigns in one store and ${count} stores of one in ${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  return { shared, separate, assignments: base.assignments };
}

const quiet = { log: () => {} };

/** Median ms of one idle pass of the store daemon's slots over every campaign of the one store. */
async function sharedPass(path: string): Promise<{ ms: number; held: number }> {
  const store = new SqliteStore(path);
  const notifiers = createNotifiers({ emlDir: mkdtempSync(`${tmpdir()}/duban-bench-eml-`) });
  const cache = new CampaignCache(KEEP_OPEN);
  const slots = (await store.campaigns()).map((r) => new CampaignSlot(r.id, store.campaignLog(r.prefix), cache, notifiers, quiet));
  let now: EpochMs = parseInstant(IDLE_AT, ZONE);
  const pass = async () => {
    let ran = 0;
    for (const s of slots) if ((await s.cycle(now, (o) => runCycle(o.campaign, o.dispatcher, now))) !== undefined) ran++;
    now += 60_000;
    sample();
    return ran;
  };
  // The first pass opens each campaign (its catch-up cycle) and learns when it is next due.
  if ((await pass()) !== slots.length) throw new Error("the first pass did not run every campaign");
  await pass();
  const ms: number[] = [];
  for (let i = 0; i < PASSES; i++) {
    const t = performance.now();
    const ran = await pass();
    ms.push(performance.now() - t);
    if (ran !== 0) throw new Error(`an idle pass ran ${ran} campaigns`);
  }
  const held = cache.size;
  await notifiers.close();
  await store.close();
  return { ms: median(ms), held };
}

/** The sum over the separate stores of one idle cycle's median ms, each campaign opened in turn. */
async function separateCycles(paths: string[]): Promise<number> {
  let total = 0;
  const notifiers = createNotifiers({ emlDir: mkdtempSync(`${tmpdir()}/duban-bench-eml-`) });
  for (const path of paths) {
    const store = new SqliteStore(path);
    const campaign = await Campaign.open(store);
    const dispatcher = new Dispatcher(campaign, notifiers, quiet);
    let now: EpochMs = parseInstant(IDLE_AT, ZONE);
    await runCycle(campaign, dispatcher, now);
    const ms: number[] = [];
    for (let i = 0; i < PASSES + 1; i++) {
      now += 60_000;
      const t = performance.now();
      const r = await runCycle(campaign, dispatcher, now);
      if (i > 0) ms.push(performance.now() - t);
      if (r.events || r.queued || r.dispatch.sent) throw new Error("an idle cycle did work");
    }
    total += median(ms);
    sample();
    await store.close();
  }
  await notifiers.close();
  return total;
}

/** The store daemon over the one store, in a child: its peak RSS (MB) by the time every campaign has had its start cycle. */
function daemonPeak(path: string, count: number, keepOpen: number): { mb: number; ms: number } {
  const r = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), "--daemon-child", path, String(count), String(keepOpen)], { encoding: "utf8" });
  const line = r.stdout.trim().split("\n").at(-1) ?? "";
  if (r.status !== 0 || !line.startsWith("{")) throw new Error(`the daemon child failed (exit ${r.status}): ${r.stderr.slice(-2000)}`);
  return JSON.parse(line) as { mb: number; ms: number };
}

async function daemonChild(path: string, count: number, keepOpen: number): Promise<void> {
  const t0 = performance.now();
  const store = new SqliteStore(path);
  const eml = mkdtempSync(`${tmpdir()}/duban-bench-eml-`);
  const notifiers = createNotifiers({ emlDir: eml });
  let cycles = 0;
  const noop = () => {};
  const now = parseInstant(IDLE_AT, ZONE);
  const daemon = startStoreDaemon(store, notifiers, {
    log: noop,
    now: () => now,
    keepOpen,
    watchMs: 3_600_000,
    observer: { delivered: noop, failed: noop, leaseRenewed: noop, setLease: noop, leaseLost: noop, cycle: () => void cycles++ },
  });
  while (cycles < count) await new Promise((r) => setTimeout(r, 20));
  const ms = performance.now() - t0;
  await daemon.stop();
  await notifiers.close();
  await store.close();
  rmSync(eml, { recursive: true, force: true });
  console.log(JSON.stringify({ mb: Math.round(process.resourceUsage().maxRSS / 1024), ms }));
}

export async function figCampaigns(count: number, size: PlanSize): Promise<void> {
  const built = await build(count, size);
  const shared = await sharedPass(built.shared);
  const separate = await separateCycles(built.separate);
  const ratio = shared.ms / separate;
  report({
    what: `idle daemon cycle over ${count} campaigns of ${built.assignments} assignments in one SQLite store`,
    duban: `${fmt(shared.ms)} ms (${fmt((shared.ms / count) * 1000)} µs a campaign, ${shared.held} held open)`,
    bare: `${count} stores of one campaign, one runCycle each ${fmt(separate)} ms`,
    ratio,
    target: "≤ 1.5x",
    pass: ratio <= 1.5,
  });
  const lean = daemonPeak(built.shared, count, KEEP_OPEN);
  const all = daemonPeak(built.shared, count, count);
  report({
    what: `store daemon's peak RSS over its start (${count} campaigns opened once each, keepOpen ${KEEP_OPEN}), child process`,
    duban: `${fmt(lean.mb)} MB (start ${fmt(lean.ms / 1000)} s)`,
    bare: `keeping all ${count} open ${fmt(all.mb)} MB (start ${fmt(all.ms / 1000)} s)`,
    ratio: lean.mb / all.mb,
    target: "< 1024 MB",
    pass: lean.mb < 1024,
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === "--daemon-child") {
  await daemonChild(process.argv[3]!, Number(process.argv[4]), Number(process.argv[5]));
  process.exit(0);
}

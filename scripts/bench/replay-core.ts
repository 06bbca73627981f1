/**
 * Replay figures measured in a child process of their own (peak RSS from process.resourceUsage, so nothing
 * else in the bench process counts), and `replay --as-of` at several points of the log, not only at 95 %.
 * For the bench to hook in: `figReplayChild(appendDb(size))` and `figAsOfPoints(appendDb(size))`.
 *   node --import tsx scripts/bench/replay-core.ts --child full|asof <db> [fraction]
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { Campaign } from "../../src/campaign/campaign.ts";
import { decodeEvent } from "../../src/campaign/codec.ts";
import { parseInstant } from "../../src/engine/calendar.ts";
import { Engine } from "../../src/engine/engine.ts";
import { loadPlanText } from "../../src/plan/load.ts";
import { SqliteStore } from "../../src/store/sqlite.ts";
import { fmt, report } from "./measure.ts";

interface ChildResult {
  ms: number;
  events: number;
  peakMb: number;
  folded?: number;
}

async function child(mode: string, db: string, fraction: number): Promise<ChildResult> {
  const store = new SqliteStore(db);
  try {
    if (mode === "full") {
      const hash = (await store.latestPlanHash())!;
      const plan = loadPlanText(`plan@${hash.slice(0, 12)}`, (await store.getPlan(hash))!).plan!;
      const t = performance.now();
      const engine = new Engine(plan);
      let clock = -Infinity;
      let events = 0;
      for await (const s of store.read()) {
        const e = decodeEvent(plan, s);
        if (e) {
          engine.apply(e);
          if (e.at > clock) clock = e.at;
        }
        events++;
      }
      engine.settle(clock);
      return { ms: performance.now() - t, events, peakMb: Math.round(process.resourceUsage().maxRSS / 1024) };
    }
    const d = new Database(db, { readonly: true });
    const last = d.prepare<[], { m: number }>("SELECT max(seq) AS m FROM events").get()!.m;
    const at = d.prepare<[number], { at: string }>("SELECT at FROM events WHERE seq = ?").get(Math.max(1, Math.floor(last * fraction)))!.at;
    d.close();
    const c = await Campaign.open(store);
    const when = parseInstant(at, c.plan.campaign.timezone);
    await c.boardAsOf(when); // warm: the figure is a steady as-of, not the first call's compilation
    const t = performance.now();
    const r = await c.boardAsOf(when);
    return { ms: performance.now() - t, events: r.seq, folded: r.seq - r.snapshotSeq, peakMb: Math.round(process.resourceUsage().maxRSS / 1024) };
  } finally {
    await store.close();
  }
}

function run(mode: string, db: string, fraction = 0): ChildResult {
  const r = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), "--child", mode, db, String(fraction)], { encoding: "utf8", maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`replay child failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").at(-1)!) as ChildResult;
}

/** Full replay in a fresh process: its rate and its peak RSS (target < 512 MB at 1M events). */
export function figReplayChild(db: string): ChildResult {
  const r = run("full", db);
  report({ key: "replay-memory", label: "full replay, peak memory of its own process", what: `full replay of ${r.events} events in its own process`, duban: `${fmt(r.ms)} ms`, bare: "—", ratio: r.peakMb / 512, target: "peak < 512 MB", pass: r.peakMb < 512, extra: `peak ${r.peakMb} MB` });
  return r;
}

/** `replay --as-of` at several points of the log against one full replay (target ≤ 0.1 at every point). */
export function figAsOfPoints(db: string, fractions = [0.1, 0.35, 0.5, 0.8, 0.95]): void {
  const full = run("full", db);
  for (const f of fractions) {
    const r = run("asof", db, f);
    const ratio = r.ms / full.ms;
    report({ key: `as-of-${Math.round(f * 100)}`, label: `replay --as-of at ${Math.round(f * 100)} % of the log`, what: `replay --as-of at ${Math.round(f * 100)} % of the log (seq ${r.events}, ${r.folded} events after its snapshot)`, duban: `${fmt(r.ms)} ms`, bare: `full replay ${fmt(full.ms)} ms`, ratio, target: "≤ 0.1", pass: ratio <= 0.1 });
  }
}

if (process.argv[2] === "--child") {
  const [, , , mode, db, fraction] = process.argv;
  console.log(JSON.stringify(await child(mode!, db!, Number(fraction ?? 0.95))));
  process.exit(0);
}

/**
 * What writing costs, against the physical limit (scripts/bench/limit.ts): the store's grouped append and
 * the demo (bulk: many steps' rows in few transactions, target ≥ 0.5 of the limit), and one action as one
 * durable transaction against a bare single-row transaction with the same durability.
 */
import { rmSync } from "node:fs";
import { Campaign } from "../../src/campaign/campaign.ts";
import { Engine } from "../../src/engine/engine.ts";
import { runDemo } from "../../src/demo/demo.ts";
import { loadPlan } from "../../src/plan/load.ts";
import type { PlanSize } from "../../src/scale/generate.ts";
import { syntheticActions } from "../../src/simulate/synthetic-actions.ts";
import { SqliteStore } from "../../src/store/sqlite.ts";
import type { NewEvent, NewOutboxItem } from "../../src/store/types.ts";
import { runCampaign, yearInputs } from "./drive.ts";
import { appendDb, planFile, removeDb } from "./figures.ts";
import { limitMs, marksOf, rate, rowsOf, singleRowTxMs, type Rows } from "./limit.ts";
import { fmt, median, note, report, sample, time, timeAsync } from "./measure.ts";

const DIR = "bench-data";
/** Rows a transaction holds at most on both sides, so a 1M-event figure does not hold one transaction's rows twice. */
const CHUNK = 100_000;

/** The limit's time for `rows` (median of `runs`), in transactions of at most `chunk` events. */
export function limitOf(rows: Rows, opts: { synchronous: "FULL" | "NORMAL"; base?: string; chunk?: number; runs?: number }): number {
  const ms: number[] = [];
  for (let i = 0; i < (opts.runs ?? 2); i++) ms.push(limitMs(rows, { ...opts, scratchPath: `${DIR}/limit-scratch.db` }));
  return median(ms);
}

function asNew(rows: Rows): { events: NewEvent[]; outbox: (NewOutboxItem & { seq: number })[] } {
  const events = rows.events.map((r) => ({
    at: r[1] as string,
    actor: JSON.parse(r[3] as string),
    type: r[4] as string,
    payload: JSON.parse(r[5] as string),
    planHash: r[6] as string,
    ...(r[7] !== null ? { assignment: r[7] as string } : {}),
  })) as NewEvent[];
  const outbox = rows.outbox.map((o) => ({ key: o[0] as string, channel: o[1] as string, dueAt: o[2] as string, payload: JSON.parse(o[4] as string), seq: (o[9] as number | null) ?? 0 }));
  return { events, outbox };
}

/**
 * The year's first `limit` events through Campaign.step (one transaction a step, as the daemon runs live),
 * then the same events and outbox rows through the hash-chained store's append grouped into transactions
 * of up to 100,000 events (what a bulk path does), each against the limit of the same rows.
 */
export async function figAppend(size: PlanSize, limit: number): Promise<void> {
  const file = planFile(size);
  const plan = loadPlan(file).plan!;
  const inputs = yearInputs(new Engine(plan), syntheticActions(plan), plan.campaign.endAt);
  const engineOnly = time(() => {
    const e = new Engine(plan);
    let n = 0;
    for (let i = 0; i < inputs.length && n < limit; i++) n += e.step(inputs[i]!.input, inputs[i]!.now).events.length;
  }).ms;
  const path = appendDb(size);
  removeDb(path);
  // NORMAL on every side: with FULL each side would mostly measure the disk's fsync.
  const store = new SqliteStore(path, { synchronous: "NORMAL" });
  const campaign = await Campaign.init(store, file, plan.campaign.startAt - 86_400_000);
  const { ms: stepMs, value } = await timeAsync(() => runCampaign(campaign, inputs, limit, sample));
  await store.close();

  const all = rowsOf(path, 0);
  const limitAll = limitOf(all, { synchronous: "NORMAL", chunk: CHUNK });
  // The campaign's own rows after its init event, as NewEvents for the chained store.
  const own = rowsOf(path, 1, 0);
  const { events, outbox } = asNew(own);
  const limitOwn = limitOf(own, { synchronous: "NORMAL", chunk: CHUNK });
  const storePath = `${DIR}/append-store-${size}.db`;
  const grouped = async () => {
    removeDb(storePath);
    const chained = new SqliteStore(storePath, { synchronous: "NORMAL" });
    const t = await timeAsync(async () => {
      let o = 0;
      for (let e = 0; e < events.length; e += CHUNK) {
        const lastSeq = e + CHUNK >= events.length ? Infinity : (own.events[e + CHUNK - 1]![0] as number);
        let o2 = o;
        while (o2 < outbox.length && outbox[o2]!.seq <= lastSeq) o2++;
        await chained.append(events.slice(e, e + CHUNK), outbox.slice(o, o2).map(({ seq: _, ...x }) => x));
        o = o2;
      }
    });
    await chained.close();
    return t.ms;
  };
  const groupedMs = median([await grouped(), await grouped()]);
  // The same store in the campaign's own transactions (one a step): the live daemon's write pattern.
  const perStep = async () => {
    removeDb(storePath);
    const chained = new SqliteStore(storePath, { synchronous: "NORMAL" });
    const t = await timeAsync(async () => {
      let e = 0;
      let o = 0;
      for (const [ne, no] of value.batches) {
        await chained.append(events.slice(e, e + ne), outbox.slice(o, o + no).map(({ seq: _, ...x }) => x));
        e += ne;
        o += no;
      }
    });
    await chained.close();
    return t.ms;
  };
  const perStepMs = await perStep();
  removeDb(storePath);
  const n = events.length;
  const lim = rate(n, limitOwn);
  const g = rate(n, groupedMs);
  report({
    key: "append-bulk",
    label: `append to the hash-chained SQLite store, grouped (${fmt(n)} events, ${size} plan)`,
    what: `append ${n} events + ${outbox.length} outbox rows to the hash-chained SQLite store in transactions of ≤ ${fmt(CHUNK)} events (${size} plan)`,
    duban: `${fmt(g)} ev/s (${fmt(groupedMs)} ms)`,
    bare: `limit: same rows, one prepared INSERT per table, same transactions, WAL + NORMAL ${fmt(lim)} ev/s (${fmt(limitOwn)} ms)`,
    ratio: g / lim,
    target: "≥ 0.5",
    pass: g / lim >= 0.5,
  });
  const ps = rate(n, perStepMs);
  const cs = rate(value.events, stepMs);
  const limAll = rate(all.events.length, limitAll);
  note(
    "append-per-step",
    `live pattern, one transaction per step (${fmt(value.batches.length)} transactions): the store ${fmt(ps)} ev/s = ${fmt(ps / lim)} of the limit; the whole Campaign.step path (engine ${fmt(engineOnly)} ms, store, snapshots) ${fmt(cs)} ev/s = ${fmt(cs / limAll)} of the limit`,
  );
}

/**
 * One action = one durable transaction: Campaign.step({submit}) on a store with the default durability
 * (synchronous FULL), one at a time at idle instants, vs a bare single-row INSERT transaction with FULL
 * on a copy of the same store. Medians.
 */
export async function figInteractive(size: PlanSize, n: number): Promise<void> {
  const file = planFile(size);
  const plan = loadPlan(file).plan!;
  const path = `${DIR}/interactive-${size}.db`;
  removeDb(path);
  const store = new SqliteStore(path);
  const campaign = await Campaign.init(store, file, plan.campaign.startAt - 86_400_000);
  let now = campaign.calendar.at("2025-03-04", "10:00");
  await campaign.tick(now);
  const owed = campaign
    .views()
    .views.filter((v) => v.progress === "open" && !v.assignment.opened && plan.units.get(v.assignment.unit)?.kind === "district")
    .map((v) => v.assignment);
  const WARM = 20;
  const total = Math.min(n + WARM, owed.length);
  const ms: number[] = [];
  for (let i = 0; i < total; i++) {
    const a = owed[i]!;
    const t = performance.now();
    const r = await campaign.step({ type: "submit", assignment: a.id, actor: { kind: "unit", unit: a.unit }, note: "已按要求报送" }, ++now);
    const d = performance.now() - t;
    if (r.refused || r.events.length !== 1) throw new Error(`submit of ${a.id}: ${r.events.length} events, refused ${JSON.stringify(r.refused)}`);
    if (i >= WARM) ms.push(d);
  }
  await store.close();
  const { seq } = marksOf(path);
  const last = rowsOf(path, seq - 1).events[0]!;
  const bare = singleRowTxMs(path, last, ms.length, "FULL", `${DIR}/interactive-scratch.db`);
  removeDb(path);
  const d = median(ms);
  report({
    key: "interactive",
    label: `one action = one durable transaction (submit, ${size} plan)`,
    what: `one action, one durable transaction: Campaign.step(submit), ${ms.length} in turn, synchronous FULL (${size} plan)`,
    duban: `${fmt(d)} ms/action`,
    bare: `single-row INSERT transaction, WAL + FULL ${fmt(bare)} ms`,
    ratio: d / bare,
    target: "≤ 2x (proposed; #16 sets none)",
    pass: d / bare <= 2,
  });
}

/**
 * `duban demo` (the shipped Chongqing plan, its default days): every step, import and daemon cycle with
 * its .eml dispatch, vs the limit writing the rows it left in one transaction.
 */
export async function figDemo(): Promise<void> {
  const dir = `${DIR}/demo`;
  const { ms, value } = await timeAsync(() => runDemo({ plan: "plans/chongqing-2021.yaml", dir, from: "2021-05-01", log: () => {} }));
  const rows = rowsOf(value.db, 0);
  const lim = limitOf(rows, { synchronous: "NORMAL" });
  rmSync(dir, { recursive: true, force: true });
  const r = rate(rows.events.length, ms);
  const l = rate(rows.events.length, lim);
  report({
    key: "demo",
    label: "`duban demo` (Chongqing plan) writing its log",
    what: `duban demo, Chongqing plan (${fmt(value.events)} events, ${fmt(rows.outbox.length)} outbox rows, ${fmt(value.messages)} .eml files)`,
    duban: `${fmt(r)} ev/s (${fmt(ms)} ms)`,
    bare: `limit: the same rows in one transaction, WAL + NORMAL ${fmt(l)} ev/s (${fmt(lim)} ms)`,
    ratio: r / l,
    target: "≥ 0.5",
    pass: r / l >= 0.5,
  });
}

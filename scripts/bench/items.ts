/**
 * Items opened while the campaign runs, at scale: what one opening costs beside a submit on the same
 * store, and what 100,000 opened items cost the figures a national campaign lives on (idle tick, the
 * board page, replay) beside the same store without them.
 */
import { copyFileSync, existsSync, rmSync } from "node:fs";
import Database from "better-sqlite3";
import ExcelJS from "exceljs";
import { createNotifiers } from "../../notifiers/index.ts";
import { Campaign } from "../../src/campaign/campaign.ts";
import { runCycle } from "../../src/daemon/cycle.ts";
import { Dispatcher } from "../../src/dispatch/dispatcher.ts";
import { decodeEvent } from "../../src/campaign/codec.ts";
import { parseInstant, type EpochMs } from "../../src/engine/calendar.ts";
import { calendarOf } from "../../src/engine/calendar-of.ts";
import { Engine } from "../../src/engine/engine.ts";
import type { OpenRequest } from "../../src/engine/types.ts";
import type { ResolvedPlan } from "../../src/model/definition.ts";
import { readImport } from "../../src/items/import-sheet.ts";
import { loadPlan } from "../../src/plan/load.ts";
import type { PlanSize } from "../../src/scale/generate.ts";
import { SqliteStore } from "../../src/store/sqlite.ts";
import type { Viewer, WebDeps } from "../../src/web/context.ts";
import { boardFilter, filterRows, visibleBoard } from "../../src/web/data.ts";
import { boardPage } from "../../src/web/views/board.ts";
import { planFile, removeDb } from "./figures.ts";
import { fmt, median, peakMb, report, sample, timeAsync, time } from "./measure.ts";
import { marksOf, rowsOf } from "./limit.ts";
import { limitOf } from "./writes.ts";
import { instants, storeOf } from "./publish.ts";

const DIR = "bench-data";
/** The kind the generated plan declares for the benches (src/scale/generate.ts). */
const KIND = "rectify";

/** The office's opening of the i-th item: one county each in turn, a distinct agency (the kind's key). */
export function rectifyRequest(plan: ResolvedPlan, counties: readonly string[], i: number): OpenRequest {
  return {
    kind: KIND,
    to: [counties[i % counties.length]!],
    title: `整改事项 ${i + 1}`,
    fields: { agency: `某人力资源服务机构${i + 1}`, problem: "未按规定公示服务项目和收费标准，责令限期整改" },
    actor: { kind: "unit", unit: plan.leadingGroup.office.unit },
  };
}

export function countiesOf(plan: ResolvedPlan): string[] {
  const kind = plan.kinds.get(KIND);
  if (!kind) throw new Error(`the generated plan has no kind ${KIND}: regenerate bench-data (src/scale/generate.ts)`);
  return [...kind.recipients.units].sort();
}

/**
 * Campaign.openItem vs Campaign.step({type: "submit"}) on the same SQLite store, interleaved (each pair
 * in alternating order) at idle instants, so both pay the same refresh, head check, append and commit.
 * The median of each is the figure: a snapshot falls on whichever step crosses its spacing, and the
 * means (which include it) are printed beside.
 */
export async function figOpen(size: PlanSize, n: number): Promise<void> {
  const file = planFile(size);
  const plan = loadPlan(file).plan!;
  const path = `${DIR}/open-${size}.db`;
  removeDb(path);
  const store = new SqliteStore(path, { synchronous: "NORMAL" });
  const campaign = await Campaign.init(store, file, plan.campaign.startAt - 86_400_000);
  const cal = campaign.calendar;
  // A working morning in the self-inspection phase: the county items are open and nothing falls due for hours.
  let now = cal.at("2025-03-04", "10:00");
  await campaign.tick(now);
  const owed = campaign
    .views()
    .views.filter((v) => v.progress === "open" && !v.assignment.opened && plan.units.get(v.assignment.unit)?.kind === "district")
    .map((v) => v.assignment);
  const WARM = 50;
  const total = Math.min(n + WARM, owed.length);
  const counties = countiesOf(plan);
  const submitMs: number[] = [];
  const openMs: number[] = [];
  const submit = async (i: number) => {
    const a = owed[i]!;
    const t = performance.now();
    const r = await campaign.step({ type: "submit", assignment: a.id, actor: { kind: "unit", unit: a.unit }, note: "已按要求报送" }, ++now);
    const ms = performance.now() - t;
    if (r.refused || r.events.length !== 1) throw new Error(`submit of ${a.id}: ${r.events.length} events, refused ${JSON.stringify(r.refused)}`);
    if (i >= WARM) submitMs.push(ms);
  };
  const open = async (i: number) => {
    const t = performance.now();
    const r = await campaign.openItem(rectifyRequest(plan, counties, i), ++now);
    const ms = performance.now() - t;
    // One event each side: nothing else falls due inside the measured window.
    if (!r.id || r.events.length !== 1) throw new Error(`opening ${i}: ${r.events.length} events, refused ${JSON.stringify(r.refused)}`);
    if (i >= WARM) openMs.push(ms);
  };
  for (let i = 0; i < total; i++) {
    if (i & 1) (await open(i), await submit(i));
    else (await submit(i), await open(i));
    if ((i & 63) === 0) sample();
  }
  await store.close();
  removeDb(path);
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const o = median(openMs);
  const s = median(submitMs);
  report({
    key: "open",
    label: `open an item vs submit, same store (${size} plan)`,
    what: `open an item (Campaign.openItem) vs submit (Campaign.step), ${openMs.length} each interleaved, same SQLite store (${size} plan)`,
    duban: `${(o * 1000).toFixed(0)} µs/opening`,
    bare: `submit ${(s * 1000).toFixed(0)} µs`,
    ratio: o / s,
    target: "≤ 2x",
    pass: o / s <= 2,
    extra: `means (with snapshots) ${(mean(openMs) * 1000).toFixed(0)} / ${(mean(submitMs) * 1000).toFixed(0)} µs`,
  });
}

/** The same fold as Campaign's rebuild without a snapshot (as the replay figure); returns the settled engine. */
async function fullReplay(store: SqliteStore, plan: ResolvedPlan): Promise<{ engine: Engine; events: number }> {
  const engine = new Engine(plan);
  let clock = -Infinity;
  let events = 0;
  for await (const s of store.read()) {
    const e = decodeEvent(plan, s);
    if (e) (engine.apply(e), e.at > clock && (clock = e.at));
    if ((++events & 4095) === 0) sample();
  }
  engine.settle(clock);
  return { engine, events };
}

interface StoreFigures {
  events: number;
  items: number;
  replayMs: number[];
  asOfMs: number[];
  /** Events the as-of replay folds after its snapshot. */
  asOfFold: number;
  /** One idle daemon cycle, µs (the median batch over its cycles). */
  cycleUs: number;
  pageMs: number[];
  boardMs: number[];
  pageBytes: number;
}

/** Idle daemon cycles per batch. */
const IDLE_K = 50;

/**
 * A daemon cycle with nothing to do (runCycle: Campaign.tick, the daily-summary check, the outbox claim;
 * it commits nothing) on each campaign at the same instants a second apart from `at`, in batches that
 * alternate between them, as the idle-cycle figure does (scripts/bench/cycle.ts). Each is first brought
 * to `at` untimed: one cycle applies what fell due since its log's end, and what that queued is skipped
 * (as `--catch-up skip` does), so the timed cycles find nothing to do. Returns µs per cycle.
 */
async function idleCycles(campaigns: Campaign[], at: EpochMs): Promise<number[]> {
  const eml = createNotifiers({ emlDir: `${DIR}/items-eml` });
  try {
    for (const c of campaigns) await runCycle(c, new Dispatcher(c, eml, { skipOlderThanMs: 0 }), at);
    const quiet = campaigns.map((c) => new Dispatcher(c, eml));
    let now = at;
    const batches = campaigns.map((): number[] => []);
    for (let round = 0; round < 11; round++) {
      const from = now;
      const order = round & 1 ? [...campaigns.keys()].reverse() : [...campaigns.keys()];
      for (const k of order) {
        let t = from;
        const ms = (
          await timeAsync(async () => {
            for (let i = 0; i < IDLE_K; i++) {
              const r = await runCycle(campaigns[k]!, quiet[k]!, (t += 1_000));
              if (r.events || r.queued || r.summaryQueued || r.dispatch.sent) throw new Error(`an idle cycle did something: ${JSON.stringify(r)}`);
            }
          })
        ).ms;
        // The first round warms up.
        if (round > 0) batches[k]!.push(ms);
        now = Math.max(now, t);
      }
      sample();
    }
    return batches.map((b) => (median(b) / IDLE_K) * 1000);
  } finally {
    await eml.close();
  }
}

/**
 * Replay, idle daemon cycle, the office's board page and `replay --as-of` on both stores, the runs alternating
 * between them so neither is the one that warms the JIT up or meets the machine busier; the first run
 * of each pair is a warm-up. Both campaigns are open at once for the page; each replayed engine is
 * dropped before the next replay.
 */
async function measureStores(paths: string[], tickAt: EpochMs, asOf: EpochMs): Promise<StoreFigures[]> {
  const out = paths.map((): StoreFigures => ({ events: 0, items: 0, replayMs: [], asOfMs: [], asOfFold: 0, cycleUs: 0, pageMs: [], boardMs: [], pageBytes: 0 }));
  const stores = paths.map((p) => new SqliteStore(p));
  const campaigns: Campaign[] = [];
  for (const s of stores) campaigns.push(await Campaign.open(s));
  const f = boardFilter(() => undefined);
  const office = { user: { id: "bench", role: "office" }, via: "session" } as unknown as Viewer;
  for (let run = 0; run < 6; run++) {
    for (const [k, campaign] of campaigns.entries()) {
      const now = campaign.clock;
      // The office's board page: what GET / computes and renders (refresh, board rows, lights, the page).
      const deps = { campaign, now: () => now, lock: { run: <T>(fn: () => Promise<T>) => fn() } } as unknown as WebDeps;
      const page = await timeAsync(async () => {
        const { rows } = await visibleBoard(deps, office);
        return boardPage(campaign.plan, now, rows, filterRows(campaign.plan, rows, f), f, true).value.length;
      });
      const board = time(() => campaign.board(now));
      if (run > 0) (out[k]!.pageMs.push(page.ms), out[k]!.boardMs.push(board.ms));
      out[k]!.pageBytes = page.value;
      out[k]!.items = board.value.length;
      sample();
    }
  }
  for (let run = 0; run < 4; run++) for (const [k, campaign] of campaigns.entries()) {
    const t = await timeAsync(() => campaign.replayAsOf(asOf));
    if (run > 0) out[k]!.asOfMs.push(t.ms);
  }
  // How many events each as-of replay folded after the snapshot it restored (shown beside the figure).
  for (const [k, campaign] of campaigns.entries()) {
    const b = await campaign.boardAsOf(asOf);
    out[k]!.asOfFold = b.seq - b.snapshotSeq;
  }
  // The plans outlive the campaigns: their engines are dropped before the replays build theirs.
  const plans = campaigns.map((c) => c.plan);
  campaigns.length = 0;
  for (let run = 0; run < 3; run++) {
    for (const [k, store] of stores.entries()) {
      const t = await timeAsync(() => fullReplay(store, plans[k]!));
      if (run > 0) out[k]!.replayMs.push(t.ms);
      out[k]!.events = t.value.events;
    }
  }
  // The idle cycles last (they log the catch-up to `tickAt`, which the replays above do not count), on
  // the campaigns opened afresh.
  for (const s of stores) campaigns.push(await Campaign.open(s));
  const cycles = await idleCycles(campaigns, tickAt);
  for (const [k, us] of cycles.entries()) out[k]!.cycleUs = us;
  campaigns.length = 0;
  for (const s of stores) await s.close();
  return out;
}

function copyDb(from: string, to: string): void {
  removeDb(to);
  copyFileSync(from, to);
  if (existsSync(`${from}-wal`)) copyFileSync(`${from}-wal`, `${to}-wal`);
}

/**
 * The append figure's store (the national plan and its first `events` events) copied twice: `items`
 * items opened into one copy in batches of `batch` through Campaign.openItems at idle instants after
 * the log's last, then both copies ticked to the same instant. Each figure is then measured on both.
 */
export async function figItems(size: PlanSize, events: number, items: number, batch: number): Promise<void> {
  const base = await storeOf(size, events);
  const without = `${DIR}/items-without-${size}.db`;
  const withItems = `${DIR}/items-with-${size}.db`;
  copyDb(base, without);
  copyDb(base, withItems);
  const { last } = instants(base);

  const s1 = new SqliteStore(withItems, { synchronous: "NORMAL" });
  // A snapshot after every batch, so this store's log ends on one, as the store without the items does
  // (its log ends on one): both as-of replays restore a snapshot at the end and fold nothing after it. At
  // the default spacing this log ended 2,000 itemOpened events past its newest snapshot, and the figure
  // compared that fold with none; what a fold of events after a snapshot costs is the as-of figure's.
  const c1 = await Campaign.open(s1, { snapshotEvery: batch });
  const plan = c1.plan;
  const zone = plan.campaign.timezone;
  const counties = countiesOf(plan);
  const start = parseInstant(last, zone) + 60_000;
  let opened = 0;
  let stored = 0;
  const batches = Math.ceil(items / batch);
  const { ms: openMs } = await timeAsync(async () => {
    for (let b = 0; b < batches; b++) {
      const reqs = Array.from({ length: Math.min(batch, items - b * batch) }, (_, k) => rectifyRequest(plan, counties, b * batch + k));
      const r = await c1.openItems(reqs, start + b * 1_000);
      if (r.refused.length) throw new Error(`batch ${b} refused: ${JSON.stringify(r.refused[0])}`);
      opened += r.opened.length;
      stored += r.events.length;
      sample();
    }
  });
  const end = start + batches * 1_000;
  await c1.tick(end);
  await s1.close();
  const s0 = new SqliteStore(without, { synchronous: "NORMAL" });
  await (await Campaign.open(s0)).tick(end);
  await s0.close();
  const openPeak = peakMb();

  // Idle daemon cycles on the next working morning (everything due before it applied, untimed); as-of at the end.
  const cal = calendarOf(plan);
  const tickAt = cal.at(cal.addWorkingDays(cal.dateOf(end), 1), "10:00");
  const [a, b] = (await measureStores([without, withItems], tickAt, end)) as [StoreFigures, StoreFigures];
  if (!process.env.BENCH_KEEP) for (const p of [without, withItems]) removeDb(p);
  const m = median;
  const about = `(${size} plan, ${fmt(a.events)} events; + ${fmt(opened)} opened items, ${fmt(b.events)} events)`;
  const line = (what: string, x: number, y: number, unit: string, digits = 0, extra?: string) =>
    report({ key: `items-${what.split(" ").slice(0, 2).join("-")}`, label: `${what.replace(/ \(.*\)$/, "")}, with ${fmt(opened)} opened items vs without (${size} plan)`, what: `${what} ${about}`, duban: `${y.toFixed(digits)} ${unit} with the items`, bare: `${x.toFixed(digits)} ${unit} without`, ratio: y / x, target: "≤ 1.5x", pass: y / x <= 1.5, ...(extra ? { extra } : {}) });
  line("idle cycle (runCycle: tick + daily-summary check + outbox claim, nothing to do)", a.cycleUs, b.cycleUs, "µs", 0);
  line(`office board page (${fmt(b.items)} vs ${fmt(a.items)} rows)`, m(a.pageMs), m(b.pageMs), "ms", 0, `Campaign.board alone ${fmt(m(b.boardMs))} / ${fmt(m(a.boardMs))} ms (${fmt(m(b.boardMs) / m(a.boardMs))}); page ${fmt(b.pageBytes / 2 ** 20)} / ${fmt(a.pageBytes / 2 ** 20)} MB`);
  line("full replay", m(a.replayMs), m(b.replayMs), "ms");
  line("replay --as-of the end", m(a.asOfMs), m(b.asOfMs), "ms", 0, `events folded after the snapshot restored: ${b.asOfFold} with / ${a.asOfFold} without`);
  console.log(
    `  opening ${fmt(opened)} items in ${batches} Campaign.openItems batches of ${batch}: ${fmt(openMs)} ms, ${fmt(opened / (openMs / 1000))} items/s, ${fmt(stored)} events stored, peak ${openPeak} MB`,
  );
}

/** A 问题清单 of `rows` rows for the bench kind, as an office fills it in: 序号, 责任单位, the fields. */
async function writeSheet(plan: ResolvedPlan, file: string, rows: number): Promise<void> {
  const counties = countiesOf(plan);
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useSharedStrings: true });
  const ws = wb.addWorksheet("问题清单");
  ws.addRow(["序号", "责任单位", "机构名称", "存在问题"]).commit();
  for (let i = 0; i < rows; i++) {
    const r = rectifyRequest(plan, counties, i);
    // The unit's id, not its name: the generated names hold 、 (县（市、区）), which the reader splits on.
    ws.addRow([i + 1, r.to[0]!, r.fields!.agency, r.fields!.problem]).commit();
  }
  ws.commit();
  await wb.commit();
}

/**
 * `duban import` of a `rows`-row xlsx (readImport, then Campaign.openItems at one instant: one
 * transaction) vs exceljs reading the same file (Workbook.xlsx.readFile, every cell value touched) plus
 * the same events and outbox rows appended through the hash-chained store in one batched transaction.
 * Each run starts from a copy of the same store; the runs alternate.
 */
export async function figImport(size: PlanSize, rows: number): Promise<void> {
  const file = planFile(size);
  const plan = loadPlan(file).plan!;
  const pristine = `${DIR}/import-${size}.db`;
  removeDb(pristine);
  const store = new SqliteStore(pristine, { synchronous: "NORMAL" });
  const campaign = await Campaign.init(store, file, plan.campaign.startAt - 86_400_000);
  // A working morning with the log caught up: the import's own tick has nothing to do.
  const now = campaign.calendar.at("2025-03-04", "10:00");
  await campaign.tick(now - 60_000);
  await store.close();
  const sheet = `${DIR}/import-${rows}.xlsx`;
  await writeSheet(plan, sheet, rows);
  const kind = plan.kinds.get(KIND)!;
  const actor = { kind: "unit" as const, unit: plan.leadingGroup.office.unit };
  const dubanDb = `${DIR}/import-duban-${size}.db`;
  const bareDb = `${DIR}/import-bare-${size}.db`;

  const dubanMs: number[] = [];
  const bareMs: number[] = [];
  const writeMsAll: number[] = [];
  const limitMsAll: number[] = [];
  let limitEvents = 0;
  const readMs: number[] = [];
  let opened = 0;
  let stored = 0;
  let dubanPeak = 0;
  for (let run = 0; run < 4; run++) {
    copyDb(pristine, dubanDb);
    const s1 = new SqliteStore(dubanDb, { synchronous: "NORMAL" });
    const c1 = await Campaign.open(s1);
    const outboxBefore = (await s1.head()).seq;
    const marks = marksOf(dubanDb);
    let writeMs = 0;
    const t = await timeAsync(async () => {
      const read = await readImport(sheet, c1.plan.kinds.get(KIND)!, c1.plan, { actor });
      if ("problems" in read) throw new Error(`the sheet does not import: ${JSON.stringify(read.problems.slice(0, 3))}`);
      const w = await timeAsync(() => c1.openItems(read.requests, now));
      writeMs = w.ms;
      return w.value;
    });
    if (t.value.refused.length || t.value.opened.length !== rows) throw new Error(`import opened ${t.value.opened.length} of ${rows}: ${JSON.stringify(t.value.refused[0])}`);
    dubanPeak = Math.max(dubanPeak, peakMb());
    opened = t.value.opened.length;
    stored = t.value.events.length;
    const events = t.value.events.map((e) => ({ at: e.at, actor: e.actor, type: e.type, payload: e.payload, planHash: e.planHash, ...(e.assignment !== undefined ? { assignment: e.assignment } : {}) }));
    await s1.close();
    const db = new Database(dubanDb, { readonly: true });
    const outbox = (db.prepare("SELECT key, channel, due_at, payload FROM outbox WHERE event_seq > ? ORDER BY id").all(outboxBefore) as { key: string; channel: string; due_at: string; payload: string }[]).map((o) => ({
      key: o.key,
      channel: o.channel,
      dueAt: o.due_at,
      payload: JSON.parse(o.payload),
    }));
    db.close();
    if (run > 0) {
      const rows = rowsOf(dubanDb, marks.seq, marks.outboxId);
      writeMsAll.push(writeMs);
      limitMsAll.push(limitOf(rows, { synchronous: "NORMAL", base: pristine, runs: 1 }));
      limitEvents = rows.events.length;
    }

    copyDb(pristine, bareDb);
    const s0 = new SqliteStore(bareDb, { synchronous: "NORMAL" });
    await s0.head();
    const b = await timeAsync(async () => {
      const read = await timeAsync(async () => {
        const wb = new ExcelJS.Workbook();
        await wb.xlsx.readFile(sheet);
        let cells = 0;
        wb.worksheets[0]!.eachRow((row) => row.eachCell(() => void cells++));
        return cells;
      });
      await s0.append(events, outbox);
      return read.ms;
    });
    await s0.close();
    if (run > 0) (dubanMs.push(t.ms), bareMs.push(b.ms), readMs.push(b.value));
    sample();
  }
  for (const p of [pristine, dubanDb, bareDb]) removeDb(p);
  rmSync(sheet, { force: true });
  void kind;
  const d = median(dubanMs);
  const x = median(bareMs);
  const w = median(writeMsAll);
  const l = median(limitMsAll);
  report({
    key: "import-bulk",
    label: `import: Campaign.openItems of ${fmt(rows)} items, one transaction (${size} plan)`,
    what: `import's write: Campaign.openItems of ${fmt(rows)} items in one transaction (${fmt(limitEvents)} events, ${size} plan)`,
    duban: `${fmt(limitEvents / (w / 1000))} ev/s (${fmt(w)} ms)`,
    bare: `limit: the same rows, one prepared INSERT per table, one transaction, WAL + NORMAL ${fmt(limitEvents / (l / 1000))} ev/s (${fmt(l)} ms)`,
    ratio: l / w,
    target: "≥ 0.5",
    pass: l / w >= 0.5,
  });
  report({
    key: "import",
    label: `import a ${fmt(rows)}-row xlsx vs exceljs + one append (${size} plan)`,
    what: `import a ${fmt(rows)}-row xlsx (readImport + Campaign.openItems, one transaction; ${fmt(opened)} items, ${fmt(stored)} events, ${size} plan)`,
    duban: `${fmt(d)} ms`,
    bare: `exceljs readFile ${fmt(median(readMs))} ms + store.append of the same events in one transaction, ${fmt(x)} ms`,
    ratio: d / x,
    target: "≤ 3x",
    pass: d / x <= 3,
    extra: `duban peak ${dubanPeak} MB`,
  });
}

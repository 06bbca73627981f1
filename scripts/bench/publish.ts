/**
 * What the office publishes, at scale: statistics now and as of an instant, and the 台账 as xlsx, each
 * against the best the bare libraries can do on the same store's data.
 */
import { createWriteStream, existsSync, rmSync } from "node:fs";
import { finished } from "node:stream/promises";
import Database from "better-sqlite3";
import ExcelJS from "exceljs";
import { Campaign } from "../../src/campaign/campaign.ts";
import { decodeEvent } from "../../src/campaign/codec.ts";
import { parseInstant, type EpochMs } from "../../src/engine/calendar.ts";
import { Engine } from "../../src/engine/engine.ts";
import { loadPlan } from "../../src/plan/load.ts";
import { excelDate, LIGHT_FILL, writeLedger } from "../../src/publish/ledger-xlsx.ts";
import { OUTCOME_ZH } from "../../src/text/labels.ts";
import { publishedAsOf, publishedNow } from "../../src/publish/source.ts";
import { statistics } from "../../src/publish/stats.ts";
import type { PlanSize } from "../../src/scale/generate.ts";
import { syntheticActions } from "../../src/simulate/synthetic-actions.ts";
import { SqliteStore } from "../../src/store/sqlite.ts";
import { runCampaign, yearInputs } from "./drive.ts";
import { appendDb, planFile } from "./figures.ts";
import { fmt, median, peakMb, report, sample, timeAsync, time } from "./measure.ts";

/** The append figure's store (the same plan, inputs and event count), built here when that figure has not run. */
export async function storeOf(size: PlanSize, events: number): Promise<string> {
  const path = appendDb(size);
  const plan = loadPlan(planFile(size)).plan!;
  if (existsSync(path)) {
    const db = new Database(path, { readonly: true });
    const n = db.prepare<[], { n: number }>("SELECT count(*) AS n FROM events").get()!.n;
    // A store left by an older generator runs another plan: rebuilt, or its figures would mix versions.
    const hash = db.prepare<[], { h: string }>("SELECT plan_hash AS h FROM events WHERE seq = 1").get()?.h;
    db.close();
    if (n >= events && hash === plan.hash) return path;
  }
  for (const s of ["", "-wal", "-shm"]) rmSync(path + s, { force: true });
  const inputs = yearInputs(new Engine(plan), syntheticActions(plan), plan.campaign.endAt);
  const store = new SqliteStore(path, { synchronous: "NORMAL" });
  const campaign = await Campaign.init(store, planFile(size), plan.campaign.startAt - 86_400_000);
  await runCampaign(campaign, inputs, events);
  await store.close();
  return path;
}

/** The instant of the last event, and of the event at 95 % of the log. */
export function instants(path: string): { last: string; late: string } {
  const db = new Database(path, { readonly: true });
  const lastSeq = db.prepare<[], { m: number }>("SELECT max(seq) AS m FROM events").get()!.m;
  const at = (seq: number) => db.prepare<[number], { at: string }>("SELECT at FROM events WHERE seq = ?").get(seq)!.at;
  const r = { last: at(lastSeq), late: at(Math.floor(lastSeq * 0.95)) };
  db.close();
  return r;
}

/**
 * `stats` now (the served state: what /api/stats and `duban stats` compute once the campaign is open) vs
 * a bare SQL GROUP BY over a current-state table of the same items in the same SQLite file, with every
 * figure precomputed into a column (outcome flags, working days late): the best a bare query can do. Then
 * `stats --as-of` at 95 % of the log (a snapshot and the events after it) vs a full replay of the log.
 */
export async function figStats(size: PlanSize, events: number): Promise<void> {
  const path = await storeOf(size, events);
  const { last, late } = instants(path);
  const store = new SqliteStore(path);
  const campaign = await Campaign.open(store);
  const zone = campaign.plan.campaign.timezone;
  const now = parseInstant(last, zone);
  let lines = 0;
  const dubanRuns: number[] = [];
  for (let i = 0; i < 7; i++)
    dubanRuns.push(time(() => (lines = statistics(publishedNow(campaign, now), "unit").lines.length)).ms);
  const duban = median(dubanRuns.slice(2));

  // The current state as rows, written once (untimed) beside the log.
  const state = publishedNow(campaign, now);
  const db = new Database(path);
  db.exec("DROP TABLE IF EXISTS bench_items; CREATE TABLE bench_items (id text PRIMARY KEY, unit text NOT NULL, outcome text NOT NULL, days_late integer NOT NULL, returns integer NOT NULL, extensions integer NOT NULL)");
  const ins = db.prepare("INSERT INTO bench_items VALUES (?, ?, ?, ?, ?, ?)");
  db.transaction(() => {
    for (const it of state.items) ins.run(it.assignment.id, it.assignment.unit, it.outcome, it.daysLate, it.returns, it.extensions);
  })();
  const q = db.prepare(`SELECT unit, count(*) AS assigned,
      sum(outcome = 'onTime') AS on_time, sum(outcome = 'late') AS late, sum(outcome = 'overdue') AS overdue,
      sum(outcome = 'waived') AS waived, sum(outcome = 'pending') AS pending,
      avg(CASE WHEN outcome = 'late' THEN days_late END) AS late_mean, max(CASE WHEN outcome = 'late' THEN days_late END) AS late_max,
      sum(returns) AS returned, sum(extensions > 0) AS extended
    FROM bench_items GROUP BY unit`);
  let groups = 0;
  const bareRuns: number[] = [];
  for (let i = 0; i < 7; i++) bareRuns.push(time(() => (groups = q.all().length)).ms);
  const bare = median(bareRuns.slice(2));
  db.exec("DROP TABLE bench_items");
  db.close();
  if (groups !== lines) throw new Error(`GROUP BY gave ${groups} units, statistics ${lines}`);
  report({
    key: "stats",
    label: `\`stats --by unit\` vs SQL GROUP BY (${size} plan)`,
    what: `stats --by unit, ${state.items.length} assignments (${size} plan, ${events} events) vs SQL GROUP BY over current-state rows`,
    duban: `${fmt(duban)} ms`,
    bare: `GROUP BY ${fmt(bare)} ms`,
    ratio: duban / bare,
    target: "≤ 2x",
    pass: duban / bare <= 2,
  });

  // The full replay: the same fold as Campaign's rebuild with no snapshot (as the replay figure).
  const plan = campaign.plan;
  const full = async () => {
    const engine = new Engine(plan);
    let clock = -Infinity;
    let n = 0;
    for await (const s of store.read()) {
      const e = decodeEvent(plan, s);
      if (e) (engine.apply(e), e.at > clock && (clock = e.at));
      if ((++n & 4095) === 0) sample();
    }
    engine.settle(clock);
  };
  const fullMs = median([(await timeAsync(full)).ms, (await timeAsync(full)).ms]);
  const lateAt: EpochMs = parseInstant(late, zone);
  const asOfRuns: number[] = [];
  for (let i = 0; i < 3; i++) asOfRuns.push((await timeAsync(async () => statistics(await publishedAsOf(campaign, lateAt), "unit"))).ms);
  const asOf = median(asOfRuns);
  await store.close();
  report({
    key: "stats-as-of",
    label: "`stats --as-of` at 95 % of the log vs full replay",
    what: `stats --as-of ${late} (95% of the log) vs full replay`,
    duban: `${fmt(asOf)} ms`,
    bare: `full replay ${fmt(fullMs)} ms`,
    ratio: asOf / fullMs,
    target: "≤ 0.1",
    pass: asOf / fullMs <= 0.1,
  });
}

/**
 * The 台账 (writeLedger: summary sheet and one sheet per deliverable, exceljs's streaming writer) vs
 * exceljs's streaming writer writing the same item rows, precomputed, with the same styles: what writing
 * the rows costs when nothing else is done. Duban's peak RSS is taken before the baseline runs.
 */
export async function figXlsx(size: PlanSize, events: number): Promise<void> {
  const path = await storeOf(size, events);
  const { last } = instants(path);
  const store = new SqliteStore(path);
  const campaign = await Campaign.open(store);
  const zone = campaign.plan.campaign.timezone;
  const state = publishedNow(campaign, parseInstant(last, zone));
  await store.close();
  const before = peakMb();
  const out = `bench-data/ledger-${size}.xlsx`;
  const write = async (fn: (s: NodeJS.WritableStream) => Promise<void>) => {
    const stream = createWriteStream(out);
    const t = await timeAsync(async () => {
      await fn(stream);
      await finished(stream);
    });
    return t.ms;
  };
  const duban = await write((s) => writeLedger(state, s as never));
  const dubanPeak = peakMb();

  const rows = state.items.map((i) => ({
    values: [i.assignment.id, i.assignment.unit, i.assignment.title, i.dueAt === null ? null : excelDate(i.dueAt, zone), i.row.state, OUTCOME_ZH[i.outcome], i.light.label, i.daysLate, i.submittedAt === null ? null : excelDate(i.submittedAt, zone), i.returns, i.extensions, i.row.level],
    fill: LIGHT_FILL[i.light.colour],
  }));
  const bare = await write(async (s) => {
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: s as never, useStyles: true, useSharedStrings: true });
    const ws = wb.addWorksheet("rows", { views: [{ state: "frozen", ySplit: 1 }] });
    ws.addRow(["事项编号", "责任单位", "事项", "截止时间", "办理状态", "办结情况", "三色灯", "逾期工作日", "报送时间", "退回次数", "延期次数", "督办级别"]).commit();
    for (const r of rows) {
      const row = ws.addRow(r.values);
      row.getCell(4).numFmt = row.getCell(9).numFmt = "yyyy-mm-dd hh:mm";
      row.getCell(6).fill = row.getCell(7).fill = { type: "pattern", pattern: "solid", fgColor: { argb: r.fill } };
      row.commit();
    }
    ws.commit();
    await wb.commit();
  });
  rmSync(out, { force: true });
  report({
    key: "xlsx",
    label: `台账 xlsx vs exceljs streaming writer (${size} plan)`,
    what: `台账 xlsx of ${state.items.length} rows (${size} plan) vs exceljs streaming writer, same rows`,
    duban: `${fmt(duban)} ms`,
    bare: `exceljs ${fmt(bare)} ms`,
    ratio: duban / bare,
    target: "≤ 2x, peak < 512 MB",
    pass: duban / bare <= 2 && dubanPeak < 512,
    extra: `duban peak ${dubanPeak} MB (${before} MB with the campaign open, before writing)`,
  });
}

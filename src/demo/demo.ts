import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { Campaign } from "../campaign/campaign.ts";
import { runCycle } from "../daemon/cycle.ts";
import { notifiersFor } from "../daemon/host.ts";
import { Dispatcher } from "../dispatch/dispatcher.ts";
import { addDays, weekday, type EpochMs } from "../engine/calendar.ts";
import { SqliteStore } from "../store/sqlite.ts";
import { readImport } from "../items/import-sheet.ts";
import { rng, syntheticActions } from "../simulate/synthetic-actions.ts";
import { syntheticOpenings, syntheticResponses, type SyntheticOpenings } from "../simulate/synthetic-openings.ts";
import type { StoredEvent } from "../store/types.ts";
import type { UnitAction } from "../engine/types.ts";
import { isOwed } from "../model/states.ts";

export interface DemoOptions {
  plan: string;
  dir: string;
  from?: string;
  to?: string;
  seed?: number;
  log: (line: string) => void;
}

export interface DemoResult {
  db: string;
  emlDir: string;
  events: number;
  messages: number;
  head: string;
  /** Items opened while the campaign ran, per kind (plan order), and the 问题清单 that was imported. */
  opened: { kind: string; title: string; count: number; first?: string }[];
  sheet?: string;
}

/** What the demo does at an instant: a unit's action, or importing the 问题清单. */
type Work = { at: EpochMs; action: UnitAction } | { at: EpochMs; sheet: NonNullable<SyntheticOpenings["sheet"]> };

/**
 * The whole product on embedded defaults, as a time-lapse: a fresh SQLite store, a synthetic but
 * plausible action stream, and the daemon's own cycle (tick, summary, dispatch to .eml files) at each
 * send time and each deadline of the campaign, on a virtual clock. Items arise as it runs (the plan's
 * kinds): the office's 交办, districts' 一事一报, one 问题清单 written as an xlsx and imported through the
 * same reader `duban import` uses; each is then acknowledged, handed in and reviewed like a real one.
 */
export async function runDemo(opts: DemoOptions): Promise<DemoResult> {
  rmSync(opts.dir, { recursive: true, force: true });
  mkdirSync(opts.dir, { recursive: true });
  const db = join(opts.dir, "duban.db");
  const emlDir = join(opts.dir, "eml");
  const store = new SqliteStore(db, { synchronous: "NORMAL" });
  const notifiers = notifiersFor({ emlDir });
  try {
    // The store begins before the first simulated cycle: the log's clock never runs back.
    const begins = Date.parse(opts.from ? `${opts.from}T00:00:00+08:00` : "2021-04-28T10:00:00+08:00");
    const campaign = await Campaign.init(store, opts.plan, begins);
    const plan = campaign.plan;
    const cal = campaign.calendar;
    const dispatcher = new Dispatcher(campaign, notifiers);
    const seed = opts.seed ?? 2021;
    const arising = syntheticOpenings(plan, seed);
    const responses = rng(seed + 11);
    // Actions dated before the store begins cannot be recorded; the demo starts after them.
    const queue: Work[] = [
      ...syntheticActions(plan, seed),
      ...arising.openings.map((o) => ({ at: o.at, action: { type: "open" as const, ...o.request } })),
      ...(arising.sheet ? [{ at: arising.sheet.at, sheet: arising.sheet }] : []),
    ]
      .filter((w) => w.at >= begins)
      .sort((a, b) => a.at - b.at);
    const first = opts.from ?? plan.campaign.start;
    const last = opts.to ?? plan.campaign.end;
    let k = 0;
    // What the owing units and reviewers do with an opened item is known once the engine gave it a deadline.
    const follow = (id: string) => {
      const item = campaign.item(id);
      for (const w of item ? syntheticResponses(plan, item, responses) : []) {
        let i = k;
        while (i < queue.length && queue[i]!.at <= w.at) i++;
        queue.splice(i, 0, w);
      }
    };
    let sheetFile: string | undefined;
    let week = { from: first, events: 0, sent: 0, submitted: 0, late: 0, opened: 0 };
    const count = (events: readonly StoredEvent[]) => {
      week.events += events.length;
      for (const e of events) {
        if (e.type === "itemOpened") week.opened++;
        if (e.type === "submitted") {
          week.submitted++;
          if ((e.payload as { late?: boolean }).late) week.late++;
        }
      }
    };
    const flush = (to: string) => {
      const overdue = campaign.board(cal.at(to, "23:59")).filter((r) => r.late && isOwed(r.state)).length;
      opts.log(`${week.from} ～ ${to}  事件 ${week.events}  交办 ${week.opened}  发出提醒 ${week.sent}  报送 ${week.submitted}（逾期报送 ${week.late}）  当前逾期未报 ${overdue}`);
    };
    for (let day = first; day <= last; day = addDays(day, 1)) {
      // The daemon runs every minute; on a virtual clock it is enough to run it when something can happen.
      const slots: EpochMs[] = [cal.at(day, plan.calendar.sendAt), cal.at(day, plan.calendar.dueAt), cal.at(day, "23:59")];
      for (const slot of slots) {
        while (k < queue.length && queue[k]!.at <= slot) {
          const w = queue[k]!;
          if ("sheet" in w) {
            k++;
            sheetFile = await writeSheet(opts.dir, w.sheet);
            const r = await importSheet(campaign, sheetFile, w.sheet, w.at);
            count(r.events);
            opts.log(`  ${cal.dateOf(w.at)} 导入问题清单 ${r.opened.length} 行（${plan.kinds.get(w.sheet.kind)?.title ?? w.sheet.kind}，${w.sheet.actor.kind === "unit" ? (plan.units.get(w.sheet.actor.unit)?.short ?? w.sheet.actor.unit) : ""}）：${sheetFile}`);
            for (const id of r.opened) follow(id);
            continue;
          }
          // The actions up to the slot in one transaction, as a bulk writer should, not one a step. An
          // opening ends its batch: what its owners do next is queued from the deadline the engine gave it.
          const batch: { input: UnitAction; now: EpochMs }[] = [];
          while (k < queue.length && queue[k]!.at <= slot && !("sheet" in queue[k]!)) {
            const x = queue[k++] as Extract<Work, { action: UnitAction }>;
            batch.push({ input: x.action, now: x.at });
            if (x.action.type === "open") break;
          }
          for (const r of await campaign.steps(batch)) {
            count(r.events);
            const opened = r.events.find((e) => e.type === "itemOpened");
            if (opened?.assignment) follow(opened.assignment);
          }
        }
        const r = await runCycle(campaign, dispatcher, slot);
        week.events += r.events;
        week.sent += r.dispatch.sent;
      }
      if (weekday(day) === 7) {
        flush(day);
        week = { from: addDays(day, 1), events: 0, sent: 0, submitted: 0, late: 0, opened: 0 };
      }
    }
    if (week.from <= last) flush(last);
    const head = await store.head();
    const items = campaign.views().views.map((v) => v.assignment).filter((a) => a.opened);
    const opened = [...plan.kinds.values()].map((kind) => {
      const mine = items.filter((a) => a.opened!.kind === kind.id);
      return { kind: kind.id, title: kind.title, count: mine.length, ...(mine[0] ? { first: mine[0].id } : {}) };
    });
    return { db, emlDir, events: head.seq, messages: readdirSync(emlDir).filter((f) => f.endsWith(".eml")).length, head: head.hash, opened, ...(sheetFile ? { sheet: sheetFile } : {}) };
  } finally {
    await notifiers.close();
    await store.close();
  }
}

/** The 问题清单 as an office would send it: a real xlsx (exceljs), a title line above the header. */
async function writeSheet(dir: string, sheet: NonNullable<SyntheticOpenings["sheet"]>): Promise<string> {
  const { default: ExcelJS } = await import("exceljs");
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet("问题清单");
  ws.addRow(["专项检查发现问题清单"]);
  ws.addRow(sheet.header);
  for (const row of sheet.rows) ws.addRow(row);
  const file = join(dir, "问题清单.xlsx");
  await wb.xlsx.writeFile(file);
  return file;
}

/** Reads the sheet as `duban import` does, and opens every row in one transaction. */
async function importSheet(campaign: Campaign, file: string, sheet: NonNullable<SyntheticOpenings["sheet"]>, at: EpochMs): Promise<{ opened: string[]; events: StoredEvent[] }> {
  const kind = campaign.plan.kinds.get(sheet.kind)!;
  const read = await readImport(file, kind, campaign.plan, { actor: sheet.actor });
  // The sheet is generated from the plan's own kind: a problem here is a bug of the demo, not a user's mistake.
  if ("problems" in read) throw new Error(`demo sheet ${file}: ${read.problems.map((p) => p.code).join(", ")}`);
  const r = await campaign.openItems(read.requests, at);
  if (r.refused.length) throw new Error(`demo sheet ${file}: ${r.refused.map((x) => x.refusal.message).join("; ")}`);
  return r;
}

import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { Campaign } from "../campaign/campaign.ts";
import { runCycle } from "../daemon/cycle.ts";
import { notifiersFor } from "../daemon/host.ts";
import { Dispatcher } from "../dispatch/dispatcher.ts";
import { addDays, weekday, type EpochMs } from "../engine/calendar.ts";
import { SqliteStore } from "../store/sqlite.ts";
import { syntheticActions } from "../simulate/synthetic-actions.ts";
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
}

/**
 * The whole product on embedded defaults, as a time-lapse: a fresh SQLite store, a synthetic but
 * plausible action stream, and the daemon's own cycle (tick, summary, dispatch to .eml files) at each
 * send time and each deadline of the campaign, on a virtual clock.
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
    const actions = syntheticActions(plan, opts.seed ?? 2021);
    const first = opts.from ?? plan.campaign.start;
    const last = opts.to ?? plan.campaign.end;
    // Actions dated before the store begins cannot be recorded; the demo starts after them.
    let k = actions.findIndex((a) => a.at >= begins);
    if (k < 0) k = actions.length;
    let week = { from: first, events: 0, sent: 0, submitted: 0, late: 0 };
    const flush = (to: string) => {
      const overdue = campaign.board(cal.at(to, "23:59")).filter((r) => r.late && isOwed(r.state)).length;
      opts.log(`${week.from} ～ ${to}  事件 ${week.events}  发出提醒 ${week.sent}  报送 ${week.submitted}（逾期报送 ${week.late}）  当前逾期未报 ${overdue}`);
    };
    for (let day = first; day <= last; day = addDays(day, 1)) {
      // The daemon runs every minute; on a virtual clock it is enough to run it when something can happen.
      const slots: EpochMs[] = [cal.at(day, plan.calendar.sendAt), cal.at(day, plan.calendar.dueAt), cal.at(day, "23:59")];
      for (const slot of slots) {
        while (k < actions.length && actions[k]!.at <= slot) {
          const a = actions[k++]!;
          const r = await campaign.step(a.action, a.at);
          week.events += r.events.length;
          for (const e of r.events) if (e.type === "submitted") {
            week.submitted++;
            if ((e.payload as { late?: boolean }).late) week.late++;
          }
        }
        const r = await runCycle(campaign, dispatcher, slot);
        week.events += r.events;
        week.sent += r.dispatch.sent;
      }
      if (weekday(day) === 7) {
        flush(day);
        week = { from: addDays(day, 1), events: 0, sent: 0, submitted: 0, late: 0 };
      }
    }
    if (week.from <= last) flush(last);
    const head = await store.head();
    return { db, emlDir, events: head.seq, messages: readdirSync(emlDir).filter((f) => f.endsWith(".eml")).length, head: head.hash };
  } finally {
    await notifiers.close();
    await store.close();
  }
}

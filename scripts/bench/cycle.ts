/**
 * The daemon's own cycle (src/daemon/cycle.ts: tick, the daily-summary check, the outbox claim) at scale,
 * on one store per size: the catch-up after a stop (one tick from the campaign's start to the morning of a
 * reminder day, one transaction) against the append limit; the 09:00 cycle that sends that day's county
 * digests to a local SMTP server against nodemailer alone; and a cycle with nothing to do, big vs small.
 */
import { copyFileSync, existsSync } from "node:fs";
import nodemailer from "nodemailer";
import { createNotifiers } from "../../notifiers/index.ts";
import { DEFAULT_FROM } from "../../notifiers/rfc822.ts";
import { startSmtp } from "../../test/notifiers/fixtures.ts";
import { Campaign } from "../../src/campaign/campaign.ts";
import { decodeReminder, REMINDER_CHANNEL } from "../../src/campaign/codec.ts";
import { runCycle } from "../../src/daemon/cycle.ts";
import { Dispatcher } from "../../src/dispatch/dispatcher.ts";
import { formatInstant, type EpochMs } from "../../src/engine/calendar.ts";
import { Engine } from "../../src/engine/engine.ts";
import { loadPlan } from "../../src/plan/load.ts";
import type { ResolvedPlan } from "../../src/plan/types.ts";
import { composeReminder } from "../../src/reminders/compose.ts";
import type { PlanSize } from "../../src/scale/generate.ts";
import { SqliteStore } from "../../src/store/sqlite.ts";
import { planFile, removeDb } from "./figures.ts";
import { limitOf } from "./writes.ts";
import { marksOf, rate, rowsOf } from "./limit.ts";
import { fmt, median, note, peakMb, report, sample, timeAsync } from "./measure.ts";

const DIR = "bench-data";
const POOL = 5;

/**
 * The first instant of the year, with nobody acting (a stopped daemon's campaign), at which the engine
 * sends at least `min` reminders at the plan's send time: that day's county digests.
 */
function digestMorning(plan: ResolvedPlan, min: number): { at: EpochMs; reminders: number } {
  const engine = new Engine(plan);
  let best = { at: 0 as EpochMs, reminders: 0 };
  for (let t = engine.nextDueAt(); t <= plan.campaign.endAt; t = engine.nextDueAt()) {
    const r = engine.step({ type: "tick" }, t);
    const atSend = formatInstant(t, plan.campaign.timezone).slice(11, 16) === plan.calendar.sendAt;
    if (atSend && r.reminders.length > best.reminders) best = { at: t, reminders: r.reminders.length };
    if (atSend && r.reminders.length >= min) return best;
  }
  return best;
}

interface CycleFigures {
  assignments: number;
  catchUp: { ms: number; events: number; limitMs: number; workingDays: number };
  digest: { ms: number; sent: number; bareMs: number };
  /** One batch of idle cycles (K of them, a second apart); its milliseconds. */
  idle: () => Promise<number>;
  close: () => Promise<void>;
  peak: number;
}

/** Idle cycles per batch. */
const K = 50;

async function measure(size: PlanSize, withFigures: boolean): Promise<CycleFigures> {
  const file = planFile(size);
  const plan = loadPlan(file).plan!;
  const at = digestMorning(plan, 2_800).at;
  const path = `${DIR}/cycle-${size}.db`;
  const initPath = `${DIR}/cycle-init-${size}.db`;
  removeDb(path);
  const store = new SqliteStore(path, { synchronous: "NORMAL" });
  await Campaign.init(store, file, plan.campaign.startAt - 86_400_000);
  await store.close();
  removeDb(initPath);
  copyFileSync(path, initPath);
  if (existsSync(`${path}-wal`)) copyFileSync(`${path}-wal`, `${initPath}-wal`);
  const before = marksOf(path);
  const s = new SqliteStore(path, { synchronous: "NORMAL" });
  const c = await Campaign.open(s);
  // The catch-up after a stop: one tick from the start to a minute before the digests, one transaction.
  const up = await timeAsync(() => c.tick(at - 60_000));
  const large = c.largeCatchUp(up.value.events, at - 60_000);
  // What the stop left in the outbox is skipped (as `--catch-up skip` does), so the 09:00 cycle sends only its own.
  const drain = createNotifiers({ emlDir: `${DIR}/cycle-eml` });
  await new Dispatcher(c, drain, { skipOlderThanMs: 0 }).dispatchDue(at - 60_000);
  await drain.close();
  let limitMs = 0;
  if (withFigures) {
    await s.close();
    const rows = rowsOf(path, before.seq, before.outboxId);
    // Only the catch-up's rows: the drain's bookkeeping came after it.
    const upTo = up.value.events.at(-1)?.seq ?? before.seq;
    rows.events = rows.events.filter((r) => (r[0] as number) <= upTo);
    rows.outbox = rows.outbox.filter((o) => ((o[9] as number | null) ?? 0) <= upTo);
    limitMs = limitOf(rows, { synchronous: "NORMAL", base: initPath, chunk: 100_000 });
  }
  removeDb(initPath);
  const s2 = withFigures ? new SqliteStore(path, { synchronous: "NORMAL" }) : s;
  const c2 = withFigures ? await Campaign.open(s2) : c;

  // The 09:00 cycle: its tick queues the day's digests and the office's summary, its dispatch sends them.
  const smtp = await startSmtp();
  const notifiers = createNotifiers({ email: { url: smtp.url, maxConnections: POOL } });
  const dispatcher = new Dispatcher(c2, notifiers);
  const nine = await timeAsync(() => runCycle(c2, dispatcher, at));
  sample();
  const sent = nine.value.dispatch.sent;
  if (smtp.received.length < sent) throw new Error(`the server has ${smtp.received.length} of ${sent} messages`);
  let bareMs = 0;
  if (withFigures) {
    // nodemailer alone, the same messages: each reminder's fields (nodemailer builds the MIME), over the same pool.
    const day = await s2.listOutbox({ status: "sent", limit: 1_000_000 });
    const dueAt = formatInstant(at, plan.campaign.timezone);
    const mine = day.filter((o) => o.dueAt === dueAt);
    const messages = mine.filter((o) => o.channel === REMINDER_CHANNEL).map((o) => composeReminder(c2.plan, decodeReminder(c2.plan, o.payload), { calendar: c2.calendar }));
    // The office's summary (and any other non-reminder message): as bytes the server got, one or two of thousands.
    const others = smtp.received.slice(0, mine.length - messages.length);
    const transport = nodemailer.createTransport({ pool: true, url: smtp.url, maxConnections: POOL });
    bareMs = (
      await timeAsync(() =>
        Promise.all([
          ...messages.map((m) =>
            transport.sendMail({ from: DEFAULT_FROM, to: m.to.email!.map((e) => ({ name: m.to.name, address: e })), subject: m.subject, text: m.text, html: m.html, messageId: m.messageId, headers: m.headers ?? {} }),
          ),
          ...others.map((m) => transport.sendMail({ raw: m.raw, envelope: { from: DEFAULT_FROM, to: m.envelopeTo } })),
        ]),
      )
    ).ms;
    transport.close();
  }
  await notifiers.close();
  await smtp.close();

  // A cycle with nothing to do, a second apart after 09:00: tick, the summary check, the outbox claim.
  const idle = createNotifiers({ emlDir: `${DIR}/cycle-eml` });
  const quiet = new Dispatcher(c2, idle);
  let now = at + 1_000;
  const batch = async () =>
    (
      await timeAsync(async () => {
        for (let i = 0; i < K; i++) {
          const r = await runCycle(c2, quiet, (now += 1_000));
          if (r.events || r.queued || r.summaryQueued || r.dispatch.sent) throw new Error(`an idle cycle did something: ${JSON.stringify(r)}`);
        }
      })
    ).ms;
  const peak = peakMb();
  return {
    assignments: plan.assignments.length,
    catchUp: { ms: up.ms, events: up.value.events.length, limitMs, workingDays: large?.workingDays ?? 0 },
    digest: { ms: nine.ms, sent, bareMs },
    idle: batch,
    close: async () => {
      await idle.close();
      await s2.close();
      removeDb(path);
    },
    peak,
  };
}

export async function figCycle(small: PlanSize, big: PlanSize): Promise<void> {
  const a = await measure(small, false);
  const b = await measure(big, true);
  // Idle batches alternate between the two campaigns (both open), so neither meets the JIT cold or the
  // shared machine busier; the first pair warms up.
  const idleA: number[] = [];
  const idleB: number[] = [];
  for (let round = 0; round < 10; round++) {
    const x = round & 1 ? [await b.idle(), await a.idle()].reverse() : [await a.idle(), await b.idle()];
    if (round > 0) (idleA.push(x[0]!), idleB.push(x[1]!));
  }
  await a.close();
  await b.close();
  const aUs = (median(idleA) / K) * 1000;
  const bUs = (median(idleB) / K) * 1000;
  const up = b.catchUp;
  const r = rate(up.events, up.ms);
  const l = rate(up.events, up.limitMs);
  report({
    key: "catch-up",
    label: `catch-up after a stop: one tick over ${up.workingDays} working days (${big} plan)`,
    what: `catch-up: Campaign.tick from the start over ${up.workingDays} working days, one transaction (${fmt(up.events)} events, ${big} plan, ${fmt(b.assignments)} assignments)`,
    duban: `${fmt(r)} ev/s (${fmt(up.ms)} ms)`,
    bare: `limit: the same rows, one prepared INSERT per table, one transaction, WAL + NORMAL ${fmt(l)} ev/s (${fmt(up.limitMs)} ms)`,
    ratio: r / l,
    target: "≥ 0.5",
    pass: r / l >= 0.5,
  });
  const d = b.digest;
  report({
    key: "digest",
    label: `the 09:00 cycle sending ${fmt(d.sent)} digests to a local SMTP server (${big} plan)`,
    what: `one 09:00 daemon cycle (runCycle) sending ${fmt(d.sent)} messages to a local SMTP server, pool ${POOL}, time to the last accepted (${big} plan)`,
    duban: `${fmt(d.ms)} ms (${fmt(rate(d.sent, d.ms))} msg/s)`,
    bare: `nodemailer alone, the same messages, same pool ${fmt(d.bareMs)} ms (${fmt(rate(d.sent, d.bareMs))} msg/s)`,
    ratio: d.ms / d.bareMs,
    target: "≤ 1.25x (0.8 of nodemailer's rate)",
    pass: d.ms / d.bareMs <= 1.25,
  });
  report({
    key: "idle-cycle",
    label: `idle daemon cycle, ${big} vs ${small} plan`,
    what: `idle daemon cycle (tick + daily-summary check + outbox claim, nothing to do) ${big} (${fmt(b.assignments)} assignments) vs ${small} (${fmt(a.assignments)})`,
    duban: `${fmt(bUs)} µs at ${big}`,
    bare: `${fmt(aUs)} µs at ${small}`,
    ratio: bUs / aUs,
    target: "≤ 1.5x",
    pass: bUs / aUs <= 1.5,
  });
  note("digest-small", `the ${small} plan's 09:00 cycle: ${fmt(a.digest.sent)} messages in ${fmt(a.digest.ms)} ms; its catch-up ${fmt(a.catchUp.events)} events in ${fmt(a.catchUp.ms)} ms`);
}

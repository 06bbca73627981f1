/** The benchmark figures: each pits Duban's path against the bare library path on the same data. */
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import Database from "better-sqlite3";
import nodemailer from "nodemailer";
import { createActor, type AnyActorRef } from "xstate";
import YAML from "yaml";
import { createNotifiers } from "../../notifiers/index.ts";
import { composeMessage, DEFAULT_FROM } from "../../notifiers/rfc822.ts";
import { startSmtp } from "../../test/notifiers/fixtures.ts";
import { Campaign } from "../../src/campaign/campaign.ts";
import { decodeEvent, encodeReminder, isDomainEventType } from "../../src/campaign/codec.ts";
import { Dispatcher } from "../../src/dispatch/dispatcher.ts";
import { assignmentMachine } from "../../src/engine/assignment-machine.ts";
import { parseInstant, type EpochMs } from "../../src/engine/calendar.ts";
import { createCampaignMachine } from "../../src/engine/campaign-machine.ts";
import { Engine } from "../../src/engine/engine.ts";
import type { DomainEvent, ReminderIntent } from "../../src/engine/types.ts";
import { loadPlan, loadPlanText } from "../../src/plan/load.ts";
import type { ResolvedPlan } from "../../src/plan/types.ts";
import { composeReminder } from "../../src/reminders/compose.ts";
import { generatePlan, type PlanSize } from "../../src/scale/generate.ts";
import { syntheticActions } from "../../src/simulate/synthetic-actions.ts";
import { schemaDdl } from "../../src/store/schema.ts";
import { SqliteStore } from "../../src/store/sqlite.ts";
import { runCampaign, runEngine, yearInputs, type Input } from "./drive.ts";
import { fmt, median, medianOf, peakMb, report, sample, time, timeAsync } from "./measure.ts";

const DIR = "bench-data";

export function planFile(size: PlanSize): string {
  const file = `${DIR}/national-${size}.yaml`;
  const text = generatePlan(size).text;
  // Rewrite only when it changed, so the plan hash (and the stores built on it) stay valid between runs.
  if (!existsSync(file) || readFileSync(file, "utf8") !== text) writeFileSync(file, text);
  return file;
}

function load(size: PlanSize): ResolvedPlan {
  const r = loadPlan(planFile(size));
  if (!r.plan) throw new Error(`the generated ${size} plan does not validate`);
  return r.plan;
}

export function removeDb(path: string): void {
  for (const suffix of ["", "-wal", "-shm"]) rmSync(path + suffix, { force: true });
}

/** Load + validate + resolve vs a bare YAML parse of the same file. */
export function figLoad(size: PlanSize, label = "load+validate+resolve"): void {
  const file = planFile(size);
  const bare = medianOf(5, 2, () => YAML.parse(readFileSync(file, "utf8")));
  let n = 0;
  const duban = medianOf(3, 1, () => {
    const r = loadPlan(file);
    n = r.plan!.assignments.length;
    sample();
  });
  const ratio = duban / bare;
  report({ what: `${label} ${size} plan (${n} assignments)`, duban: `${fmt(duban)} ms`, bare: `yaml.parse ${fmt(bare)} ms`, ratio, target: "≤ 3x", pass: ratio <= 3 });
}

/** Microseconds per tick with nothing due, mid-year (everything before it applied). */
function idleTick(plan: ResolvedPlan): number {
  return idleTickOn(new Engine(plan), parseInstant("2025-07-01T10:00:00+08:00", plan.campaign.timezone));
}

/**
 * The same on a given engine, from `at` (everything before it applied first, untimed). `K`: ticks per
 * batch, enough (tens of ms) that timer noise and a stray GC do not decide a sub-µs figure.
 */
export function idleTickOn(engine: Engine, at: EpochMs, K = 200_000): number {
  engine.tick(at);
  let now = engine.clock;
  if (engine.nextDueAt() <= now + 9 * K) throw new Error("something falls due inside the idle window");
  const batch = () => {
    for (let i = 0; i < K; i++) if (engine.tick(++now).events.length) throw new Error("an idle tick produced events");
  };
  return (medianOf(7, 2, batch) / K) * 1000;
}

export function figTick(small: PlanSize, big: PlanSize, growth: PlanSize[]): void {
  const costs = new Map<PlanSize, number>();
  for (const s of [small, big, ...growth]) if (!costs.has(s)) costs.set(s, idleTick(load(s)));
  const a = costs.get(small)!;
  const b = costs.get(big)!;
  const ratio = b / a;
  const extra = growth.length ? `µs/idle tick: ${[...costs].map(([s, c]) => `${s} ${c.toFixed(3)}`).join(", ")}` : undefined;
  report({ what: `idle tick ${big} vs ${small}`, duban: `${b.toFixed(3)} µs at ${big}`, bare: `${a.toFixed(3)} µs at ${small}`, ratio, target: "≤ 2x", pass: ratio <= 2, extra });
}

/** Engine over the year vs bare live actors fed the events the engine produced. */
export function figSim(size: PlanSize): void {
  const plan = load(size);
  const recorded: DomainEvent[] = [];
  const inputs = yearInputs(new Engine(plan), syntheticActions(plan), plan.campaign.endAt, (r) => recorded.push(...r.events));
  const runs = plan.assignments.length > 50_000 ? 1 : 3;
  let events = 0;
  const duban = medianOf(runs, 1, () => {
    events = runEngine(new Engine(plan), inputs, sample);
  });
  if (events !== recorded.length) throw new Error(`the timed run produced ${events} events, the recording ${recorded.length}`);
  const campaignMachine = createCampaignMachine(plan);
  const bare = medianOf(runs, 1, () => {
    const actors = new Map<string, AnyActorRef>();
    for (const a of plan.assignments) actors.set(a.id, createActor(assignmentMachine, { input: { dueAt: a.dueAt } }).start());
    const campaign = createActor(campaignMachine).start();
    for (let i = 0; i < recorded.length; i++) {
      const e = recorded[i]!;
      if ("assignment" in e) actors.get(e.assignment)!.send(e);
      else campaign.send(e);
      if ((i & 4095) === 0) sample();
    }
  });
  const per = (duban / events) * 1000;
  const perBare = (bare / events) * 1000;
  report({
    what: `full-year simulation ${size} (${events} events, ${inputs.length} steps)`,
    duban: `${per.toFixed(2)} µs/event (${fmt(duban)} ms)`,
    bare: `createActor+send ${perBare.toFixed(2)} µs/event (${fmt(bare)} ms)`,
    ratio: per / perBare,
    target: "≤ 2x",
    pass: per / perBare <= 2,
  });
}

export function appendDb(size: PlanSize): string {
  return `${DIR}/append-${size}.db`;
}

/** Campaign.step over the year until `limit` events are stored, vs a bare batched insert of the same rows. */
export async function figAppend(size: PlanSize, limit: number): Promise<void> {
  const file = planFile(size);
  const plan = load(size);
  const inputs = yearInputs(new Engine(plan), syntheticActions(plan), plan.campaign.endAt);
  // Engine alone over the same steps, to tell engine cost from store cost.
  const engineOnly = time(() => {
    const e = new Engine(plan);
    let n = 0;
    for (let i = 0; i < inputs.length && n < limit; i++) n += e.step(inputs[i]!.input, inputs[i]!.now).events.length;
  }).ms;
  const path = appendDb(size);
  removeDb(path);
  // NORMAL on both sides: with FULL both would mostly measure the disk's fsync, once per step.
  const store = new SqliteStore(path, { synchronous: "NORMAL" });
  const campaign = await Campaign.init(store, file, plan.campaign.startAt - 86_400_000);
  const { ms: duban, value } = await timeAsync(() => runCampaign(campaign, inputs, limit, sample));
  await store.close();

  const src = new Database(path, { readonly: true });
  const rows = src.prepare("SELECT seq, at, at_ms, actor, type, payload, plan_hash, assignment, prev_hash, hash FROM events WHERE seq > 1 ORDER BY seq").all();
  const outbox = src.prepare("SELECT key, channel, due_at, due_at_ms, payload, status, attempts, next_attempt_at, next_attempt_ms, event_seq FROM outbox ORDER BY id").all();
  src.close();
  const barePath = `${DIR}/append-bare-${size}.db`;
  removeDb(barePath);
  const db = new Database(barePath);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  for (const ddl of schemaDdl("sqlite", (t) => t)) db.exec(ddl);
  const insert = db.prepare(
    "INSERT INTO events (seq, at, at_ms, actor, type, payload, plan_hash, assignment, prev_hash, hash) VALUES (@seq, @at, @at_ms, @actor, @type, @payload, @plan_hash, @assignment, @prev_hash, @hash)",
  );
  const insertOutbox = db.prepare(
    "INSERT INTO outbox (key, channel, due_at, due_at_ms, payload, status, attempts, next_attempt_at, next_attempt_ms, event_seq) VALUES (@key, @channel, @due_at, @due_at_ms, @payload, @status, @attempts, @next_attempt_at, @next_attempt_ms, @event_seq)",
  );
  // The same rows the Campaign wrote (events and their reminder intents), in the same transactions.
  const tx = db.transaction((ev: unknown[], ob: unknown[]) => {
    for (const r of ev) insert.run(r);
    for (const o of ob) insertOutbox.run(o);
  });
  const bare = time(() => {
    let e = 0;
    let o = 0;
    for (const [ne, no] of value.batches) {
      tx(rows.slice(e, e + ne), outbox.slice(o, o + no));
      e += ne;
      o += no;
    }
  }).ms;
  db.close();
  removeDb(barePath);

  // The hash-chained store itself (EventStore.append: validation, canonical JSON, chaining, outbox) on the
  // same events and outbox rows in the same transactions: the figure the issue names.
  type Row = { at: string; actor: string; type: string; payload: string; plan_hash: string; assignment: string | null };
  type ORow = { key: string; channel: string; due_at: string; payload: string };
  const newEvents = (rows as Row[]).map((r) => ({ at: r.at, actor: JSON.parse(r.actor), type: r.type, payload: JSON.parse(r.payload), planHash: r.plan_hash, ...(r.assignment !== null ? { assignment: r.assignment } : {}) }));
  const newOutbox = (outbox as ORow[]).map((o) => ({ key: o.key, channel: o.channel, dueAt: o.due_at, payload: JSON.parse(o.payload) }));
  const storePath = `${DIR}/append-store-${size}.db`;
  removeDb(storePath);
  const chained = new SqliteStore(storePath, { synchronous: "NORMAL" });
  const storeMs = (
    await timeAsync(async () => {
      let e = 0;
      let o = 0;
      for (const [ne, no] of value.batches) {
        await chained.append(newEvents.slice(e, e + ne), newOutbox.slice(o, o + no));
        e += ne;
        o += no;
      }
    })
  ).ms;
  await chained.close();
  removeDb(storePath);

  const rate = rows.length / (storeMs / 1000);
  const bareRate = rows.length / (bare / 1000);
  const ratio = rate / bareRate;
  const campaignRate = value.events / (duban / 1000);
  report({
    what: `append ${rows.length} events + ${outbox.length} outbox rows to the hash-chained SQLite store (${size} plan, ${value.batches.length} transactions)`,
    duban: `${fmt(rate)} ev/s (${fmt(storeMs)} ms)`,
    bare: `batched INSERT of the same rows ${fmt(bareRate)} ev/s (${fmt(bare)} ms)`,
    ratio,
    target: "≥ 0.5",
    pass: ratio >= 0.5,
    extra: `whole Campaign.step path (engine + store + snapshots) ${fmt(campaignRate)} ev/s, ratio ${fmt(campaignRate / bareRate)}; engine alone ${fmt(engineOnly)} ms`,
  });
}

/** Full replay from the log vs bare read + JSON.parse + actor.send; then replay --as-of a late instant. */
export async function figReplay(size: PlanSize): Promise<void> {
  const path = appendDb(size);
  const store = new SqliteStore(path);
  // The plan as Campaign.open reads it, without opening a Campaign: its engine would count in the peak.
  const hash = (await store.latestPlanHash())!;
  const plan = loadPlanText(`plan@${hash.slice(0, 12)}`, (await store.getPlan(hash))!).plan!;
  const zone = plan.campaign.timezone;
  // The same fold as Campaign's rebuild without a snapshot.
  let count = 0;
  const full = async () => {
    const engine = new Engine(plan);
    let clock = -Infinity;
    count = 0;
    for await (const s of store.read()) {
      const e = decodeEvent(plan, s);
      if (e) {
        engine.apply(e);
        if (e.at > clock) clock = e.at;
      }
      if ((++count & 4095) === 0) sample();
    }
    engine.settle(clock);
  };
  const fullRuns: number[] = [];
  for (let i = 0; i < 2; i++) fullRuns.push((await timeAsync(full)).ms);
  const duban = median(fullRuns);
  const dubanPeak = peakMb(); // plan load + the full replay, before any baseline runs in this process

  const db = new Database(path, { readonly: true });
  const campaignMachine = createCampaignMachine(plan);
  const bareRun = () => {
    const actors = new Map<string, AnyActorRef>();
    for (const a of plan.assignments) actors.set(a.id, createActor(assignmentMachine, { input: { dueAt: a.dueAt } }).start());
    const c = createActor(campaignMachine).start();
    let i = 0;
    for (const r of db.prepare("SELECT type, at, payload, assignment FROM events ORDER BY seq").iterate() as Iterable<{ type: string; at: string; payload: string; assignment: string | null }>) {
      if ((++i & 4095) === 0) sample();
      if (!isDomainEventType(r.type)) continue;
      const e = { type: r.type, at: Date.parse(r.at), ...JSON.parse(r.payload), ...(r.assignment ? { assignment: r.assignment } : {}) };
      if (r.assignment) actors.get(r.assignment)?.send(e);
      else c.send(e);
    }
  };
  const bare = medianOf(2, 0, bareRun);
  const lastSeq = db.prepare<[], { m: number }>("SELECT max(seq) AS m FROM events").get()!.m;
  const snapshots = db.prepare<[], { n: number }>("SELECT count(*) AS n FROM snapshots").get()!.n;
  const lateAt = db.prepare<[number], { at: string }>("SELECT at FROM events WHERE seq = ?").get(Math.floor(lastSeq * 0.95))!.at;
  db.close();
  const rate = count / (duban / 1000);
  const bareRate = count / (bare / 1000);
  report({
    what: `replay ${count} events (${size} plan)`,
    duban: `${fmt(rate)} ev/s (${fmt(duban)} ms)`,
    bare: `read+JSON.parse+send ${fmt(bareRate)} ev/s (${fmt(bare)} ms)`,
    ratio: rate / bareRate,
    target: "≥ 0.5, peak < 512 MB",
    pass: rate / bareRate >= 0.5 && dubanPeak < 512,
    extra: `duban replay peak ${dubanPeak} MB`,
  });
  const campaign = await Campaign.open(store);
  const asOfRuns: number[] = [];
  for (let i = 0; i < 3; i++) asOfRuns.push((await timeAsync(() => campaign.replayAsOf(parseInstant(lateAt, zone)))).ms);
  const asOf = median(asOfRuns);
  report({
    what: `replay --as-of ${lateAt} (95% of the log, ${snapshots} snapshots) vs full replay`,
    duban: `${fmt(asOf)} ms`,
    bare: `full replay ${fmt(duban)} ms`,
    ratio: asOf / duban,
    target: "≤ 0.1",
    pass: asOf / duban <= 0.1,
  });
  await store.close();
}

/**
 * The Dispatcher draining `n` reminders to a local SMTP server (composing each from its intent, recording
 * each delivery in the hash-chained log) vs bare pooled nodemailer sending the same messages given as
 * fields (nodemailer builds the MIME), over the same pool. The rate of nodemailer sending prebuilt bytes,
 * the floor of the transport, is reported beside it.
 */
export async function figEmail(size: PlanSize, n: number): Promise<void> {
  const file = planFile(size);
  const plan = load(size);
  const intents: ReminderIntent[] = [];
  const engine = new Engine(plan);
  yearInputs(engine, syntheticActions(plan), plan.campaign.endAt, (r) => intents.length < n && intents.push(...r.reminders));
  if (intents.length < n) throw new Error(`the ${size} year yields only ${intents.length} reminders`);
  const chosen = intents.slice(0, n);
  const POOL = 5;
  const smtp = await startSmtp();
  const path = `${DIR}/email-${size}.db`;
  removeDb(path);
  const store = new SqliteStore(path, { synchronous: "NORMAL" });
  const campaign = await Campaign.init(store, file, plan.campaign.startAt - 86_400_000);
  await store.append([], chosen.map((x) => encodeReminder(plan, x)));
  const notifiers = createNotifiers({ email: { url: smtp.url, maxConnections: POOL } });
  const dispatcher = new Dispatcher(campaign, notifiers);
  const now: EpochMs = plan.campaign.endAt;
  const { ms: duban, value } = await timeAsync(() => dispatcher.dispatchDue(now));
  sample();
  await notifiers.close();
  await store.close();
  if (value.sent !== n || smtp.received.length !== n) throw new Error(`dispatcher sent ${value.sent}, server got ${smtp.received.length}, of ${n}`);

  const messages = chosen.map((x) => composeReminder(plan, x, { calendar: engine.calendar }));
  const transport = nodemailer.createTransport({ pool: true, url: smtp.url, maxConnections: POOL });
  const bare = (
    await timeAsync(() =>
      Promise.all(
        messages.map((m) =>
          transport.sendMail({ from: DEFAULT_FROM, to: m.to.email!.map((e) => ({ name: m.to.name, address: e })), subject: m.subject, text: m.text, html: m.html, messageId: m.messageId, headers: m.headers ?? {} }),
        ),
      ),
    )
  ).ms;
  const raws = await Promise.all(messages.map((m) => composeMessage(m)));
  const rawMs = (await timeAsync(() => Promise.all(raws.map((m) => transport.sendMail({ raw: m.raw, envelope: m.envelope }))))).ms;
  transport.close();
  await smtp.close();
  removeDb(path);
  const rate = n / (duban / 1000);
  const bareRate = n / (bare / 1000);
  report({
    what: `dispatch ${n} emails to local SMTP, pool ${POOL}`,
    duban: `Dispatcher ${fmt(rate)} msg/s (${fmt(duban)} ms)`,
    bare: `nodemailer ${fmt(bareRate)} msg/s (${fmt(bare)} ms)`,
    ratio: rate / bareRate,
    target: "≥ 0.8",
    pass: rate / bareRate >= 0.8,
    extra: `prebuilt bytes ${fmt(n / (rawMs / 1000))} msg/s (ratio ${(rate / (n / (rawMs / 1000))).toFixed(2)})`,
  });
}

export type { Input };

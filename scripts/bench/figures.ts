/** The benchmark figures: each pits Duban's path against the bare library path on the same data. */
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import Database from "better-sqlite3";
import nodemailer from "nodemailer";
import type { AnyStateMachine, Snapshot } from "xstate";
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
import { inertScope, transition } from "../../src/engine/xstate-adapter.ts";
import type { DomainEvent, ReminderIntent } from "../../src/engine/types.ts";
import { loadPlan, loadPlanText } from "../../src/plan/load.ts";
import type { ResolvedPlan } from "../../src/plan/types.ts";
import { composeReminder } from "../../src/reminders/compose.ts";
import { generatePlan, type PlanSize } from "../../src/scale/generate.ts";
import { syntheticActions } from "../../src/simulate/synthetic-actions.ts";
import { SqliteStore } from "../../src/store/sqlite.ts";
import { runEngine, yearInputs, type Input } from "./drive.ts";
import { fmt, median, medianOf, peakMb, report, sample, timeAsync } from "./measure.ts";

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
  report({ key: label === "load+validate+resolve" ? "load" : `load-${size}`, label: `load + validate + resolve, ${size} plan`, what: `${label} ${size} plan (${n} assignments)`, duban: `${fmt(duban)} ms`, bare: `yaml.parse ${fmt(bare)} ms`, ratio, target: "≤ 3x", pass: ratio <= 3 });
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
  const bare = medianOf(runs, 1, () => {
    const fold = bareFold(plan);
    for (let i = 0; i < recorded.length; i++) {
      fold.apply(recorded[i]!);
      if ((i & 4095) === 0) sample();
    }
  });
  const per = (duban / events) * 1000;
  const perBare = (bare / events) * 1000;
  report({
    key: "sim",
    label: `full-year simulation, per event (${size} plan)`,
    what: `full-year simulation ${size} (${events} events, ${inputs.length} steps)`,
    duban: `${per.toFixed(2)} µs/event (${fmt(duban)} ms)`,
    bare: `machine.transition, the call the engine makes ${perBare.toFixed(2)} µs/event (${fmt(bare)} ms)`,
    ratio: per / perBare,
    target: "≤ 2x",
    pass: per / perBare <= 2,
  });
}

/**
 * The fastest the bare library folds events into state: XState's own transition call with one inert
 * scope (the call the engine makes, src/engine/xstate-adapter.ts), one snapshot per assignment in a Map.
 */
export function bareFold(plan: ResolvedPlan): { apply(e: DomainEvent): void } {
  const campaignMachine = createCampaignMachine(plan) as unknown as AnyStateMachine;
  const aScope = inertScope(assignmentMachine);
  const cScope = inertScope(campaignMachine);
  const snaps = new Map<string, AnySnapshot>();
  for (const a of plan.assignments) snaps.set(a.id, assignmentMachine.getInitialSnapshot(aScope, { dueAt: a.dueAt }));
  let campaign: AnySnapshot = campaignMachine.getInitialSnapshot(cScope);
  return {
    apply(e) {
      if ("assignment" in e && e.assignment !== undefined) {
        const prev = snaps.get(e.assignment as string);
        if (prev) snaps.set(e.assignment as string, transition(assignmentMachine, prev as never, e as never, aScope));
      } else campaign = transition(campaignMachine, campaign as never, e as never, cScope);
    },
  };
}

export function appendDb(size: PlanSize): string {
  return `${DIR}/append-${size}.db`;
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
  const bareRun = () => {
    const fold = bareFold(plan);
    let i = 0;
    for (const r of db.prepare("SELECT type, at, payload, assignment FROM events ORDER BY seq").iterate() as Iterable<{ type: string; at: string; payload: string; assignment: string | null }>) {
      if ((++i & 4095) === 0) sample();
      if (!isDomainEventType(r.type)) continue;
      fold.apply({ type: r.type, at: Date.parse(r.at), ...JSON.parse(r.payload), ...(r.assignment ? { assignment: r.assignment } : {}) });
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
    key: "replay",
    label: `full replay from the log (${size} plan)`,
    what: `replay ${count} events (${size} plan)`,
    duban: `${fmt(rate)} ev/s (${fmt(duban)} ms)`,
    bare: `better-sqlite3 iterate + JSON.parse + machine.transition ${fmt(bareRate)} ev/s (${fmt(bare)} ms)`,
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
    key: "as-of",
    label: `\`replay --as-of\` at 95 % of the log vs full replay (${size} plan)`,
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
    key: "email",
    label: `dispatch ${n} e-mails to a local SMTP server, pool ${POOL}`,
    what: `dispatch ${n} emails to local SMTP, pool ${POOL}`,
    duban: `Dispatcher ${fmt(rate)} msg/s (${fmt(duban)} ms)`,
    bare: `nodemailer ${fmt(bareRate)} msg/s (${fmt(bare)} ms)`,
    ratio: rate / bareRate,
    target: "≥ 0.8",
    pass: rate / bareRate >= 0.8,
    extra: `prebuilt bytes ${fmt(n / (rawMs / 1000))} msg/s (ratio ${(rate / (n / (rawMs / 1000))).toFixed(2)})`,
  });
}

type AnySnapshot = Snapshot<unknown>;

export type { Input };

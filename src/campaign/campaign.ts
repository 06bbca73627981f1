import { formatInstant, parseInstant, type EpochMs } from "../engine/calendar.ts";
import { Engine, type PersistedEngine } from "../engine/engine.ts";
import type { DomainEvent, EngineInput, Refusal, ReminderIntent } from "../engine/types.ts";
import { loadPlan, loadPlanText } from "../plan/load.ts";
import { formatDiagnostic } from "../plan/diagnostics.ts";
import type { ResolvedPlan } from "../plan/types.ts";
import { StoreError } from "../store/errors.ts";
import type { EventStore } from "../store/store.ts";
import type { StoredEvent } from "../store/types.ts";
import { boardRows, type BoardRow } from "./board.ts";
import { decodeEvent, encodeEvent, encodeReminder } from "./codec.ts";

/** A mistake with the campaign's store or plan that the user can fix; the CLI prints it without a stack. */
export class CampaignError extends Error {
  constructor(
    readonly code: "NOT_INITIALISED" | "ALREADY_INITIALISED" | "PLAN_INVALID" | "PLAN_MISSING" | "CONFLICT",
    message: string,
  ) {
    super(message);
  }
}

export interface StepOutcome {
  refused?: Refusal;
  events: StoredEvent[];
  reminders: ReminderIntent[];
}

export interface ReplayResult {
  asOf: string;
  campaign: string;
  assignments: { id: string; unit: string; state: string; lateness: string; late: boolean; level: number }[];
}

/** A snapshot every so many events keeps opening and `replay --as-of` cheap on a long campaign. */
const SNAPSHOT_EVERY = 5_000;
/**
 * A snapshot holds every assignment, so on a large plan it is spaced by the plan's size too: at 300k
 * assignments one is ~45 MB, and one per 5,000 events wrote ~9 GB of snapshots per million events.
 * With one per assignments/4 events, snapshots stay within a few times the log's own bytes and an
 * as-of replay still folds at most a quarter of the assignments' worth of events.
 */
function snapshotEvery(plan: ResolvedPlan): number {
  return Math.max(SNAPSHOT_EVERY, Math.ceil(plan.assignments.length / 4));
}
const MAX_RETRIES = 8;

/**
 * A running campaign: its plan, its log and the engine state derived from the log. This is the one
 * library API the CLI, the daemon and the web server call. Every change goes through the engine and is
 * appended with its reminder intents in one transaction, only if nobody appended in between.
 */
export class Campaign {
  private constructor(
    readonly store: EventStore,
    readonly plan: ResolvedPlan,
    private engine: Engine,
    private seq: number,
    private snapshotSeq: number,
  ) {}

  get calendar() {
    return this.engine.calendar;
  }

  get clock(): EpochMs {
    return this.engine.clock;
  }

  /** Creates the store for a campaign and records the plan version. */
  static async init(store: EventStore, file: string, now: EpochMs): Promise<Campaign> {
    const loaded = loadPlan(file);
    if (!loaded.plan) throw new CampaignError("PLAN_INVALID", loaded.diagnostics.map(formatDiagnostic).join("\n"));
    const plan = loaded.plan;
    const existing = await store.latestPlanHash();
    if (existing !== undefined) {
      if (existing === plan.hash) return Campaign.open(store);
      throw new CampaignError("ALREADY_INITIALISED", `this store already runs a campaign (plan ${existing.slice(0, 12)}); to change its plan use "duban plan apply"`);
    }
    await store.putPlan(plan.hash, loaded.text, { file, campaign: plan.campaign.id });
    await store.append([
      {
        at: formatInstant(now, plan.campaign.timezone),
        actor: { kind: "engine" },
        type: "campaignInitialised",
        payload: { campaign: plan.campaign.id, title: plan.campaign.title, file, assignments: plan.assignments.length },
        planHash: plan.hash,
      },
    ]);
    return Campaign.open(store);
  }

  /** Loads the plan version the store runs and rebuilds the engine from the newest snapshot plus the log. */
  static async open(store: EventStore): Promise<Campaign> {
    const hash = await store.latestPlanHash();
    if (hash === undefined) throw new CampaignError("NOT_INITIALISED", 'this store has no campaign yet: run "duban init <plan>" first');
    const text = await store.getPlan(hash);
    if (text === undefined) throw new CampaignError("PLAN_MISSING", `the store lost the text of plan ${hash.slice(0, 12)}`);
    const loaded = loadPlanText(`plan@${hash.slice(0, 12)}`, text);
    if (!loaded.plan) throw new CampaignError("PLAN_INVALID", loaded.diagnostics.map(formatDiagnostic).join("\n"));
    const { engine, seq, snapshotSeq } = await rebuild(store, loaded.plan);
    return new Campaign(store, loaded.plan, engine, seq, snapshotSeq);
  }

  /** Folds events appended by other processes since this one last looked. */
  async refresh(): Promise<void> {
    let last = this.seq;
    for await (const s of this.store.read({ fromSeq: this.seq + 1 })) {
      const e = decodeEvent(this.plan, s);
      if (e) this.engine.apply(e);
      last = s.seq;
    }
    if (last !== this.seq) {
      this.seq = last;
      const clock = (await this.lastEventAt()) ?? this.engine.clock;
      if (clock > this.engine.clock) this.engine.settle(clock);
    }
  }

  private async lastEventAt(): Promise<EpochMs | undefined> {
    for await (const s of this.store.read({ fromSeq: this.seq, toSeq: this.seq })) return parseInstant(s.at, this.plan.campaign.timezone);
    return undefined;
  }

  /**
   * Applies a unit action or a tick at `now`, and appends what it produced. `extra` is recorded in every
   * event (e.g. `{ clock: "set" }` when a drill set the clock by hand).
   */
  async step(input: EngineInput, now: EpochMs, extra?: Record<string, unknown>): Promise<StepOutcome> {
    for (let attempt = 0; ; attempt++) {
      await this.refresh();
      const r = this.engine.step(input, now);
      if (r.events.length === 0 && r.reminders.length === 0) return { refused: r.refused, events: [], reminders: [] };
      try {
        const stored = await this.store.append(
          r.events.map((e: DomainEvent) => encodeEvent(this.plan, e, extra)),
          r.reminders.map((x) => encodeReminder(this.plan, x)),
          { expectedSeq: this.seq },
        );
        this.seq = stored.at(-1)?.seq ?? this.seq;
        await this.maybeSnapshot();
        return { refused: r.refused, events: stored, reminders: r.reminders };
      } catch (err) {
        if (!(err instanceof StoreError && err.code === "HEAD_MOVED")) throw err;
        // Someone appended first: our engine state holds events that were not written. Start over from the log.
        if (attempt >= MAX_RETRIES) throw new CampaignError("CONFLICT", "the log kept moving under this change; try again");
        const fresh = await rebuild(this.store, this.plan);
        this.engine = fresh.engine;
        this.seq = fresh.seq;
      }
    }
  }

  tick(now: EpochMs): Promise<StepOutcome> {
    return this.step({ type: "tick" }, now);
  }

  private async maybeSnapshot(): Promise<void> {
    if (this.seq - this.snapshotSeq < snapshotEvery(this.plan)) return;
    await this.store.putSnapshot(this.seq, this.plan.hash, JSON.stringify(this.engine.persist()));
    this.snapshotSeq = this.seq;
  }

  /** The board at `now` (default: the engine's clock). */
  board(now: EpochMs = this.engine.clock): BoardRow[] {
    return boardRows(this.plan, this.engine.calendar, this.engine.views(), Number.isFinite(now) ? now : this.plan.campaign.startAt);
  }

  campaignState(): string {
    return this.engine.campaignState();
  }

  /** Every event of one assignment, in order. */
  async history(assignment: string): Promise<StoredEvent[]> {
    const out: StoredEvent[] = [];
    for await (const e of this.store.read({ assignment })) out.push(e);
    return out;
  }

  /** The state of every assignment at `asOf`, computed from the log alone (a snapshot at or before it, then the events). */
  async replayAsOf(asOf: EpochMs): Promise<ReplayResult> {
    const { engine } = await rebuild(this.store, this.plan, asOf);
    const zone = this.plan.campaign.timezone;
    return {
      asOf: formatInstant(asOf, zone),
      campaign: engine.campaignState(),
      assignments: boardRows(this.plan, engine.calendar, engine.views(), asOf).map((r) => ({ id: r.id, unit: r.unit, state: r.state, lateness: r.lateness, late: r.late, level: r.level })),
    };
  }
}

/**
 * Engine state from the log: the newest usable snapshot (same plan, clock at or before `until`), then
 * every later event up to `until`. Snapshots are only a cache: without one, the whole log is folded.
 */
async function rebuild(store: EventStore, plan: ResolvedPlan, until?: EpochMs): Promise<{ engine: Engine; seq: number; snapshotSeq: number }> {
  let engine: Engine | undefined;
  let fromSeq = 1;
  let snapshotSeq = 0;
  let maxSeq: number | undefined;
  for (;;) {
    const snap = await store.latestSnapshot(maxSeq, plan.hash);
    if (!snap) break;
    const data = JSON.parse(snap.data) as PersistedEngine;
    if (until === undefined || (data.clock ?? -Infinity) <= until) {
      engine = Engine.restore(plan, data);
      fromSeq = snap.seq + 1;
      snapshotSeq = snap.seq;
      break;
    }
    maxSeq = snap.seq - 1;
    if (maxSeq < 1) break;
  }
  engine ??= new Engine(plan);
  let seq = fromSeq - 1;
  let clock = engine.clock;
  const zone = plan.campaign.timezone;
  const untilAt = until === undefined ? undefined : formatInstant(until, zone);
  for await (const s of store.read({ fromSeq, ...(untilAt ? { untilAt } : {}) })) {
    const e = decodeEvent(plan, s);
    if (e) {
      engine.apply(e);
      clock = Math.max(clock, e.at);
    }
    seq = s.seq;
  }
  engine.settle(until ?? clock);
  return { engine, seq, snapshotSeq };
}


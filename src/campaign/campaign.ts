import { cnDataFor, formatInstant, parseInstant, sameCnData, type CnCalendarData, type EpochMs, type WorkCalendar } from "../engine/calendar.ts";
import { Engine, type AssignmentView, type PersistedEngine } from "../engine/engine.ts";
import { mergeReminders } from "../engine/merge-reminders.ts";
import type { Item } from "../model/item.ts";
import type { DomainEvent, EngineInput, OpenRequest, ReminderIntent } from "../engine/types.ts";
import { rendered, type RenderedRefusal } from "../text/refusals.ts";
import type { LoadOptions } from "../plan/load.ts";
import { planHash } from "../plan/version-hash.ts";
import type { ResolvedPlanCache } from "./resolved-cache.ts";
import { formatDiagnostic } from "../plan/diagnostics.ts";
import type { ResolvedPlan } from "../plan/types.ts";
import { StoreError } from "../store/errors.ts";
import type { EventStore } from "../store/store.ts";
import type { ChainHead, NewEvent, NewOutboxItem, StoredEvent } from "../store/types.ts";
import { boardRows, boardStillValid, boardWindow, type BoardRow, type BoardWindow } from "./board.ts";
import { decodeEvent, encodeActor, encodeEvent, encodeReminder } from "./codec.ts";
import { checkInit, type InitCheckOptions, type InitWarning } from "./init-check.ts";
import { strandedByRemovedUnits, type StrandedItem } from "./removed-units.ts";
import { unitChanges, type UnitChange } from "../plan/unit-changes.ts";

export interface InitOptions extends LoadOptions, InitCheckOptions {
  /** Told about what is worth knowing but no reason to refuse (a campaign that starts months ahead). */
  onWarning?: (w: InitWarning) => void;
}

import { LARGE_CATCH_UP_WORKING_DAYS } from "./catch-up.ts";

/** A step that recorded, at `to`, engine events that fell due as far back as `from`. */
export interface CatchUp {
  from: EpochMs;
  to: EpochMs;
  /** Working days from `from` to `to`. */
  workingDays: number;
  /** The engine's events the step recorded. */
  events: number;
}

// The error lives in its own light module, so the CLI can recognise it without loading the engine.
export { CampaignError } from "./errors.ts";
import { CampaignError } from "./errors.ts";

/** The instant of a change: fixed (a drill's --now), or read at each attempt (a live host's wall clock). */
export type Clock = EpochMs | (() => EpochMs);

/**
 * A time-based event whose scheduled instant is before the log's last one (a store initialised after the
 * campaign began catches up on the deadlines it missed; a record reached the log before the tick that
 * covers it) is recorded when the log learns of it, at that last instant, with the schedule's instant
 * kept as `scheduledAt`, which is what replays apply. Actions never come here: they are refused instead.
 */
function recordedLate(events: NewEvent[], lastAt: string | undefined): NewEvent[] {
  if (lastAt === undefined) return events;
  const floor = Date.parse(lastAt);
  return events.map((e) => (Date.parse(e.at) < floor ? { ...e, at: lastAt, payload: { ...(e.payload as Record<string, unknown>), scheduledAt: e.at } } : e));
}

/** The refusal of a change dated before the log's last instant: nothing is written, and the line says what to do. */
function clockBehind(plan: ResolvedPlan, now: EpochMs, lastAt: string): CampaignError {
  const zone = plan.campaign.timezone;
  const last = formatInstant(parseInstant(lastAt, zone), zone);
  const when = now < parseInstant(lastAt, zone) ? `本次操作的时刻 ${formatInstant(now, zone)} 早于` : `本次变更中有记录早于`;
  return new CampaignError(
    "CLOCK_BEHIND",
    `${when}此存储最后一条记录的时刻 ${last}，未记录任何内容（日志的时刻只能向前）；请用不早于 ${last} 的 --now 重试，如要演练更早的日期，请另建存储：duban --db <新存储> --now <开始时刻> init <计划>`,
  );
}

export interface StepOutcome {
  /** Why the engine would not take the action, with its words in the plan's language. */
  refused?: RenderedRefusal;
  events: StoredEvent[];
  reminders: ReminderIntent[];
}

export interface PlanDiff {
  from: string;
  to: string;
  /** null: no deadline (a task tracked without a hand-in). */
  moved: { id: string; unit: string; title: string; from: EpochMs | null; to: EpochMs | null; state: string; extended: boolean }[];
  added: { id: string; unit: string; title: string; due: EpochMs | null }[];
  removed: { id: string; unit: string; title: string; state: string }[];
  unitsAdded: string[];
  unitsRemoved: string[];
  /** Units of both versions whose name, post or contacts changed (a directory edit shows here). */
  unitsChanged: UnitChange[];
  /** Items a removed unit still owes or receives: while there are any, the change is refused. */
  stranded: StrandedItem[];
  /** Days on which the statutory holiday data of the two versions disagree. */
  calendarDates: string[];
}

/** The campaign's state at one instant: the input of every published view (statistics, 台账, calendar feed). */
export interface CampaignViews {
  plan: ResolvedPlan;
  calendar: WorkCalendar;
  views: AssignmentView[];
  campaign: string;
}

export interface ReplayResult {
  asOf: string;
  campaign: string;
  assignments: { id: string; unit: string; state: string; lateness: string; late: boolean; level: number }[];
}

/** A snapshot every so many events keeps opening and `replay --as-of` cheap on a long campaign. */
const SNAPSHOT_EVERY = 2_500;
/**
 * Snapshots are spaced by events, never by days: an as-of replay restores the newest snapshot at or
 * before its instant and folds at most this many events after it, wherever the instant falls. A
 * snapshot holds every assignment (by column: ~15 MB at 300k), so on a large plan the spacing grows
 * with the plan, keeping snapshots within about the log's own bytes; a year logs about 11 events per
 * assignment, so one per assignments/8 events bounds the fold to about 1 % of a year's log.
 */
export function snapshotEvery(plan: ResolvedPlan): number {
  return Math.max(SNAPSHOT_EVERY, Math.ceil(plan.assignments.length / 8));
}

export interface OpenOptions {
  /** Events between snapshots. @default {@link snapshotEvery} of the plan */
  snapshotEvery?: number;
  /** false: read no snapshot and write none; every rebuild folds the whole log (a check of the snapshots). @default true */
  snapshots?: boolean;
  /**
   * Resolved plan versions kept between processes (the command line's, beside a SQLite store): a version
   * whose stored text and meta hash to what the log names is taken from here instead of resolved again.
   * @default none: every version is resolved from its stored text
   */
  resolvedPlans?: ResolvedPlanCache;
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
    private readonly plans: PlanCache,
    private engine: Engine,
    private seq: number,
    private snapshotSeq: number,
    private readonly opts: OpenOptions = {},
  ) {}

  /** The plan version the campaign runs now (a `planChanged` event moves it). */
  get plan(): ResolvedPlan {
    return this.engine.plan;
  }

  get calendar() {
    return this.engine.calendar;
  }

  get clock(): EpochMs {
    return this.engine.clock;
  }

  /** The last board built, and what it was built from (see board()). Callers never mutate the rows. */
  private boardCache: { engine: Engine; seq: number; clock: EpochMs; plan: ResolvedPlan; window: BoardWindow; rows: BoardRow[] } | undefined;

  /** The seq of the last event this campaign has folded: an append by anyone since moves the log's head past it. */
  get lastSeq(): number {
    return this.seq;
  }

  /** The next instant at which the engine has something scheduled (Infinity when nothing is). */
  nextDueAt(): EpochMs {
    return this.engine.nextDueAt();
  }

  /**
   * Creates the store for a campaign and records the plan version. A campaign that has ended by `now` is
   * refused (`CAMPAIGN_ENDED`) unless `opts.archive`; an existing store of the same plan is opened as it is.
   */
  static async init(store: EventStore, file: string, now: EpochMs, opts: InitOptions & OpenOptions = {}): Promise<Campaign> {
    const loaded = (await loader()).loadPlan(file, opts.calendarData ? { calendarData: opts.calendarData } : {});
    if (!loaded.plan) throw new CampaignError("PLAN_INVALID", loaded.diagnostics.map(formatDiagnostic).join("\n"));
    const plan = loaded.plan;
    const already = async () => {
      const c = await Campaign.open(store, openOptions(opts));
      if (c.plan.hash === plan.hash) return c;
      throw new CampaignError("ALREADY_INITIALISED", `此存储已在运行专项行动（计划版本 ${c.plan.hash.slice(0, 12)}）；如需修改计划，请使用 duban plan apply`);
    };
    // The log, not the plan table, says whether a campaign runs here: a plan text alone may be left by a failed init.
    if ((await store.head()).seq > 0) return already();
    const check = checkInit(plan, now, opts);
    if (check.error) throw new CampaignError(check.error.code, check.error.message);
    for (const w of check.warnings) opts.onWarning?.(w);
    await store.putPlan(plan.hash, loaded.text, planMeta(plan, file, loaded.imports));
    try {
      // Only into an empty log: of two processes initialising at once, one wins and the other opens its campaign.
      await store.append(
        [
          {
            at: formatInstant(now, plan.campaign.timezone),
            actor: { kind: "engine" },
            type: "campaignInitialised",
            payload: { campaign: plan.campaign.id, title: plan.campaign.title, file, assignments: plan.assignments.length },
            planHash: plan.hash,
          },
        ],
        [],
        { expectedSeq: 0 },
      );
    } catch (err) {
      if (err instanceof StoreError && err.code === "HEAD_MOVED") return already();
      throw err;
    }
    return Campaign.open(store, openOptions(opts));
  }

  /** Loads the plan version the store runs and rebuilds the engine from the newest snapshot plus the log. */
  static async open(store: EventStore, opts: OpenOptions = {}): Promise<Campaign> {
    const plans = new PlanCache(store, opts.resolvedPlans ?? processResolvedPlans);
    const { engine, seq, snapshotSeq } = await rebuild(store, plans, undefined, opts.snapshots !== false);
    return new Campaign(store, plans, engine, seq, snapshotSeq, opts);
  }

  /** Engine state rebuilt from the log (a snapshot, then the events after it). */
  private async reload(): Promise<void> {
    const fresh = await rebuild(this.store, this.plans, undefined, this.opts.snapshots !== false);
    this.engine = fresh.engine;
    this.seq = fresh.seq;
    this.snapshotSeq = fresh.snapshotSeq;
  }

  /** Folds events appended by other processes since this one last looked. */
  async refresh(): Promise<void> {
    let latest = -Infinity;
    for await (const s of this.store.read({ fromSeq: this.seq + 1 })) {
      // Another process changed the plan: rare enough to rebuild from the log.
      if (s.type === "planChanged") return this.reload();
      const e = decodeEvent(this.plan, s);
      if (e) {
        this.engine.apply(e);
        if (e.at > latest) latest = e.at;
      }
      this.seq = s.seq;
    }
    // Another process applied time up to `latest`: move the clock and the time index past what it did.
    // Bookkeeping events (deliveries, sign-ins) change neither, so a dispatcher's writes cost nothing here.
    if (latest > this.engine.clock) this.engine.settle(latest);
  }

  /**
   * Applies a unit action or a tick at `now`, and appends what it produced. `extra` is recorded in every
   * event (e.g. `{ clock: "set" }` when a drill set the clock by hand).
   */
  async step(input: EngineInput, now: Clock, extra?: Record<string, unknown>): Promise<StepOutcome> {
    input = await this.withSubPlans(input, now);
    const { decided, stored } = await this.write(now, (at) => {
      const r = this.engine.step(input, at);
      return { r, events: r.events.map((e: DomainEvent) => encodeEvent(this.plan, e, extra)), outbox: r.reminders.map((x) => encodeReminder(this.plan, x)) };
    });
    const { reminders } = decided.r;
    const refused = decided.r.refused && rendered(this.plan, decided.r.refused);
    if (stored.length === 0 && decided.outbox.length === 0) return { ...(refused ? { refused } : {}), events: [], reminders: [] };
    return { ...(refused ? { refused } : {}), events: stored, reminders };
  }

  /**
   * Applies many inputs in order, each at its own instant, and appends everything they produced in one
   * transaction: what a bulk driver (the demo's time-lapse, a replayed action stream) does instead of one
   * transaction a step. Each outcome is what {@link step} would have returned for its input; the log holds
   * the same events, at the same instants, as the steps taken one by one. All or nothing on the store:
   * another writer in between starts the whole batch over, and an instant earlier than the one before it
   * (or than the log's last) writes nothing and is refused as a step's would be.
   */
  async steps(batch: readonly { input: EngineInput; now: EpochMs; extra?: Record<string, unknown> }[]): Promise<StepOutcome[]> {
    if (batch.length === 0) return [];
    const zone = this.plan.campaign.timezone;
    for (let i = 1; i < batch.length; i++)
      if (batch[i]!.now < batch[i - 1]!.now)
        throw new CampaignError("CLOCK_BEHIND", `批量操作中第 ${i + 1} 项的时刻 ${formatInstant(batch[i]!.now, zone)} 早于前一项的时刻 ${formatInstant(batch[i - 1]!.now, zone)}，未记录任何内容（日志的时刻只能向前）`);
    const inputs: EngineInput[] = [];
    for (const b of batch) inputs.push(await this.withSubPlans(b.input, b.now));
    const { decided, stored } = await this.write(batch[0]!.now, () => {
      const results: { r: ReturnType<Engine["step"]>; events: number }[] = [];
      const events: NewEvent[] = [];
      const outbox: NewOutboxItem[] = [];
      batch.forEach((b, i) => {
        const r = this.engine.step(inputs[i]!, b.now);
        for (const e of r.events) events.push(encodeEvent(this.plan, e, b.extra));
        // Each step's reminders carry its own last event's seq, as its own transaction would have written them.
        for (const x of r.reminders) outbox.push({ ...encodeReminder(this.plan, x), afterEvents: events.length });
        results.push({ r, events: r.events.length });
      });
      return { results, events, outbox };
    });
    let at = 0;
    return decided.results.map(({ r, events }) => {
      const mine = stored.slice(at, (at += events));
      const refused = r.refused && rendered(this.plan, r.refused);
      return { ...(refused ? { refused } : {}), events: mine, reminders: r.reminders };
    });
  }

  /**
   * A hand-in of an item that waits for its sub-plans (`requiresSubPlan`) carries their progress, read
   * from this store's campaigns that name this item as their parent: every host (command line, web,
   * API) goes through here, so none can hand it in unchecked. A caller that passes `subPlans` itself keeps them.
   */
  private async withSubPlans(input: EngineInput, now: Clock): Promise<EngineInput> {
    if (input.type !== "submit" || input.subPlans !== undefined || !this.engine.item(input.assignment)?.requiresSubPlan) return input;
    const { progressFor } = await import("./subplans.ts");
    const at = typeof now === "function" ? now() : now;
    return { ...input, subPlans: await progressFor(this.store, this.plan.campaign.id, input.assignment, at) };
  }

  /**
   * A sub-plan's new version still fits its parent as the store runs it now, and serves the same parent
   * campaign (the registry records it once, at init); the sub-plans under this campaign still fit the new version.
   */
  private async checkParentOf(next: ResolvedPlan, text: string): Promise<void> {
    const was = this.plan.parent?.campaign;
    if (next.parent?.campaign !== was)
      throw new CampaignError("PARENT_INVALID", `新计划的上级专项行动（parent.campaign）为“${next.parent?.campaign ?? "无"}”，运行中为“${was ?? "无"}”；上级专项行动不能通过 plan apply 改变，请另建专项行动`);
    const { checkAgainstParent, checkChildrenOf } = await import("./campaigns.ts");
    // Its own sub-plans must still fit it too.
    await checkChildrenOf(this.store, next.campaign.id, next);
    if (next.parent) await checkAgainstParent(this.store, await this.store.campaigns(), next, text);
  }

  /** Opens one item of a kind at `now` (交办, 督办单, 一事一报); `id` is the new item's, unless refused. */
  async openItem(req: OpenRequest, now: Clock, extra?: Record<string, unknown>): Promise<StepOutcome & { id?: string }> {
    const r = await this.step({ type: "open", ...req }, now, extra);
    const id = r.refused ? undefined : r.events.find((e) => e.type === "itemOpened")?.assignment;
    return { ...r, ...(id ? { id } : {}) };
  }

  /**
   * Opens many items at `now` in one transaction (an import): all or none. A request whose key was opened
   * before is skipped, so importing the same sheet twice opens nothing new; when any other is refused,
   * nothing is written and every refusal is returned with the index of its request.
   */
  async openItems(reqs: readonly OpenRequest[], now: Clock, extra?: Record<string, unknown>): Promise<{ opened: string[]; skipped: number[]; refused: { index: number; refusal: RenderedRefusal }[]; events: StoredEvent[] }> {
    let skipped: number[] = [];
    let refused: { index: number; refusal: RenderedRefusal }[] = [];
    let opened: string[] = [];
    const { stored } = await this.write(now, (at) => {
      skipped = [];
      refused = [];
      opened = [];
      const ticked = this.engine.step({ type: "tick" }, at);
      const events: DomainEvent[] = [...ticked.events];
      const reminders: ReminderIntent[] = [...ticked.reminders];
      const seen = new Set<string>();
      reqs.forEach((req, index) => {
        const key = req.key;
        if (key !== undefined && (this.engine.hasKey(req.kind, key) || seen.has(`${req.kind}|${key}`))) {
          skipped.push(index);
          return;
        }
        if (key !== undefined) seen.add(`${req.kind}|${key}`);
        const r = this.engine.step({ type: "open", ...req }, at);
        if (r.refused) refused.push({ index, refusal: rendered(this.plan, r.refused) });
        else {
          events.push(...r.events);
          mergeReminders(reminders, r.reminders);
          opened.push(r.events.find((e) => e.type === "itemOpened")!.assignment);
        }
      });
      // All or none: the engine holds openings that must not be written; nothing is, and it is rebuilt below.
      if (refused.length) return { events: [], outbox: [] };
      return { events: events.map((e) => encodeEvent(this.plan, e, extra)), outbox: reminders.map((x) => encodeReminder(this.plan, x)) };
    });
    if (refused.length) {
      await this.reload();
      return { opened: [], skipped, refused, events: [] };
    }
    return { opened, skipped, refused, events: stored };
  }

  /**
   * Appends bookkeeping events (sign-ins, accounts, refusals) at `now`, after the time-based events up to
   * `now`: these are logged first, so no later tick has to record anything before this event. Returns
   * the bookkeeping events as stored.
   */
  async record(now: Clock, build: (plan: ResolvedPlan, at: EpochMs) => NewEvent[]): Promise<StoredEvent[]> {
    const { decided, stored } = await this.write(now, (at) => {
      const r = this.engine.step({ type: "tick" }, at);
      const own = build(this.plan, at);
      return { own: own.length, events: [...r.events.map((e) => encodeEvent(this.plan, e)), ...own], outbox: r.reminders.map((x) => encodeReminder(this.plan, x)) };
    });
    return stored.slice(stored.length - decided.own);
  }

  /**
   * Refuses an instant before the log's last one, whoever wrote that (another process, a dispatcher, a
   * sign-in): the log's clock never runs back, and an as-of replay relies on it.
   */
  async assertNotBehind(now: EpochMs): Promise<string | undefined> {
    return this.notBehind(await this.store.head(), now);
  }

  private notBehind(head: ChainHead, now: EpochMs): string | undefined {
    // The store wrote head.at as an instant with its offset and orders the log by Date.parse of it (its
    // at_ms): the same instant as the calendar's parse, without a zone-aware parse on every write.
    if (head.at !== undefined && now < Date.parse(head.at)) throw clockBehind(this.plan, now, head.at);
    return head.at;
  }

  /** The log's head, after folding what others appended since: one head read when nobody did. */
  private async freshHead(): Promise<ChainHead> {
    const head = await this.store.head();
    if (head.seq === this.seq) return head;
    await this.refresh();
    return this.store.head();
  }

  /**
   * The one way changes reach the log: refresh, refuse an instant behind the log, let `decide` change the
   * engine at that instant, append what it decided, only if nobody appended in between (else start over).
   */
  private async write<T extends { events: NewEvent[]; outbox: NewOutboxItem[] }>(now: Clock, decide: (at: EpochMs) => T): Promise<{ decided: T; stored: StoredEvent[] }> {
    for (let attempt = 0; ; attempt++) {
      const head = await this.freshHead();
      const at = typeof now === "function" ? now() : now;
      const lastAt = this.notBehind(head, at);
      const decided = decide(at);
      if (decided.events.length === 0 && decided.outbox.length === 0) return { decided, stored: [] };
      try {
        const stored = await this.store.append(recordedLate(decided.events, lastAt), decided.outbox, { expectedSeq: this.seq });
        this.seq = stored.at(-1)?.seq ?? this.seq;
        await this.maybeSnapshot();
        return { decided, stored };
      } catch (err) {
        if (!(err instanceof StoreError && (err.code === "HEAD_MOVED" || err.code === "CLOCK_BEHIND"))) throw err;
        // Our engine state holds events that were not written. Start over from the log.
        await this.reload();
        if (err.code === "CLOCK_BEHIND") throw clockBehind(this.plan, at, err.lastAt!);
        if (attempt >= MAX_RETRIES) throw new CampaignError("CONFLICT", "执行期间日志不断有新记录写入，本次变更未能完成；请重试");
      }
    }
  }

  /**
   * How far back a step at `now` reached: from its oldest engine event (a deadline or ladder step that
   * fell due while nothing ran) to `now`, when that is more than a few working days. Hosts announce it; a
   * drill that moves its clock step by step never has one.
   */
  largeCatchUp(events: readonly StoredEvent[], now: EpochMs): CatchUp | undefined {
    let from = now;
    let count = 0;
    for (const e of events) {
      if (e.actor.kind !== "engine") continue;
      count++;
      from = Math.min(from, parseInstant(e.at, this.plan.campaign.timezone));
    }
    const cal = this.engine.calendar;
    const workingDays = cal.workingDaysBetween(cal.dateOf(from), cal.dateOf(now));
    return workingDays > LARGE_CATCH_UP_WORKING_DAYS ? { from, to: now, workingDays, events: count } : undefined;
  }

  tick(now: EpochMs): Promise<StepOutcome> {
    return this.step({ type: "tick" }, now);
  }

  private async maybeSnapshot(): Promise<void> {
    if (this.opts.snapshots === false || this.seq - this.snapshotSeq < (this.opts.snapshotEvery ?? snapshotEvery(this.plan))) return;
    await this.store.putSnapshot(this.seq, this.plan.hash, snapshotText(this.engine));
    this.snapshotSeq = this.seq;
  }

  /** What changing to the plan in `file` would change, against the state the campaign is in. */
  diffPlan(next: ResolvedPlan): PlanDiff {
    // Items opened at run time are not the plan's to add or remove: they carry over as they are.
    const current = new Map(this.engine.views().filter((v) => !v.assignment.opened).map((v) => [v.assignment.id, v]));
    const nextIds = new Set(next.assignments.map((a) => a.id));
    const moved: PlanDiff["moved"] = [];
    const added: PlanDiff["added"] = [];
    for (const a of next.assignments) {
      const v = current.get(a.id);
      if (!v) added.push({ id: a.id, unit: a.unit, title: a.title, due: a.dueAt });
      else if (v.assignment.dueAt !== a.dueAt)
        moved.push({ id: a.id, unit: a.unit, title: a.title, from: v.assignment.dueAt, to: a.dueAt, state: v.progress, extended: v.context.extensions > 0 });
    }
    const removed = [...current.values()].filter((v) => !nextIds.has(v.assignment.id)).map((v) => ({ id: v.assignment.id, unit: v.assignment.unit, title: v.assignment.title, state: v.progress }));
    const unitsAdded = [...next.units.keys()].filter((u) => !this.plan.units.has(u));
    const unitsRemoved = [...this.plan.units.keys()].filter((u) => !next.units.has(u));
    const a = this.plan.calendar.data;
    const b = next.calendar.data;
    const only = (x: string[], y: string[]) => x.filter((d) => !y.includes(d));
    const calendarDates = a && b && !sameCnData(a, b) ? [...new Set([...only(a.holidays, b.holidays), ...only(b.holidays, a.holidays), ...only(a.workdays, b.workdays), ...only(b.workdays, a.workdays)])].sort() : [];
    const unitsChanged = unitChanges(this.plan.units, next.units);
    const stranded = unitsRemoved.length ? strandedByRemovedUnits(this.engine.views(), next) : [];
    return { from: this.plan.hash, to: next.hash, moved, added, removed, unitsAdded, unitsRemoved, unitsChanged, stranded, calendarDates };
  }

  /**
   * Moves the running campaign to a new plan version, recorded as a `planChanged` event (with what moved)
   * so auditors see when and why deadlines changed. A moved deadline applies to items still owed; it
   * reopens submitted and accepted ones only when `reopenSubmitted` says so.
   */
  async applyPlan(file: string, now: EpochMs, opts: { reopenSubmitted: boolean; note?: string; actor?: string; extra?: Record<string, unknown> }): Promise<{ diff: PlanDiff; events: StoredEvent[] }> {
    const loaded = (await loader()).loadPlan(file);
    if (!loaded.plan) throw new CampaignError("PLAN_INVALID", loaded.diagnostics.map(formatDiagnostic).join("\n"));
    const next = loaded.plan;
    await this.refresh();
    const diff = this.diffPlan(next);
    if (next.hash === this.plan.hash) return { diff, events: [] };
    await this.assertNotBehind(now);
    if (next.campaign.id !== this.plan.campaign.id)
      throw new CampaignError("PLAN_INVALID", `新计划属于专项行动“${next.campaign.id}”，不是“${this.plan.campaign.id}”；请确认选对了计划文件`);
    if (diff.stranded.length) throw new CampaignError("UNITS_IN_USE", strandedMessage(this.plan, diff.stranded));
    await this.checkParentOf(next, loaded.text);
    const orphaned = this.engine.openedItems().filter((i) => !next.policies.has(i.policy));
    if (orphaned.length) {
      const policies = [...new Set(orphaned.map((i) => i.policy))];
      throw new CampaignError("PLAN_INVALID", `新计划删去了督办规则 ${policies.join("、")}，但运行中交办的 ${orphaned.length} 项事项（${orphaned.slice(0, 5).map((i) => i.id).join("、")}${orphaned.length > 5 ? " 等" : ""}）仍按它督办；请在新计划中保留这些规则`);
    }
    await this.store.putPlan(next.hash, loaded.text, planMeta(next, file, loaded.imports));
    this.plans.remember(next);
    // Recorded at the instant it was made: `now` is at or after the log's last instant (checked above).
    const at = now;
    const { engine, events } = this.engine.migrate(next, at, { reopenSubmitted: opts.reopenSubmitted });
    const zone = next.campaign.timezone;
    const change = {
      at: formatInstant(at, zone),
      actor: encodeActor(next, opts.actor ? { kind: "unit", unit: opts.actor } : { kind: "engine" }),
      type: "planChanged",
      payload: {
        from: diff.from,
        to: diff.to,
        file,
        reopenSubmitted: opts.reopenSubmitted,
        ...(opts.note ? { note: opts.note } : {}),
        ...opts.extra,
        moved: diff.moved.map((m) => ({ id: m.id, from: m.from === null ? null : formatInstant(m.from, zone), to: m.to === null ? null : formatInstant(m.to, zone), state: m.state })),
        added: diff.added.map((a) => a.id),
        removed: diff.removed.map((r) => r.id),
        ...(diff.unitsChanged.length ? { unitsChanged: diff.unitsChanged } : {}),
      },
      planHash: next.hash,
    };
    let stored: StoredEvent[];
    try {
      stored = await this.store.append([change, ...events.map((e) => encodeEvent(next, e))], [], { expectedSeq: this.seq });
    } catch (err) {
      if (err instanceof StoreError && err.code === "CLOCK_BEHIND") throw clockBehind(next, at, err.lastAt!);
      throw err;
    }
    this.engine = engine;
    this.seq = stored.at(-1)!.seq;
    return { diff, events: stored };
  }

  /**
   * When the installed holiday data says something else about the campaign's years than the data this
   * plan version was resolved with (a new year's holidays published, a correction), the dates that differ.
   * The campaign keeps running on its own data until `plan apply` moves it, reviewed and recorded.
   */
  calendarDrift(): { source: string; current: string; dates: string[] } | undefined {
    const mine = this.plan.calendar.data;
    if (!mine) return undefined;
    const years = mine.years.length ? mine.years : [Number(this.plan.campaign.start.slice(0, 4))];
    const first = Math.min(...years, Number(this.plan.campaign.start.slice(0, 4)));
    const last = Math.max(...years, Number(this.plan.campaign.end.slice(0, 4)) + 1);
    const now = cnDataFor(first, last);
    if (sameCnData(mine, now)) return undefined;
    const diff = (a: string[], b: string[]) => a.filter((d) => !b.includes(d));
    const dates = [...new Set([...diff(now.holidays, mine.holidays), ...diff(mine.holidays, now.holidays), ...diff(now.workdays, mine.workdays), ...diff(mine.workdays, now.workdays)])].sort();
    return { source: mine.source, current: now.source, dates };
  }

  /** The board at `now`; `only` keeps the rows of the views it accepts (isOverdueView of board.ts), built alone. */
  board(now: EpochMs = this.engine.clock, only?: (v: AssignmentView, now: EpochMs) => boolean): BoardRow[] {
    const at = Number.isFinite(now) ? now : this.plan.campaign.startAt;
    if (only) return boardRows(this.plan, this.engine.calendar, this.engine.views().filter((v) => only(v, at)), at);
    const c = this.boardCache;
    // A web server asks for the whole board on every page: built again only when the log, the engine's
    // clock or the plan moved, or `at` crossed an instant that changes a row (a due instant, a day).
    if (c && c.engine === this.engine && c.seq === this.seq && c.clock === this.engine.clock && c.plan === this.plan && boardStillValid(c.window, this.engine.calendar, at)) return c.rows;
    const rows = boardRows(this.plan, this.engine.calendar, this.engine.views(), at);
    this.boardCache = { engine: this.engine, seq: this.seq, clock: this.engine.clock, plan: this.plan, window: boardWindow(this.engine.views(), this.engine.calendar, at), rows };
    return rows;
  }

  /** The rows of the board at `now` that are late and still owed (`status --overdue`), built from those items alone. */
  overdueBoard(now: EpochMs = this.engine.clock): BoardRow[] {
    const at = Number.isFinite(now) ? now : this.plan.campaign.startAt;
    return boardRows(this.plan, this.engine.calendar, this.engine.lateViews(at), at);
  }

  /** One line of the board, without building the others (an item's page). */
  row(id: string, now: EpochMs = this.engine.clock): BoardRow | undefined {
    const v = this.engine.view(id);
    return v && boardRows(this.plan, this.engine.calendar, [v], Number.isFinite(now) ? now : this.plan.campaign.startAt)[0];
  }

  campaignState(): string {
    return this.engine.campaignState();
  }

  /** An item by id: one of the plan's, or one opened while the campaign runs. */
  item(id: string): Item | undefined {
    return this.engine.item(id);
  }

  /** Every event of one assignment, in order. */
  async history(assignment: string): Promise<StoredEvent[]> {
    const out: StoredEvent[] = [];
    for await (const e of this.store.read({ assignment })) out.push(e);
    return out;
  }

  /** The state of every assignment at `asOf`, computed from the log alone (a snapshot at or before it, then the events). */
  async replayAsOf(asOf: EpochMs): Promise<ReplayResult> {
    const b = await this.boardAsOf(asOf);
    return { asOf: b.asOf, campaign: b.campaign, assignments: b.rows.map((r) => ({ id: r.id, unit: r.unit, state: r.state, lateness: r.lateness, late: r.late, level: r.level })) };
  }

  /**
   * The whole board as the log says it was at `asOf`: every row's state and its lateness at that one
   * instant, never today's states with then's lateness. `seq` is the last event it includes;
   * `snapshotSeq` the snapshot it started from (0: folded from the first event).
   */
  async boardAsOf(asOf: EpochMs): Promise<{ asOf: string; campaign: string; plan: ResolvedPlan; rows: BoardRow[]; seq: number; snapshotSeq: number }> {
    const { engine, seq, snapshotSeq } = await rebuild(this.store, this.plans, asOf, this.opts.snapshots !== false);
    const plan = engine.plan;
    return { asOf: formatInstant(asOf, plan.campaign.timezone), campaign: engine.campaignState(), plan, rows: boardRows(plan, engine.calendar, engine.views(), asOf), seq, snapshotSeq };
  }

  /** Every assignment's view now, with the plan and calendar it runs on: what published outputs are computed from. */
  views(): CampaignViews {
    return { plan: this.plan, calendar: this.engine.calendar, views: this.engine.views(), campaign: this.engine.campaignState() };
  }

  /** The same as of `asOf`, from the log alone: the fold `replayAsOf` uses (see src/publish/). */
  async viewsAsOf(asOf: EpochMs): Promise<CampaignViews> {
    const { engine } = await rebuild(this.store, this.plans, asOf, this.opts.snapshots !== false);
    return { plan: engine.plan, calendar: engine.calendar, views: engine.views(), campaign: engine.campaignState() };
  }
}

function openOptions(o: OpenOptions): OpenOptions {
  return { ...(o.snapshotEvery !== undefined ? { snapshotEvery: o.snapshotEvery } : {}), ...(o.snapshots !== undefined ? { snapshots: o.snapshots } : {}), ...(o.resolvedPlans ? { resolvedPlans: o.resolvedPlans } : {}) };
}

/** The refusal of a plan version that removes units still needed: every stranded item, by unit. */
export function strandedMessage(plan: ResolvedPlan, stranded: readonly StrandedItem[]): string {
  const byUnit = new Map<string, StrandedItem[]>();
  for (const s of stranded) (byUnit.get(s.unit) ?? byUnit.set(s.unit, []).get(s.unit)!).push(s);
  const lines = [...byUnit].map(([u, items]) => `  ${plan.units.get(u)?.name ?? u}（${u}）：${items.map((i) => `${i.id}${i.as === "recipient" ? "（接收）" : ""}`).join("、")}`);
  return [
    `新计划删去了 ${byUnit.size} 个单位，但运行中的专项行动仍有 ${stranded.length} 项事项由其办理或接收，未执行任何修改：`,
    ...lines,
    "请在计划（或其单位目录）中保留这些单位，待上列事项办结、免报或撤回后再删去。",
  ].join("\n");
}

/**
 * Kept with the version's text: the holiday data and the organisation directories it was resolved with,
 * both part of its hash, so a replay resolves it as it ran (see PlanCache).
 */
function planMeta(plan: ResolvedPlan, file: string, imports: Record<string, string>): Record<string, unknown> {
  return { file, campaign: plan.campaign.id, ...(plan.calendar.data ? { calendar: plan.calendar.data } : {}), ...(Object.keys(imports).length ? { imports } : {}) };
}

/**
 * The plan language (the YAML parser, the schema, the resolver), loaded when a plan is first resolved: a
 * command that opens a campaign whose versions are kept resolved (see ResolvedPlanCache) never loads it.
 */
const loader = () => import("../plan/load.ts");

let processResolvedPlans: ResolvedPlanCache | undefined;

/**
 * The resolved-plan cache every {@link Campaign.open} in this process uses when its options name none. The
 * command line sets it for the store a command opens (and clears it after), so that each of its many commands
 * gets it without threading it through; a library host passes {@link OpenOptions.resolvedPlans} instead.
 */
export function useResolvedPlans(cache: ResolvedPlanCache | undefined): void {
  processResolvedPlans = cache;
}

/** Plan versions by hash, loaded from the store's copies of their texts once each. */
class PlanCache {
  private readonly plans = new Map<string, ResolvedPlan>();
  constructor(
    private readonly store: EventStore,
    private readonly resolved?: ResolvedPlanCache,
  ) {}

  async get(hash: string): Promise<ResolvedPlan> {
    let plan = this.plans.get(hash);
    if (!plan) {
      const text = await this.store.getPlan(hash);
      if (text === undefined) throw new CampaignError("PLAN_MISSING", `存储中缺少计划版本 ${hash.slice(0, 12)} 的原文，无法重放日志；请从备份恢复存储`);
      const meta = await this.store.getPlanMeta(hash);
      // Resolve with the holiday data this version ran on, not whatever the installed package says today.
      const calendarData = meta?.calendar as CnCalendarData | undefined;
      // And with the directories' texts as they were: a directory file edited since does not change an old version.
      const imports = (meta?.imports as Record<string, string> | undefined) ?? {};
      // A kept resolution only of the version the log names: the stored text and meta must hash to it, as
      // resolving them would check. A version whose hash needs the text parsed (a cn calendar without its data
      // in the meta) is resolved.
      const keep = this.resolved && planHash(text, calendarData, imports) === hash ? this.resolved : undefined;
      const kept = keep?.read(hash);
      if (kept) plan = kept;
      else {
        const loaded = (await loader()).loadPlanText(`plan@${hash.slice(0, 12)}`, text, { ...(calendarData ? { calendarData } : {}), imports });
        if (!loaded.plan) throw new CampaignError("PLAN_INVALID", loaded.diagnostics.map(formatDiagnostic).join("\n"));
        if (loaded.plan.hash !== hash) throw new CampaignError("PLAN_MISSING", `计划版本 ${hash.slice(0, 12)} 按存储的节假日数据无法还原（数据缺失或损坏）；请从备份恢复存储`);
        plan = loaded.plan;
        keep?.write(plan);
      }
      this.plans.set(hash, plan);
    }
    return plan;
  }

  remember(plan: ResolvedPlan): void {
    this.plans.set(plan.hash, plan);
  }
}

/**
 * Engine state from the log: the newest usable snapshot (clock at or before `until`), then every later
 * event up to `until`. The log says which plan version ran when (`campaignInitialised`, `planChanged`),
 * so old events replay on the plan they ran on. Snapshots are only a cache: without one, the whole log is folded.
 */
async function rebuild(store: EventStore, plans: PlanCache, until?: EpochMs, useSnapshots = true): Promise<{ engine: Engine; seq: number; snapshotSeq: number }> {
  let engine: Engine | undefined;
  let fromSeq = 1;
  let snapshotSeq = 0;
  const untilAt = until === undefined ? undefined : formatInstant(until, "UTC");
  // As of an instant: only events up to the last one at or before it, and a snapshot no later than that.
  const toSeq = untilAt === undefined ? undefined : await store.lastSeqAt(untilAt);
  if (toSeq === 0) await refuseBeforeFirst(store, plans, until!);
  const snap = toSeq === 0 || !useSnapshots ? undefined : await store.latestSnapshot(toSeq);
  if (snap) {
    const data = JSON.parse(snap.data) as PersistedEngine;
    engine = Engine.restore(await plans.get(snap.planHash), data);
    fromSeq = snap.seq + 1;
    snapshotSeq = snap.seq;
  }
  let seq = fromSeq - 1;
  let clock = engine?.clock ?? -Infinity;
  for await (const s of store.read({ fromSeq, ...(toSeq !== undefined ? { toSeq } : {}) })) {
    seq = s.seq;
    if (s.type === "campaignInitialised") {
      engine ??= new Engine(await plans.get(s.planHash));
      continue;
    }
    if (!engine) throw new CampaignError("NOT_INITIALISED", "日志的第一条不是专项行动的建立记录；请确认 --db 指向正确的存储");
    if (s.type === "planChanged") {
      const p = s.payload as { to: string; reopenSubmitted: boolean };
      const at = parseInstant(s.at, engine.plan.campaign.timezone);
      // The `opened` events of new assignments were logged right after; they are applied as they come.
      engine = engine.migrate(await plans.get(p.to), at, { reopenSubmitted: p.reopenSubmitted }).engine;
      clock = Math.max(clock, at);
      continue;
    }
    const e = decodeEvent(engine.plan, s);
    if (e) {
      engine.applyBeforeSettle(e);
      clock = Math.max(clock, e.at);
    }
  }
  if (!engine) throw new CampaignError("NOT_INITIALISED", "此存储中还没有专项行动；请先运行 duban init <plan>");
  engine.settle(until ?? clock);
  return { engine, seq, snapshotSeq };
}

/**
 * A snapshot's text: the engine's persisted state as JSON in ASCII alone, every other character as its
 * \\u escape. Text that is all ASCII is read out of SQLite and parsed as one-byte characters; with the
 * opened items' Chinese titles and fields in it, reading and parsing a snapshot took about twice as long.
 */
export function snapshotText(engine: Engine): string {
  return JSON.stringify(engine.persist()).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** An as-of replay before the log's first event: the store begins later, and says when. */
async function refuseBeforeFirst(store: EventStore, plans: PlanCache, until: EpochMs): Promise<void> {
  for await (const first of store.read({ toSeq: 1 })) {
    const zone = (await plans.get(first.planHash)).campaign.timezone;
    const begins = formatInstant(parseInstant(first.at, zone), zone);
    throw new CampaignError("BEFORE_FIRST_EVENT", `此存储的记录始于 ${begins}，${formatInstant(until, zone)} 早于它，没有可回放的状态；请回放 ${begins} 及以后的时刻`);
  }
}

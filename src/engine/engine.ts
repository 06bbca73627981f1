import type { AnyActorScope, AnyStateMachine, SnapshotFrom } from "xstate";
import { inertScope } from "./xstate-adapter.ts";
import type { Policy, ResolvedPlan } from "../model/definition.ts";
import type { Item } from "../model/item.ts";
import { isOutstanding } from "../model/states.ts";
import { assignmentMachine, type AssignmentContext, type LatenessState, type ProgressState } from "./assignment-machine.ts";
import { authorize } from "./authorize.ts";
import { formatInstant, type EpochMs, type WorkCalendar } from "./calendar.ts";
import { calendarOf } from "./calendar-of.ts";
import { ContextColumns, type PersistedColumns } from "./context-columns.ts";
import { decodeItems, encodeItems, type PersistedItems } from "./item-columns.ts";
import { mergeReminders } from "./merge-reminders.ts";
import { decideOpening, type OpeningContext } from "./open-item.ts";
import { activePhases, campaignStateName, campaignTriggers, campaignValue, createCampaignMachine, type CampaignMachine } from "./campaign-machine.ts";
import { TimeHeap } from "./heap.ts";
import { resolveRecipients } from "./ladder.ts";
import { ACK_STEP, URGE_STEP, buildSchedule, firstAfter, itemScheduleOptions, stepNotify, type Schedule } from "./schedule.ts";
import type { AssignmentEvent, CampaignEvent, DomainEvent, EngineInput, ReminderIntent, ReminderItem, StepResult, UnitAction, UrgeRequest } from "./types.ts";
import { actsAsOffice } from "./authorize.ts";
import { owingUnits } from "../model/item.ts";

type AssignmentSnapshot = SnapshotFrom<typeof assignmentMachine>;
type CampaignSnapshot = SnapshotFrom<CampaignMachine>;

/** What a board shows of one item. */
export interface AssignmentView {
  assignment: Item;
  progress: ProgressState;
  lateness: LatenessState;
  context: AssignmentContext;
}

/** Engine state as plain JSON: enough to restart exactly where it stopped. */
export type PersistedEngine = PersistedByItem | PersistedByColumn | PersistedOpenedByColumn;

interface PersistedCommon {
  planHash: string;
  clock: EpochMs | null;
  campaign: { value: unknown };
  /** The items opened at run time, in the order they were opened. */
  opened?: Item[];
}

/** Versions 1 (planned items only) and 2 (with opened items): one `[value, context]` pair per item. */
export interface PersistedByItem extends PersistedCommon {
  version: 1 | 2;
  /**
   * Per item, the plan's first and then the opened ones, in order; a hole starts that item afresh (one new
   * in a plan change).
   */
  assignments: ([unknown, AssignmentContext] | undefined)[];
}

/**
 * Version 3: per item a state number into `states` and its context by column. A third of the bytes of
 * version 2 at national size, and parsed into typed arrays without an object per item, so restoring a
 * snapshot (an as-of replay's fixed cost) is cheap.
 */
export interface PersistedByColumn extends PersistedCommon {
  version: 3;
  /** The distinct states, as `{ progress, lateness }`. */
  states: { progress: ProgressState; lateness: LatenessState }[];
  /** Per item, an index into `states`. */
  state: number[];
  context: PersistedColumns;
}

/**
 * Version 4: version 3 with the opened items by column too (see item-columns.ts) instead of one object each:
 * those objects were most of a snapshot's bytes once a campaign opened thousands of items, and every
 * as-of replay read and parsed them.
 */
export interface PersistedOpenedByColumn extends Omit<PersistedByColumn, "version" | "opened"> {
  version: 4;
  openedItems: PersistedItems;
}

/** The opened items a persisted state carries, whichever version wrote it. */
function openedOf(from: PersistedEngine | undefined): Item[] {
  if (!from) return [];
  return from.version === 4 ? decodeItems(from.openedItems) : (from.opened ?? []);
}

/** One distinct state of the assignment machine, resolved once and shared by every item in it. */
interface StateEntry {
  template: AssignmentSnapshot;
  progress: ProgressState;
  lateness: LatenessState;
  owed: boolean;
  /** Owed, or waiting for its window: it still has time-based events ahead. */
  scheduled: boolean;
}

/**
 * What every engine on one plan version shares: the schedules, by key, built when an item first needs one.
 * An as-of replay, a reload and a restart each build an engine; without this each one scheduled its items
 * again. Schedules are never changed once built, so engines may share them.
 */
interface PlanShared {
  /** Schedules by their key (see scheduleFor). */
  schedules: Map<string, Schedule>;
}

const sharedByPlan = new WeakMap<ResolvedPlan, PlanShared>();
const SHARED_SCHEDULES_MAX = 100_000;

function sharedOf(plan: ResolvedPlan): PlanShared {
  let s = sharedByPlan.get(plan);
  if (!s) sharedByPlan.set(plan, (s = { schedules: new Map() }));
  return s;
}

/** Remembered transitions per engine before the memo starts over (a few MB at most). */
const TRANSITION_MEMO_MAX = 50_000;

/** The result of a tick that found nothing to do: shared and frozen, never to be added to. */
const NOTHING: StepResult = Object.freeze({ events: Object.freeze([]) as unknown as DomainEvent[], reminders: Object.freeze([]) as unknown as ReminderIntent[] });

/**
 * The campaign engine: deterministic, no I/O, no wall clock. Time arrives as `now` with each input;
 * the result is the domain events to log and the reminder intents to send. The engine owns its state
 * (updated in place for speed); {@link Engine.persist} and {@link Engine.restore} move it across restarts.
 */
export class Engine {
  readonly plan: ResolvedPlan;
  readonly calendar: WorkCalendar;
  private readonly campaignMachine: CampaignMachine;
  private readonly aScope: AnyActorScope;
  private readonly cScope: AnyActorScope;
  /** Item numbers by id, for items[0, indexed): filled when first looked up (a board never looks one up). */
  private readonly index = new Map<string, number>();
  private indexed = 0;
  /** The plan's items first, then those opened at run time, in the order they were opened. */
  private readonly items: Item[];
  /** Per item, its state as an index into `states`, and its context by column (see ContextColumns). */
  private stateOf: Uint8Array;
  private readonly contexts: ContextColumns;
  private readonly states: StateEntry[] = [];
  private readonly stateIds = new Map<string, number>();
  private campaign: CampaignSnapshot;
  /** Per item, its schedule once something needed it (see scheduleAt). */
  private readonly schedules: (Schedule | undefined)[];
  /** Per item, the due instant its schedule is built from (NaN: none, the item has no deadline). */
  private scheduleDue: Float64Array;
  /** Schedules by key, shared by every engine of this plan version (built lazily, never changed once built). */
  private readonly shared: PlanShared;
  private readonly campaignTriggers: CampaignEvent[];
  private campaignCursor = 0;
  private cursor: Int32Array;
  /** The time each item is queued at in the heap (NaN: not queued); older heap entries are stale. */
  private queuedAt: Float64Array;
  private readonly heap = new TimeHeap();
  /**
   * The time index (cursors, queued instants, heap) is rebuilt only when first used after construction or
   * settle(): a command that only reads states (a board, a trail) never builds it, nor any item's schedule.
   */
  private queueStale = true;
  private _clock: EpochMs = -Infinity;
  /** Items opened per kind (numbers them). */
  private readonly openedCount = new Map<string, number>();
  /** Per kind, its import keys seen: no `kind|key` string to build and hash per item on a restore. */
  private readonly openedKeys = new Map<string, Set<string>>();
  private readonly initial: AssignmentSnapshot;
  private readonly initialState: number;
  /** What deciding an opening reads of this engine, built at the first opening (see open). */
  private opening: OpeningContext | undefined;
  /** The machine's outcome of a time-driven event by state, context, type and level (see transitionOf). */
  private readonly transitions = new Map<string, { state: number; context: AssignmentContext | undefined }>();

  /** `from`: persisted state to start from (see {@link Engine.restore}); otherwise every item starts afresh. */
  constructor(plan: ResolvedPlan, from?: PersistedEngine) {
    this.plan = plan;
    this.shared = sharedOf(plan);
    this.calendar = calendarOf(plan);
    this.campaignMachine = createCampaignMachine(plan);
    this.aScope = inertScope(assignmentMachine);
    this.cScope = inertScope(this.campaignMachine as unknown as AnyStateMachine);
    this.items = [...plan.assignments, ...openedOf(from)];
    const n = this.items.length;
    this.schedules = new Array(n);
    this.scheduleDue = new Float64Array(Math.max(16, n));
    this.cursor = new Int32Array(Math.max(16, n));
    this.queuedAt = new Float64Array(Math.max(16, n)).fill(Number.NaN);
    this.stateOf = new Uint8Array(Math.max(16, n));
    this.contexts = new ContextColumns(n);
    this.initial = assignmentMachine.getInitialSnapshot(this.aScope, { dueAt: 0 });
    this.initialState = this.stateId(this.initial.value as StateEntry, this.initial);
    if (from?.version === 3 || from?.version === 4) {
      const ids = from.states.map((v) => this.stateId(v));
      // Indexed loops: an entries() iterator made a pair per item, and a restore runs once per command, mostly cold.
      for (let i = 0; i < n; i++) this.placeSaved(i, this.items[i]!, ids[from.state[i]!]!, from.context);
    } else for (let i = 0; i < n; i++) this.place(i, this.items[i]!, from?.assignments[i]);
    this.campaign = (
      from ? this.campaignMachine.resolveState({ value: campaignValue(plan, from.campaign.value) as never, context: {} }) : this.campaignMachine.getInitialSnapshot(this.cScope)
    ) as CampaignSnapshot;
    this._clock = from?.clock ?? -Infinity;
    this.campaignTriggers = campaignTriggers(plan);
    this.nextDue = Number.NaN;
  }

  /**
   * The number of a state of the assignment machine. A snapshot differs from another in the same state
   * only by its context: each state is resolved once, and an item's snapshot is that template with its
   * own context, built only for a transition (snapshots are immutable, parts are shared).
   */
  private stateId(v: { progress: ProgressState; lateness: LatenessState }, resolved?: AssignmentSnapshot): number {
    const key = `${v.progress}|${v.lateness}`;
    let id = this.stateIds.get(key);
    if (id === undefined) {
      const template = resolved ?? assignmentMachine.resolveState({ value: { progress: v.progress, lateness: v.lateness } as never, context: this.initial.context });
      id = this.states.length;
      this.states.push({ template, progress: v.progress, lateness: v.lateness, owed: template.hasTag("owed"), scheduled: template.hasTag("owed") || template.hasTag("notYetOpen") });
      this.stateIds.set(key, id);
    }
    return id;
  }

  /** Item i's snapshot, for a transition: its state's template with its own context. */
  private snapshotAt(i: number): AssignmentSnapshot {
    return { ...this.states[this.stateOf[i]!]!.template, context: this.contexts.get(i) } as AssignmentSnapshot;
  }

  private indexOf(id: string): number | undefined {
    // In item order, as registering each item eagerly did: of two items with one id, the later one wins.
    for (; this.indexed < this.items.length; this.indexed++) this.index.set(this.items[this.indexed]!.id, this.indexed);
    return this.index.get(id);
  }

  private register(a: Item): void {
    if (a.opened) {
      this.openedCount.set(a.opened.kind, Math.max(this.openedCount.get(a.opened.kind) ?? 0, a.opened.number));
      if (a.opened.key !== undefined) {
        let keys = this.openedKeys.get(a.opened.kind);
        if (!keys) this.openedKeys.set(a.opened.kind, (keys = new Set()));
        keys.add(a.opened.key);
      }
    }
  }

  /** Puts item i in place, afresh or in a saved state (versions 1 and 2). */
  private place(i: number, a: Item, saved?: [unknown, AssignmentContext]): void {
    this.register(a);
    let state = this.initialState;
    let context: AssignmentContext = { ...this.initial.context, dueAt: a.dueAt };
    if (saved) {
      state = this.stateId(saved[0] as { progress: ProgressState; lateness: LatenessState });
      context = saved[1];
    }
    this.stateOf[i] = state;
    this.contexts.set(i, context);
    this.planSchedule(i, context.dueAt);
  }

  /** Puts item i in place from version 3's columns. */
  private placeSaved(i: number, a: Item, state: number, columns: PersistedColumns): void {
    this.register(a);
    this.stateOf[i] = state;
    this.contexts.restore(i, columns);
    this.planSchedule(i, this.contexts.dueAtOf(i));
  }

  /** Item i's schedule is the one of this due instant from now on; built when first needed. */
  private planSchedule(i: number, dueAt: EpochMs | null): void {
    this.scheduleDue[i] = dueAt ?? Number.NaN;
    this.schedules[i] = undefined;
  }

  private scheduleAt(i: number): Schedule {
    let s = this.schedules[i];
    if (!s) {
      const due = this.scheduleDue[i]!;
      this.schedules[i] = s = this.scheduleFor(this.items[i]!, Number.isNaN(due) ? null : due);
    }
    return s;
  }

  /** Adds an item opened at run time (live or replayed); it starts waiting, its opening event opens it. */
  private addItem(a: Item, beforeSettle = false): number {
    if (!beforeSettle) this.ensureQueue();
    const i = this.items.length;
    if (i >= this.cursor.length) {
      const cursor = new Int32Array(this.cursor.length * 2);
      cursor.set(this.cursor);
      const queued = new Float64Array(this.queuedAt.length * 2).fill(Number.NaN);
      queued.set(this.queuedAt);
      const states = new Uint8Array(this.stateOf.length * 2);
      states.set(this.stateOf);
      const due = new Float64Array(this.scheduleDue.length * 2);
      due.set(this.scheduleDue);
      this.scheduleDue = due;
      this.cursor = cursor;
      this.queuedAt = queued;
      this.stateOf = states;
    }
    this.contexts.ensure(i + 1);
    this.items.push(a);
    this.place(i, a);
    return i;
  }

  /** Whether an item of `kind` with this import key was opened. */
  hasKey(kind: string, key: string): boolean {
    return this.openedKeys.get(kind)?.has(key) ?? false;
  }

  /** The instant up to which time has been applied (-Infinity before the first tick). */
  get clock(): EpochMs {
    return this._clock;
  }

  /** The next instant at which something is scheduled (Infinity when nothing is). */
  nextDueAt(): EpochMs {
    // Cached between changes of the queue, so a daemon's idle tick touches no per-assignment memory.
    this.ensureQueue();
    if (Number.isNaN(this.nextDue)) {
      const c = this.campaignTriggers[this.campaignCursor]?.at ?? Infinity;
      this.nextDue = Math.min(c, this.peekAssignments());
    }
    return this.nextDue;
  }

  /** NaN when the queue changed since nextDueAt() last looked. */
  private nextDue = Number.NaN;

  private peekAssignments(): EpochMs {
    this.ensureQueue();
    // Stale entries (re-queued or finished assignments) are dropped lazily here.
    while (this.heap.size) {
      const t = this.heap.peekTime();
      const id = this.heap.peekId();
      if (this.queuedAt[id - 1] === t) return t;
      this.heap.pop();
    }
    return Infinity;
  }

  private scheduleFor(a: Item, dueAt: EpochMs | null): Schedule {
    const opts = itemScheduleOptions(this.plan, a);
    const key = `${a.policy}|${a.opensAt}|${dueAt}|${opts.exactHours ? "h" : ""}|${opts.ack ? opts.ack.at : ""}`;
    let s = this.shared.schedules.get(key);
    if (!s) {
      // An item without a deadline opens with its phase and has nothing else on its schedule: it never
      // falls due, is never reminded and never goes overdue.
      if (dueAt === null) s = { triggers: [{ at: a.opensAt, type: "opened" }], times: Float64Array.of(a.opensAt) };
      else {
        const policy = this.plan.policies.get(a.policy) as Policy;
        s = buildSchedule({ calendar: this.calendar, sendAt: this.plan.calendar.sendAt, campaignEndAt: this.plan.campaign.endAt }, policy, a.opensAt, dueAt, opts);
      }
      // Opened items and moved deadlines add keys for as long as the plan lives: bounded like the other memos
      // (an item keeps the schedule it holds; only sharing with later items is lost).
      if (this.shared.schedules.size >= SHARED_SCHEDULES_MAX) this.shared.schedules.clear();
      this.shared.schedules.set(key, s);
    }
    return s;
  }

  /** Recomputes every cursor and the heap from the clock, when first needed after construction or settle(). */
  private ensureQueue(): void {
    if (!this.queueStale) return;
    this.queueStale = false;
    this.nextDue = Number.NaN;
    this.queuedAt.fill(Number.NaN);
    this.heap.clear();
    for (let i = 0; i < this.items.length; i++) this.requeue(i, this._clock);
    this.campaignCursor = 0;
    while (this.campaignCursor < this.campaignTriggers.length && this.campaignTriggers[this.campaignCursor]!.at <= this._clock) this.campaignCursor++;
  }

  /** Whether item i is owed now (the ladder acts on it), by its state's tag. */
  private owed(i: number): boolean {
    return this.states[this.stateOf[i]!]!.owed;
  }

  /** Whether item i still has time-based events ahead: owed, or waiting for its window. */
  private scheduled(i: number): boolean {
    return this.states[this.stateOf[i]!]!.scheduled;
  }

  private requeue(i: number, after: EpochMs): void {
    if (!this.scheduled(i)) {
      this.queuedAt[i] = Number.NaN;
      return;
    }
    const s = this.scheduleAt(i);
    const c = firstAfter(s, after);
    this.cursor[i] = c;
    if (c < s.times.length) {
      this.queuedAt[i] = s.times[c]!;
      this.heap.push(s.times[c]!, i + 1);
    } else this.queuedAt[i] = Number.NaN;
  }

  private progressOf(i: number): ProgressState {
    return this.states[this.stateOf[i]!]!.progress;
  }

  /**
   * Applies one input at `now`. Actions first bring time up to `now`, so a late submission is seen as late.
   * An action is recorded at `now`, never moved to a later clock: the host refuses a `now` before the
   * log's last instant (Campaign), so the log's clock never runs back.
   */
  step(input: EngineInput, now: EpochMs): StepResult {
    const ticked = this.tick(now);
    if (input.type === "tick") return ticked;
    const result = ticked === NOTHING ? { events: [], reminders: [] } : ticked;
    const refused = input.type === "urge" ? this.urge(input, now, result) : this.act(input, now, result);
    return refused ? { ...result, refused } : result;
  }

  /**
   * Applies every time-based event in (clock, now] in time order. One tick after a week of downtime
   * gives the state and events that daily ticks would have given; its reminders are collapsed into one
   * intent per recipient.
   */
  tick(now: EpochMs): StepResult {
    if (!(now > this._clock)) return NOTHING;
    // Nothing due: a daemon's usual tick. It allocates nothing, so its cost does not grow with the
    // heap of a large campaign.
    if (this.nextDueAt() > now) {
      this._clock = now;
      return NOTHING;
    }
    const r = this.drain(now);
    this._clock = now;
    return r;
  }

  /** Fires every time-based event up to `now`, in time order; reminders collapsed per recipient. */
  private drain(now: EpochMs): StepResult {
    this.ensureQueue();
    const events: DomainEvent[] = [];
    const pending = new Map<string, { at: EpochMs; items: Map<string, ReminderItem> }>();
    for (;;) {
      const ct = this.campaignTriggers[this.campaignCursor]?.at ?? Infinity;
      const at = this.peekAssignments();
      if (Math.min(ct, at) > now) break;
      if (ct <= at) {
        const e = this.campaignTriggers[this.campaignCursor++]!;
        if (this.applyCampaign(e)) events.push(e);
        continue;
      }
      const id = this.heap.pop();
      this.fire(id - 1, at, events, pending);
    }
    this.nextDue = Number.NaN;
    return { events, reminders: pending.size ? this.collapse(pending, this.sendSlot(now)) : [] };
  }

  /**
   * The send time a tick's messages belong to: the latest working-day send time at or before `now`.
   * A digest collapsed after downtime is dated when it goes out, so its "days late" are today's.
   */
  private sendSlot(now: EpochMs): EpochMs {
    const cal = this.calendar;
    const today = cal.dateOf(now);
    const slot = cal.at(today, this.plan.calendar.sendAt);
    if (cal.isWorkingDay(today) && slot <= now) return slot;
    return cal.at(cal.previousWorkingDay(today), this.plan.calendar.sendAt);
  }

  /** Fires the triggers of assignment i at instant t, in schedule order. */
  private fire(i: number, t: EpochMs, events: DomainEvent[], pending: Map<string, { at: EpochMs; items: Map<string, ReminderItem> }>): void {
    const s = this.scheduleAt(i);
    const a = this.items[i]!;
    let c = this.cursor[i]!;
    for (; c < s.times.length && s.times[c] === t; c++) {
      const trig = s.triggers[c]!;
      if (trig.type !== "opened" && !this.owed(i)) continue;
      // An opened item's window opened with its opening event: its schedule's own first trigger is that.
      if (trig.type === "opened" && a.opened) continue;
      let e: AssignmentEvent;
      if (trig.type === "reminded") {
        if (trig.step === ACK_STEP && this.contexts.acknowledged(i)) continue;
        const recipients = resolveRecipients(this.plan, a, stepNotify(this.plan, a, trig.step));
        e = { type: "reminded", at: t, assignment: a.id, step: trig.step, level: trig.level, recipients, ...(trig.deferred ? { deferred: trig.deferred } : {}), ...(trig.reason ? { reason: trig.reason } : {}) };
      } else e = { type: trig.type, at: t, assignment: a.id };
      if (!this.applyAssignment(i, e)) continue;
      events.push(e);
      if (e.type === "reminded") {
        // Only items with a deadline have ladder steps, so dueAt is set here.
        const dueAt = this.contexts.dueAtOf(i)!;
        const overdue = t >= dueAt;
        for (const r of e.recipients) {
          let p = pending.get(r);
          if (!p) pending.set(r, (p = { at: t, items: new Map() }));
          p.at = Math.max(p.at, t);
          const prev = p.items.get(a.id);
          p.items.set(a.id, { assignment: a.id, unit: a.unit, title: a.title, dueAt, level: Math.max(prev?.level ?? 0, e.level), step: e.step, firedAt: t, overdue, ...(e.deferred ? { deferred: e.deferred } : {}), ...(e.reason ? { reason: e.reason } : {}) });
        }
      }
    }
    this.cursor[i] = c;
    if (c < s.times.length && this.scheduled(i)) {
      this.queuedAt[i] = s.times[c]!;
      this.heap.push(s.times[c]!, i + 1);
    } else this.queuedAt[i] = Number.NaN;
  }

  private collapse(pending: Map<string, { at: EpochMs; items: Map<string, ReminderItem> }>, slot: EpochMs): ReminderIntent[] {
    const zone = this.plan.campaign.timezone;
    return [...pending.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([recipient, p]) => {
        const items = [...p.items.values()].sort((x, y) => (x.assignment < y.assignment ? -1 : 1));
        // Every occurrence fired at a send time at or before the slot; a late hour step cannot pass it.
        const at = Math.max(p.at, slot);
        return {
          key: `${this.plan.campaign.id}/${recipient}/${formatInstant(at, zone)}`,
          recipient,
          at,
          kind: items.some((it) => it.level > 0) ? "escalation" : "reminder",
          items,
        };
      });
  }

  private act(action: UnitAction, now: EpochMs, result: StepResult): StepResult["refused"] {
    if (action.type === "open") return this.open(action, now, result);
    const i = this.indexOf(action.assignment);
    if (i === undefined) return { code: "UNKNOWN_ASSIGNMENT", params: { item: action.assignment } };
    const a = this.items[i]!;
    const ctx = this.contexts.get(i);
    const refusal = authorize(this.plan, a, action, this.progressOf(i), this.contexts.acknowledged(i));
    if (refusal) return refusal;
    let e: AssignmentEvent;
    const base = { at: now, assignment: a.id, actor: action.actor, ...(action.note !== undefined ? { note: action.note } : {}) };
    switch (action.type) {
      case "submit": {
        const dueAt = ctx.dueAt;
        const every = a.opened?.followUpEveryWorkingDays;
        // 一事一报: every report but the final one keeps the item owed, the next one due N working days on.
        const report = every === undefined ? {} : action.final ? { report: "final" as const } : { report: "interim" as const, nextDueAt: this.calendar.at(this.calendar.addWorkingDays(this.calendar.dateOf(now), every), this.plan.calendar.dueAt) };
        e = { type: "submitted", ...base, late: dueAt !== null && now > dueAt, ...(action.attachments ? { attachments: action.attachments } : {}), ...report };
        break;
      }
      case "accept":
        e = { type: "accepted", ...base };
        break;
      case "return":
        e = { type: "returned", ...base };
        break;
      case "waive":
        e = { type: "waived", ...base };
        break;
      case "withdraw":
        e = { type: "withdrawn", ...base };
        break;
      case "recall":
        e = { type: "recalled", ...base };
        break;
      case "acknowledge":
        e = { type: "acknowledged", ...base };
        break;
      case "extend":
        if (ctx.dueAt === null) return { code: "BAD_EXTENSION", params: { item: a.id, title: a.title, reason: "noDeadline" } };
        if (!(action.until > now) || action.until >= this.plan.campaign.endAt)
          return { code: "BAD_EXTENSION", params: { item: a.id, title: a.title, reason: "outOfRange", now: formatInstant(now, this.plan.campaign.timezone), end: this.plan.campaign.end } };
        e = { type: "extended", ...base, until: action.until };
        break;
    }
    this.applyAssignment(i, e);
    result.events.push(e);
    return undefined;
  }

  /**
   * 催办 at `now`: one `reminded` event (reason `urged`, step {@link URGE_STEP}, the ladder's level untouched)
   * per item the unit still owes with a deadline, and one message to the unit listing them, under its own
   * outbox key so it never merges into the ladder's message of the same slot. Only the office may; at most
   * once per unit per calendar day (the items' contexts remember the instant, so it survives a restart).
   */
  private urge(req: UrgeRequest, now: EpochMs, result: StepResult): StepResult["refused"] {
    const plan = this.plan;
    const actor = req.actor.kind === "unit" ? req.actor.unit : "engine";
    if (req.actor.kind === "unit" && !plan.units.has(req.actor.unit)) return { code: "UNKNOWN_ACTOR", params: { actor } };
    if (!actsAsOffice(plan, req.actor)) return { code: "NOT_PERMITTED", params: { action: "urge", actor, rule: "officeUrge" } };
    if (!plan.units.has(req.unit)) return { code: "UNKNOWN_UNIT", params: { unit: req.unit } };
    const today = this.calendar.dateOf(now);
    const mine: number[] = [];
    for (let i = 0; i < this.items.length; i++) {
      const a = this.items[i]!;
      if (!owingUnits(a).includes(req.unit)) continue;
      const ctx = this.contexts.get(i);
      if (ctx.urgedAt !== undefined && this.calendar.dateOf(ctx.urgedAt) === today)
        return { code: "ALREADY_URGED", params: { unit: req.unit, at: formatInstant(ctx.urgedAt, plan.campaign.timezone) } };
      if (this.owed(i) && ctx.dueAt !== null) mine.push(i);
    }
    if (mine.length === 0) return { code: "NOTHING_TO_URGE", params: { unit: req.unit } };
    const items: ReminderItem[] = [];
    for (const i of mine) {
      const a = this.items[i]!;
      const e: AssignmentEvent = { type: "reminded", at: now, assignment: a.id, step: URGE_STEP, level: 0, recipients: [req.unit], reason: "urged", actor: req.actor, ...(req.note ? { note: req.note } : {}) };
      this.applyAssignment(i, e);
      result.events.push(e);
      const dueAt = this.contexts.dueAtOf(i)!;
      items.push({ assignment: a.id, unit: req.unit, title: a.title, dueAt, level: 0, step: URGE_STEP, firedAt: now, overdue: now >= dueAt, reason: "urged", ...(req.note ? { note: req.note } : {}) });
    }
    items.sort((x, y) => (x.assignment < y.assignment ? -1 : 1));
    const at = formatInstant(now, plan.campaign.timezone);
    // The key keeps `campaign/recipient/instant` first, as every reminder's does, so deliveries find it.
    result.reminders.push({ key: `${plan.campaign.id}/${req.unit}/${at}/urge`, recipient: req.unit, at: now, kind: "reminder", items });
    return undefined;
  }

  /** Opens an item of a kind at `now`, or says why not; the opening event carries the whole item. */
  private open(req: Extract<UnitAction, { type: "open" }>, now: EpochMs, result: StepResult): StepResult["refused"] {
    const { type: _type, ...request } = req;
    const ctx = (this.opening ??= {
      plan: this.plan,
      // One clock for the engine's life, so its offsets are remembered across the openings of an import.
      clock: { calendar: this.calendar, dueAt: this.plan.calendar.dueAt, sendAt: this.plan.calendar.sendAt, memo: new Map() },
      opened: (kind) => this.openedCount.get(kind) ?? 0,
      hasKey: (kind, key) => this.hasKey(kind, key),
      closed: false,
    });
    ctx.closed = this.campaignState() === "closed";
    const decided = decideOpening(ctx, request, now);
    if ("code" in decided) return decided;
    const e: AssignmentEvent = { type: "itemOpened", at: now, assignment: decided.id, actor: req.actor, item: decided };
    this.apply(e);
    result.events.push(e);
    // What falls due at the opening instant itself (due soon already, an hour step already passed) happens
    // now, in the same step, so the log holds it and a replay that settles at this instant agrees.
    const due = this.drain(now);
    result.events.push(...due.events);
    mergeReminders(result.reminders, due.reminders);
    return undefined;
  }

  /** Applies one logged event to its machine (the replay path); returns whether it changed anything. */
  apply(e: DomainEvent): boolean {
    return this.applyLogged(e, false);
  }

  /**
   * As {@link apply}, for a replay that calls {@link settle} before anything else: the time index is left to
   * that settle, which rebuilds it from the states alone, so a replay that only reads states never builds it.
   */
  applyBeforeSettle(e: DomainEvent): boolean {
    return this.applyLogged(e, true);
  }

  private applyLogged(e: DomainEvent, beforeSettle: boolean): boolean {
    if (e.type === "phaseStarted" || e.type === "phaseEnded" || e.type === "campaignClosed") return this.applyCampaign(e);
    let i = this.indexOf(e.assignment);
    if (e.type === "itemOpened") {
      if (i !== undefined) return false;
      i = this.addItem(e.item, beforeSettle);
    }
    return i === undefined ? false : this.applyAssignment(i, e, beforeSettle);
  }

  private applyCampaign(e: CampaignEvent): boolean {
    const next = this.campaignMachine.transition(this.campaign, e, this.cScope) as CampaignSnapshot;
    if (next === this.campaign) return false;
    this.campaign = next;
    return true;
  }

  /**
   * Moves item i by `e` on the assignment machine: its new state number, or -1 when `e` changes nothing.
   * The time-driven events (opened, dueSoon, overdue, a ladder's reminded) and openings (itemOpened) are
   * most of a catch-up's, an import's and a replay's work, and their outcome depends only on the state,
   * the context and the event's type and level (no guard or action of the machine reads anything else of
   * them): the machine's answer for one such combination is remembered and reused for every item in it,
   * so a catch-up over thousands of items runs the machine once per combination instead of once per
   * event. Other events (actions, an urge, which records its instant) always run it.
   */
  private transitionOf(i: number, e: AssignmentEvent): number {
    const memo = e.type === "opened" || e.type === "itemOpened" || e.type === "dueSoon" || e.type === "overdue" || (e.type === "reminded" && e.reason !== "urged");
    let key: string | undefined;
    if (memo) {
      key = `${this.stateOf[i]}|${e.type}|${e.type === "reminded" ? e.level : ""}|${this.contexts.key(i)}`;
      const hit = this.transitions.get(key);
      if (hit !== undefined) {
        if (hit.state >= 0) {
          this.stateOf[i] = hit.state;
          this.contexts.set(i, hit.context!);
        }
        return hit.state;
      }
    }
    const prev = this.snapshotAt(i);
    const next = assignmentMachine.transition(prev, e, this.aScope);
    const state = next === prev ? -1 : this.stateId(next.value as { progress: ProgressState; lateness: LatenessState });
    if (state >= 0) {
      this.stateOf[i] = state;
      this.contexts.set(i, next.context);
    }
    if (key !== undefined) {
      // Bounded: a long campaign's contexts (reminder counts) keep making new combinations.
      if (this.transitions.size >= TRANSITION_MEMO_MAX) this.transitions.clear();
      // The context as the columns hold it, so a hit stores exactly what this miss stored.
      this.transitions.set(key, { state, context: state >= 0 ? this.contexts.get(i) : undefined });
    }
    return state;
  }

  private applyAssignment(i: number, e: AssignmentEvent, beforeSettle = false): boolean {
    // The index is brought up to date before the state moves, so a lazy build sees what an eager one saw.
    if (!beforeSettle) this.ensureQueue();
    this.nextDue = Number.NaN;
    const state = this.transitionOf(i, e);
    if (state < 0) return false;
    const interim = e.type === "submitted" && e.report === "interim";
    if (e.type === "extended" || interim) this.planSchedule(i, this.contexts.dueAtOf(i));
    // A stale index is rebuilt from the states at the settle that follows: nothing to move in it now.
    if (this.queueStale) return true;
    // Actions move an item in or out of the queue; time-driven events keep the cursor of fire(). An opened
    // item is queued from just before its opening, so triggers at that very instant (due soon) still fire.
    if (e.type === "itemOpened") this.requeue(i, e.at - 1);
    else if (!this.states[state]!.scheduled) this.queuedAt[i] = Number.NaN;
    else if (e.type === "returned" || e.type === "recalled" || e.type === "extended" || interim) this.requeue(i, e.at);
    return true;
  }

  /** Sets the clock after a replay of logged events, and rebuilds the time index from the state. */
  settle(clock: EpochMs): void {
    this._clock = clock;
    this.queueStale = true;
    this.nextDue = Number.NaN;
  }

  /** "notStarted", the active phase ("a+b" when phases overlap), "betweenPhases" or "closed". */
  campaignState(): string {
    // Named once per campaign snapshot: an import asks at every one of its thousands of openings.
    if (this.stateNamed !== this.campaign) {
      this.stateName = campaignStateName(this.plan, this.campaign.value);
      this.stateNamed = this.campaign;
    }
    return this.stateName;
  }

  /** The campaign snapshot stateName was named from (see campaignState). */
  private stateNamed: CampaignSnapshot | undefined;
  private stateName = "";

  /** The phases running now, in plan order: several when phases overlap. */
  activePhases(): string[] {
    return activePhases(this.plan, this.campaign.value);
  }

  /** An item, planned or opened at run time. */
  item(id: string): Item | undefined {
    const i = this.indexOf(id);
    return i === undefined ? undefined : this.items[i];
  }

  view(id: string): AssignmentView | undefined {
    const i = this.indexOf(id);
    return i === undefined ? undefined : this.viewAt(i);
  }

  private viewAt(i: number): AssignmentView {
    const s = this.states[this.stateOf[i]!]!;
    return { assignment: this.items[i]!, progress: s.progress, lateness: s.lateness, context: this.contexts.get(i) };
  }

  views(): AssignmentView[] {
    const n = this.items.length;
    const out = new Array<AssignmentView>(n);
    for (let i = 0; i < n; i++) out[i] = this.viewAt(i);
    return out;
  }

  /**
   * The views of the items still outstanding and late at `now` (past their due instant, or marked late),
   * told from the states and columns: only those items get a view (`status --overdue` lists a few hundred
   * of a national plan's items). The same items as isOverdueView of src/campaign/board.ts keeps of {@link views}.
   */
  lateViews(now: EpochMs): AssignmentView[] {
    const outstanding = this.states.map((s) => isOutstanding(s.progress));
    const out: AssignmentView[] = [];
    for (let i = 0; i < this.items.length; i++) {
      if (!outstanding[this.stateOf[i]!]) continue;
      const dueAt = this.contexts.dueAtOf(i);
      if ((dueAt !== null && now > dueAt) || this.contexts.lateOf(i)) out.push(this.viewAt(i));
    }
    return out;
  }

  /** The items opened at run time, in the order they were opened. */
  openedItems(): Item[] {
    return this.items.slice(this.plan.assignments.length);
  }

  persist(): PersistedOpenedByColumn {
    const n = this.items.length;
    // Only the states in use, numbered in order of first use: equal engines persist equal data.
    const renumber = new Map<number, number>();
    const state = Array.from(this.stateOf.subarray(0, n), (s) => renumber.get(s) ?? renumber.set(s, renumber.size).get(s)!);
    const states = [...renumber.keys()].map((s) => ({ progress: this.states[s]!.progress, lateness: this.states[s]!.lateness }));
    return {
      version: 4,
      openedItems: encodeItems(this.openedItems()),
      planHash: this.plan.hash,
      clock: Number.isFinite(this._clock) ? this._clock : null,
      campaign: { value: this.campaign.value },
      states,
      state,
      context: this.contexts.persist(n),
    };
  }

  /**
   * The state of this campaign carried over to a new plan version at `at`: assignments kept by id keep
   * their state; a moved deadline applies to items still owed (their ladder restarts from the new date)
   * and, only when `reopenSubmitted`, sends submitted and accepted items back for rework. An item whose
   * deadline was extended keeps its extension. New assignments start fresh; returns the `opened` events of
   * those whose window is already open, for the caller to log.
   */
  migrate(plan: ResolvedPlan, at: EpochMs, opts: { reopenSubmitted: boolean }): { engine: Engine; events: DomainEvent[] } {
    // The change is recorded at `at`, never moved to a later clock (see step).
    const clock = at;
    const assignments = plan.assignments.map((a): [unknown, AssignmentContext] | undefined => {
      const j = this.indexOf(a.id);
      if (j === undefined) return undefined;
      const context = this.contexts.get(j);
      let { progress, lateness } = this.states[this.stateOf[j]!]!;
      const moved = a.dueAt !== this.items[j]!.dueAt && context.extensions === 0;
      const owed = isOutstanding(progress);
      const reopen = opts.reopenSubmitted && (progress === "submitted" || progress === "accepted");
      if (a.dueAt === null) {
        // The new version gives the item no deadline (and no ladder): whatever its state, it stops being
        // late; an extension of a deadline that no longer exists lapses with it.
        context.dueAt = null;
        context.level = 0;
        lateness = "onTrack";
      } else if (moved && (owed || reopen)) {
        context.dueAt = a.dueAt;
        if (a.dueAt > at) {
          lateness = "onTrack";
          context.level = 0;
        }
        if (reopen) progress = "returned";
      }
      return [{ progress, lateness }, context];
    });
    // Items opened at run time keep their state and the rules they were opened under.
    const opened = this.openedItems();
    const openedStates = opened.map((_, k): [unknown, AssignmentContext] => {
      const j = this.plan.assignments.length + k;
      const s = this.states[this.stateOf[j]!]!;
      return [{ progress: s.progress, lateness: s.lateness }, this.contexts.get(j)];
    });
    const next = new Engine(plan, { version: 2, planHash: plan.hash, clock, campaign: { value: this.campaign.value }, assignments: [...assignments, ...openedStates], opened });
    const events: DomainEvent[] = [];
    for (const [i, a] of plan.assignments.entries()) {
      if (assignments[i] || a.opensAt > at) continue;
      const e: AssignmentEvent = { type: "opened", at: clock, assignment: a.id };
      if (next.applyAssignment(i, e)) events.push(e);
    }
    return { engine: next, events };
  }

  static restore(plan: ResolvedPlan, data: PersistedEngine): Engine {
    if (data.planHash !== plan.hash) throw new Error(`persisted state is for plan ${data.planHash.slice(0, 12)}, not ${plan.hash.slice(0, 12)}`);
    return new Engine(plan, data);
  }
}

import { formatInstant, type EpochMs } from "../engine/calendar.ts";
import { Engine } from "../engine/engine.ts";
import type { Actor, DomainEvent, Refusal, ReminderIntent, ReminderReason } from "../engine/types.ts";
import type { ResolvedPlan } from "../plan/types.ts";
import { ACTION_ZH } from "../text/labels.ts";
import { renderRefusal } from "../text/refusals.ts";
import type { ScheduledAction } from "./actions-file.ts";

export type TimelineKind =
  | "phase"
  | "phaseEnded"
  | "closed"
  | "opened"
  | "itemOpened"
  | "acknowledged"
  | "withdrawn"
  | "recalled"
  | "dueSoon"
  | "overdue"
  | "reminder"
  | "escalation"
  | "submitted"
  | "accepted"
  | "returned"
  | "extended"
  | "waived"
  | "refused"
  | "message";

/** One line of a simulated campaign (the `--json` entries). */
export interface TimelineEntry {
  at: string;
  kind: TimelineKind;
  phase?: string;
  assignment?: string;
  unit?: string;
  recipients?: string[];
  level?: number;
  step?: number;
  actor?: string;
  late?: boolean;
  until?: string;
  note?: string;
  code?: string;
  message?: string;
  /** For kind "message": the recipient and how many items the digest carries. */
  recipient?: string;
  items?: number;
  /**
   * Of an item opened at run time (the plan does not list it): its kind and title, on every entry of
   * the item, so a window that starts after the opening still names it.
   */
  itemKind?: string;
  title?: string;
  /** Of a joint item: every owing unit, the lead first (`unit` is the lead). */
  members?: string[];
  /** Of an opening: its urgency level, its deadline, and the actions file's name for it (`ref:`). */
  urgency?: string;
  due?: string;
  ref?: string;
  /** Of a 一事一报 submission: 首报 (the first), 续报, or 终报 (final). */
  report?: "first" | "interim" | "final";
  /** Of a reminder: set when it is about the 签收 deadline (`unacknowledged`) or the office's 催办 (`urged`). */
  reason?: ReminderReason;
}

export interface Timeline {
  from: string;
  to: string;
  entries: TimelineEntry[];
}

export interface SimulateOptions {
  from?: EpochMs;
  to?: EpochMs;
  actions?: ScheduledAction[];
  /** Include opened / dueSoon entries and per-recipient message digests (noisy; off by default). */
  verbose?: boolean;
  /**
   * When given, receives every event the engine produced, in order and from the campaign's start (not
   * only the shown window): the log a live store would hold, for a replay to check against.
   */
  log?: DomainEvent[];
}

/** What the timeline keeps of an item opened at run time. */
interface OpenedNote {
  kind: string;
  title: string;
  members?: string[];
  /** 一事一报 reports so far (the first is 首报). */
  reports: number;
}

function actorId(a: Actor): string {
  return a.kind === "engine" ? "engine" : (a.person ?? a.unit);
}

/**
 * Plays the campaign on a virtual clock through the real engine: it ticks at every instant at which
 * something is scheduled, and applies the actions at their instants. The same engine runs live.
 */
export function simulate(plan: ResolvedPlan, opts: SimulateOptions = {}): Timeline {
  const zone = plan.campaign.timezone;
  const from = opts.from ?? plan.campaign.startAt;
  const to = opts.to ?? plan.campaign.endAt;
  const iso = (ms: EpochMs) => formatInstant(ms, zone);
  const engine = new Engine(plan);
  const actions = opts.actions ?? [];
  const entries: TimelineEntry[] = [];
  const unitOf = new Map(plan.assignments.map((a) => [a.id, a.unit]));
  const items = new Map<string, OpenedNote>();
  const refs = new Map<string, string>();

  const record = (events: DomainEvent[], reminders: ReminderIntent[], refused?: Refusal, action?: ScheduledAction, message?: string) => {
    opts.log?.push(...events);
    for (const e of events) {
      if (e.type === "itemOpened") {
        unitOf.set(e.assignment, e.item.unit);
        items.set(e.assignment, { kind: e.item.opened!.kind, title: e.item.title, members: e.item.members, reports: 0 });
        if (action?.ref) refs.set(action.ref, e.assignment);
      }
      const note = "assignment" in e ? items.get(e.assignment) : undefined;
      if (note && e.type === "submitted" && e.report) note.reports++;
      if (e.at < from) continue;
      const entry = toEntry(e, iso, unitOf, opts.verbose ?? false);
      if (!entry) continue;
      if (note) Object.assign(entry, { itemKind: note.kind, title: note.title, ...(note.members ? { members: note.members } : {}) });
      if (note && e.type === "submitted" && e.report) entry.report = e.report === "final" ? "final" : note.reports === 1 ? "first" : "interim";
      if (e.type === "itemOpened" && action?.ref) entry.ref = action.ref;
      entries.push(entry);
    }
    if (opts.verbose)
      for (const r of reminders) if (r.at >= from) entries.push({ at: iso(r.at), kind: "message", recipient: r.recipient, items: r.items.length, level: r.items.reduce((m, i) => Math.max(m, i.level), 0) });
    if (refused && action && action.at >= from) {
      const a = action.action;
      const about = a.type === "open" ? { itemKind: a.kind, title: a.title } : { assignment: a.assignment, ...(items.has(a.assignment) ? { itemKind: items.get(a.assignment)!.kind, title: items.get(a.assignment)!.title } : {}) };
      entries.push({ at: iso(action.at), kind: "refused", ...about, actor: actorId(a.actor), code: refused.code, message: message ?? renderRefusal(plan, refused) });
    }
  };
  // An action naming its item by the opening's `ref:` acts on the id the engine gave it; when that
  // opening was refused, the engine refuses this one too, under the name the file used.
  const resolve = (a: ScheduledAction): ScheduledAction | undefined => {
    if (a.target === undefined || a.action.type === "open") return a;
    const id = refs.get(a.target);
    return id === undefined ? undefined : { ...a, action: { ...a.action, assignment: id } };
  };
  // An action on an item whose opening was refused is refused in its turn, and says why.
  const refNotOpened = (a: ScheduledAction) => `“${a.target}”的交办没有成功（见上文的拒绝），无从${ACTION_ZH[a.action.type]}`;

  let k = 0;
  for (;;) {
    const nextAction = actions[k];
    const due = engine.nextDueAt();
    if (nextAction && nextAction.at <= to && nextAction.at <= due) {
      const action = resolve(nextAction);
      const r = action ? engine.step(action.action, action.at) : { events: [], reminders: [], refused: { code: "UNKNOWN_ASSIGNMENT" as const, params: { assignment: nextAction.target! } } };
      record(r.events, r.reminders, r.refused, action ?? nextAction, action ? undefined : refNotOpened(nextAction));
      k++;
    } else if (due <= to) {
      const r = engine.tick(due);
      record(r.events, r.reminders);
    } else break;
  }
  return { from: iso(from), to: iso(to), entries };
}

function toEntry(e: DomainEvent, iso: (ms: EpochMs) => string, unitOf: Map<string, string>, verbose: boolean): TimelineEntry | undefined {
  const at = iso(e.at);
  switch (e.type) {
    case "phaseStarted":
      return { at, kind: "phase", phase: e.phase };
    case "phaseEnded":
      return { at, kind: "phaseEnded", phase: e.phase };
    case "campaignClosed":
      return { at, kind: "closed" };
    case "opened":
    case "dueSoon":
      return verbose ? { at, kind: e.type, assignment: e.assignment, unit: unitOf.get(e.assignment) } : undefined;
    case "overdue":
      return { at, kind: "overdue", assignment: e.assignment, unit: unitOf.get(e.assignment) };
    case "reminded":
      return { at, kind: e.level > 0 ? "escalation" : "reminder", assignment: e.assignment, unit: unitOf.get(e.assignment), recipients: e.recipients, level: e.level, step: e.step, ...(e.reason ? { reason: e.reason } : {}) };
    case "itemOpened":
      return { at, kind: "itemOpened", assignment: e.assignment, unit: e.item.unit, actor: actorId(e.actor), urgency: e.item.opened!.level, ...(e.item.dueAt !== null ? { due: iso(e.item.dueAt) } : {}), ...(e.item.opened!.note ? { note: e.item.opened!.note } : {}) };
    case "submitted":
      return { at, kind: "submitted", assignment: e.assignment, unit: unitOf.get(e.assignment), actor: actorId(e.actor), late: e.late, ...(e.note ? { note: e.note } : {}) };
    case "acknowledged":
    case "withdrawn":
    case "recalled":
    case "accepted":
    case "returned":
    case "waived":
      return { at, kind: e.type, assignment: e.assignment, unit: unitOf.get(e.assignment), actor: actorId(e.actor), ...(e.note ? { note: e.note } : {}) };
    case "extended":
      return { at, kind: "extended", assignment: e.assignment, unit: unitOf.get(e.assignment), actor: actorId(e.actor), until: iso(e.until), ...(e.note ? { note: e.note } : {}) };
  }
}

import { formatInstant, type EpochMs } from "../engine/calendar.ts";
import { Engine } from "../engine/engine.ts";
import type { Actor, DomainEvent, Refusal, ReminderIntent } from "../engine/types.ts";
import type { ResolvedPlan } from "../plan/types.ts";
import { renderRefusal } from "../text/refusals.ts";
import type { ScheduledAction } from "./actions-file.ts";

export type TimelineKind =
  | "phase"
  | "phaseEnded"
  | "closed"
  | "opened"
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

  const record = (events: DomainEvent[], reminders: ReminderIntent[], refused?: Refusal, action?: ScheduledAction) => {
    for (const e of events) {
      if (e.at < from) continue;
      const entry = toEntry(e, iso, unitOf, opts.verbose ?? false);
      if (entry) entries.push(entry);
    }
    if (opts.verbose)
      for (const r of reminders) if (r.at >= from) entries.push({ at: iso(r.at), kind: "message", recipient: r.recipient, items: r.items.length, level: r.items.reduce((m, i) => Math.max(m, i.level), 0) });
    if (refused && action && action.at >= from)
      entries.push({ at: iso(action.at), kind: "refused", assignment: "assignment" in action.action ? action.action.assignment : action.action.kind, actor: actorId(action.action.actor), code: refused.code, message: renderRefusal(plan, refused) });
  };

  let k = 0;
  for (;;) {
    const nextAction = actions[k];
    const due = engine.nextDueAt();
    if (nextAction && nextAction.at <= to && nextAction.at <= due) {
      const r = engine.step(nextAction.action, nextAction.at);
      record(r.events, r.reminders, r.refused, nextAction);
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
      return { at, kind: e.level > 0 ? "escalation" : "reminder", assignment: e.assignment, unit: unitOf.get(e.assignment), recipients: e.recipients, level: e.level, step: e.step };
    case "submitted":
      return { at, kind: "submitted", assignment: e.assignment, unit: unitOf.get(e.assignment), actor: actorId(e.actor), late: e.late, ...(e.note ? { note: e.note } : {}) };
    case "accepted":
    case "returned":
    case "waived":
      return { at, kind: e.type, assignment: e.assignment, unit: unitOf.get(e.assignment), actor: actorId(e.actor), ...(e.note ? { note: e.note } : {}) };
    case "extended":
      return { at, kind: "extended", assignment: e.assignment, unit: unitOf.get(e.assignment), actor: actorId(e.actor), until: iso(e.until), ...(e.note ? { note: e.note } : {}) };
  }
}

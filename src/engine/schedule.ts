import { type EpochMs, type IsoDate, type WorkCalendar } from "./calendar.ts";
import type { Policy, ResolvedPlan } from "../model/definition.ts";
import type { Item } from "../model/item.ts";
import type { Deferral, ReminderReason } from "./types.ts";

/** A time-based event of one assignment, before the machine decides whether it applies. */
export type Trigger =
  | { at: EpochMs; type: "opened" }
  | { at: EpochMs; type: "dueSoon" }
  | { at: EpochMs; type: "overdue" }
  | { at: EpochMs; type: "reminded"; step: number; level: number; deferred?: Deferral; reason?: ReminderReason };

/** What an item adds to its policy's schedule (hour deadline, 签收 step): the engine's and every reader's. */
export function itemScheduleOptions(plan: ResolvedPlan, a: Item): ScheduleOptions {
  const ack = a.ackDueAt !== undefined && a.opened ? plan.kinds.get(a.opened.kind)?.acknowledge : undefined;
  return { ...(a.exactHours ? { exactHours: true } : {}), ...(ack ? { ack: { at: a.ackDueAt!, level: ack.level } } : {}) };
}

/** The notify roles of a step, the 签收 step's from the item's kind. */
export function stepNotify(plan: ResolvedPlan, a: Item, step: number): readonly string[] {
  if (step === ACK_STEP) return (a.opened && plan.kinds.get(a.opened.kind)?.acknowledge?.notify) || ["assignee"];
  return plan.policies.get(a.policy)?.steps[step]?.notify ?? [];
}

/** The step index of a 签收 reminder: it is the kind's, not one of the ladder's steps. */
export const ACK_STEP = -1;

/** The step index of a 催办: the office's reminder by hand, outside the ladder. */
export const URGE_STEP = -2;

/**
 * What an item adds to its ladder: `exactHours` (an hour deadline) fires hour steps at their instant,
 * not at the next send time; `ack` is the 签收 deadline and the level its reminder goes out at.
 */
export interface ScheduleOptions {
  exactHours?: boolean;
  ack?: { at: EpochMs; level: number };
}

/** Order of triggers at the same instant: open before anything, reminders by level, overdue last. */
function rank(t: Trigger): number {
  switch (t.type) {
    case "opened":
      return 0;
    case "dueSoon":
      return 1;
    case "reminded":
      return 2 + t.level;
    case "overdue":
      return 1000;
  }
}

export interface Schedule {
  triggers: Trigger[];
  times: Float64Array;
}

export interface ScheduleContext {
  calendar: WorkCalendar;
  sendAt: string;
  campaignEndAt: EpochMs;
}

/**
 * Every trigger of an assignment, from its opening to the campaign's end. It depends only on
 * (policy, opens, due), so the many assignments that share those share one schedule.
 */
export function buildSchedule(ctx: ScheduleContext, policy: Policy, opensAt: EpochMs, dueAt: EpochMs, opts: ScheduleOptions = {}, slots: LadderSlots = ladderSlots): Schedule {
  const { calendar, sendAt, campaignEndAt } = ctx;
  const dueDate = calendar.dateOf(dueAt);
  const slot = (d: IsoDate) => calendar.at(d, sendAt);
  const out: Trigger[] = [{ at: opensAt, type: "opened" }];
  const soonDate = calendar.addWorkingDays(dueDate, -policy.dueSoon);
  out.push({ at: Math.max(opensAt, slot(soonDate)), type: "dueSoon" });
  out.push({ at: dueAt, type: "overdue" });
  /** Steps with an occurrence before the opening, latest such occurrence first: candidates to defer. */
  const early: { at: EpochMs; step: (typeof policy.steps)[number] }[] = [];
  for (const step of policy.steps) {
    let first: IsoDate;
    if (step.unit === "h" && opts.exactHours) {
      // An hour deadline's hour steps go out at their own instant, at night or on a rest day too.
      const at = dueAt + step.offset * 3_600_000;
      if (at < campaignEndAt) out.push({ at: Math.max(at, opensAt), type: "reminded", step: step.index, level: step.level });
      continue;
    } else if (step.unit === "h") {
      // An hour offset is snapped to the next send slot on a working day: messages go out only then.
      first = calendar.dateOf(nextSendSlot(calendar, sendAt, dueAt + step.offset * 3_600_000));
    } else if (step.offset === 0) {
      // "On the day": a due date on a rest day (rule keep) is announced the working day before.
      first = calendar.isWorkingDay(dueDate) ? dueDate : calendar.previousWorkingDay(dueDate);
    } else first = calendar.addWorkingDays(dueDate, step.offset);
    let before: EpochMs | undefined;
    for (const at of slots(calendar, sendAt, first, step.repeat, campaignEndAt)) {
      if (at >= opensAt) out.push({ at, type: "reminded", step: step.index, level: step.level });
      else before = at;
    }
    if (before !== undefined) early.push({ at: before, step });
  }
  deferEarlySteps(out, early, policy, nextSendSlot(calendar, sendAt, opensAt), dueAt, campaignEndAt);
  if (opts.ack) {
    const at = opts.exactHours ? opts.ack.at : nextSendSlot(calendar, sendAt, opts.ack.at);
    if (at < campaignEndAt) out.push({ at: Math.max(at, opensAt), type: "reminded", step: ACK_STEP, level: opts.ack.level, reason: "unacknowledged" });
  }
  out.sort((a, b) => a.at - b.at || rank(a) - rank(b) || (a.type === "reminded" && b.type === "reminded" ? a.step - b.step : 0));
  return { triggers: out, times: Float64Array.from(out.map((t) => t.at)) };
}

/** The send times of one ladder step: from `first`, every `repeat` working days (once when 0), before `endAt`. */
export type LadderSlots = (calendar: WorkCalendar, sendAt: string, first: IsoDate, repeat: number, endAt: EpochMs) => readonly EpochMs[];

export const ladderSlotsUncached: LadderSlots = (calendar, sendAt, first, repeat, endAt) => {
  const out: EpochMs[] = [];
  for (let d = first; ; d = calendar.addWorkingDays(d, repeat)) {
    const at = calendar.at(d, sendAt);
    if (at >= endAt) break;
    out.push(at);
    if (repeat === 0) break;
  }
  return out;
};

/**
 * Items opened at run time each open at their own instant, so their schedules are not shared; but a
 * step's occurrences depend only on where its ladder starts, not on the opening, and a weekly repeat
 * walks the calendar to the campaign's end. Kept per calendar (a plan version's), so a thousand
 * openings under one kind walk it once.
 */
const slotMemo = new WeakMap<WorkCalendar, Map<string, readonly EpochMs[]>>();

export const ladderSlots: LadderSlots = (calendar, sendAt, first, repeat, endAt) => {
  let memo = slotMemo.get(calendar);
  if (!memo) slotMemo.set(calendar, (memo = new Map()));
  const key = `${sendAt}|${first}|${repeat}|${endAt}`;
  let slots = memo.get(key);
  if (!slots) memo.set(key, (slots = Object.freeze(ladderSlotsUncached(calendar, sendAt, first, repeat, endAt))));
  return slots;
};

/** The first send time (a working day at `sendAt`) at or after `t`. */
export function nextSendSlot(calendar: WorkCalendar, sendAt: string, t: EpochMs): EpochMs {
  const d = calendar.dateOf(t);
  const same = calendar.at(d, sendAt);
  return calendar.isWorkingDay(d) && same >= t ? same : calendar.at(calendar.nextWorkingDay(d), sendAt);
}

/**
 * A step timed before the item opens is not lost: it goes out at the first send time after the
 * opening (`at`), so a window that opens on a holiday still gets its advance notice. It is left out
 * when that time is past the due instant (it would no longer be in advance) or past the campaign, and
 * when a later step of the same level telling at least the same people already fires then: one
 * notice per kind, not one per step that fell before the window.
 */
function deferEarlySteps(out: Trigger[], early: { at: EpochMs; step: Policy["steps"][number] }[], policy: Policy, at: EpochMs, dueAt: EpochMs, campaignEndAt: EpochMs): void {
  if (early.length === 0 || at > dueAt || at >= campaignEndAt) return;
  const firing = out.filter((t): t is Extract<Trigger, { type: "reminded" }> => t.type === "reminded" && t.at === at).map((t) => policy.steps[t.step]!);
  const covers = (a: Policy["steps"][number], b: Policy["steps"][number]) => a.level === b.level && b.notify.every((who) => a.notify.includes(who));
  for (const { step } of early.sort((a, b) => b.at - a.at || b.step.index - a.step.index)) {
    if (firing.some((f) => covers(f, step))) continue;
    out.push({ at, type: "reminded", step: step.index, level: step.level, deferred: "beforeOpening" });
    firing.push(step);
  }
}

/** Index of the first trigger strictly after `after` (triggers.length when none). */
export function firstAfter(s: Schedule, after: EpochMs): number {
  let lo = 0;
  let hi = s.times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (s.times[mid]! <= after) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}


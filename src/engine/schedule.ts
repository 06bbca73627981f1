import { type EpochMs, type IsoDate, type WorkCalendar } from "./calendar.ts";
import type { Policy } from "../plan/types.ts";

/** A time-based event of one assignment, before the machine decides whether it applies. */
export type Trigger =
  | { at: EpochMs; type: "opened" }
  | { at: EpochMs; type: "dueSoon" }
  | { at: EpochMs; type: "overdue" }
  | { at: EpochMs; type: "reminded"; step: number; level: number };

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
export function buildSchedule(ctx: ScheduleContext, policy: Policy, opensAt: EpochMs, dueAt: EpochMs): Schedule {
  const { calendar, sendAt, campaignEndAt } = ctx;
  const dueDate = calendar.dateOf(dueAt);
  const slot = (d: IsoDate) => calendar.at(d, sendAt);
  const out: Trigger[] = [{ at: opensAt, type: "opened" }];
  const soonDate = calendar.addWorkingDays(dueDate, -policy.dueSoon);
  out.push({ at: Math.max(opensAt, slot(soonDate)), type: "dueSoon" });
  out.push({ at: dueAt, type: "overdue" });
  for (const step of policy.steps) {
    let first: IsoDate;
    if (step.unit === "h") {
      // An hour offset is snapped to the next send slot on a working day: messages go out only then.
      const target = dueAt + step.offset * 3_600_000;
      first = calendar.dateOf(target);
      if (!calendar.isWorkingDay(first) || slot(first) < target) first = calendar.nextWorkingDay(first);
    } else if (step.offset === 0) {
      // "On the day": a due date on a rest day (rule keep) is announced the working day before.
      first = calendar.isWorkingDay(dueDate) ? dueDate : calendar.previousWorkingDay(dueDate);
    } else first = calendar.addWorkingDays(dueDate, step.offset);
    for (let d = first; ; d = calendar.addWorkingDays(d, step.repeat)) {
      const at = slot(d);
      if (at >= campaignEndAt) break;
      if (at >= opensAt) out.push({ at, type: "reminded", step: step.index, level: step.level });
      if (step.repeat === 0) break;
    }
  }
  out.sort((a, b) => a.at - b.at || rank(a) - rank(b) || (a.type === "reminded" && b.type === "reminded" ? a.step - b.step : 0));
  return { triggers: out, times: Float64Array.from(out.map((t) => t.at)) };
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


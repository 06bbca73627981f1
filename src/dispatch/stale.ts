import type { EpochMs, WorkCalendar } from "../engine/calendar.ts";
import type { ReminderIntent } from "../engine/types.ts";


/**
 * Which reminder items are too old to send: after a long stop, one catch-up tick collapses months of
 * ladder into one digest per recipient dated today, and each item keeps the instant its step fired. An
 * item is stale when it fired more than `windowMs` and more than `workingDays` working days before the
 * message goes out. The events stay in the log; only the message leaves it out.
 */
export interface StaleRule {
  windowMs: number;
  workingDays: number;
}

/** The part of `intent` still worth sending at `now`, and how many items were left out. */
export function freshPart(intent: ReminderIntent, now: EpochMs, rule: StaleRule, calendar: WorkCalendar): { intent: ReminderIntent; stale: ReminderIntent["items"] } {
  const today = calendar.dateOf(now);
  const isStale = (firedAt: EpochMs) => firedAt < now - rule.windowMs && calendar.workingDaysBetween(calendar.dateOf(firedAt), today) > rule.workingDays;
  const fresh = intent.items.filter((i) => !isStale(i.firedAt));
  if (fresh.length === intent.items.length) return { intent, stale: [] };
  const stale = intent.items.filter((i) => isStale(i.firedAt));
  return { intent: { ...intent, items: fresh, kind: fresh.some((i) => i.level > 0) ? "escalation" : "reminder" }, stale };
}

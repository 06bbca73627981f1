import { DateTime } from "luxon";
import type { EpochMs, WorkCalendar } from "../engine/calendar.ts";

/**
 * How long a message that cannot be delivered is retried before it is marked failed for good: N working
 * days (the same time of day, N working days later on the plan's calendar) or N hours.
 */
export type RetryHorizon = { workingDays: number } | { hours: number };

/** The default: until the same hour of the next working day, so an outage of a morning loses nothing. */
export const DEFAULT_RETRY_HORIZON: RetryHorizon = { workingDays: 1 };

/** The instant retries stop for a message whose retries started at `start`. */
export function retryHorizonAt(h: RetryHorizon, start: EpochMs, calendar: WorkCalendar, zone: string): EpochMs {
  if ("hours" in h) return start + h.hours * 3_600_000;
  const local = DateTime.fromMillis(start, { zone });
  const day = DateTime.fromISO(calendar.addWorkingDays(calendar.dateOf(start), h.workingDays), { zone });
  return local.set({ year: day.year, month: day.month, day: day.day }).toMillis();
}

/** `1wd` (working days) or `12h` (hours), as `duban run --retry-for` takes it; undefined when malformed. */
export function parseRetryHorizon(text: string): RetryHorizon | undefined {
  const m = /^\s*(\d+)\s*(wd|h)\s*$/.exec(text);
  if (!m || Number(m[1]) < 1) return undefined;
  return m[2] === "wd" ? { workingDays: Number(m[1]) } : { hours: Number(m[1]) };
}

export function retryHorizonText(h: RetryHorizon): string {
  return "hours" in h ? `${h.hours}h` : `${h.workingDays}wd`;
}

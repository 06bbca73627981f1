import type { Offset } from "../model/kind.ts";
import type { EpochMs } from "../model/time.ts";
import { addDays, type WorkCalendar } from "./calendar.ts";

const HOUR = 3_600_000;

export interface OffsetClock {
  calendar: WorkCalendar;
  /** The calendar's due time of day ("18:00"): where day deadlines fall. */
  dueAt: string;
  /** Working hours run from `sendAt` to `dueAt` on working days (for `workingHours` kinds). */
  sendAt: string;
  /**
   * Remembered instants by `from`, offset and workingHours, for a clock that lives as long as its
   * calendar (an engine's): an import opens thousands of items at one instant with the same offsets.
   */
  memo?: Map<string, EpochMs>;
}

/** Remembered offsets per clock before its memo starts over. */
const OFFSET_MEMO_MAX = 10_000;

/**
 * The instant an offset reaches from `from`: `+Nwd` is N working days later at the due time; `+Nd` is N
 * calendar days later at the due time (a rest day moves to the next working day, as PRC law counts the
 * end of a period); `+Nh` is N clock hours later to the minute, at night or on a rest day too, unless
 * `workingHours`, when only the hours between the send time and the due time of working days count.
 */
export function offsetFrom(clock: OffsetClock, from: EpochMs, offset: Offset, workingHours = false): EpochMs {
  const memo = clock.memo;
  if (!memo) return offsetOf(clock, from, offset, workingHours);
  const key = `${from}|${offset.n}|${offset.unit}|${workingHours ? 1 : 0}`;
  let at = memo.get(key);
  if (at === undefined) {
    if (memo.size >= OFFSET_MEMO_MAX) memo.clear();
    memo.set(key, (at = offsetOf(clock, from, offset, workingHours)));
  }
  return at;
}

function offsetOf(clock: OffsetClock, from: EpochMs, offset: Offset, workingHours: boolean): EpochMs {
  const { calendar } = clock;
  const today = calendar.dateOf(from);
  switch (offset.unit) {
    case "wd":
      return calendar.at(calendar.addWorkingDays(today, offset.n), clock.dueAt);
    case "d": {
      const d = addDays(today, offset.n);
      return calendar.at(calendar.isWorkingDay(d) ? d : calendar.nextWorkingDay(d), clock.dueAt);
    }
    case "h":
      return workingHours ? addWorkingHours(clock, from, offset.n) : from + offset.n * HOUR;
  }
}

function addWorkingHours(clock: OffsetClock, from: EpochMs, hours: number): EpochMs {
  const { calendar } = clock;
  let left = hours * HOUR;
  let day = calendar.dateOf(from);
  let t = from;
  // Bounded by the calendar: every working day gives its hours, so this ends after hours/8 working days.
  for (let guard = 0; guard < 100_000; guard++) {
    if (calendar.isWorkingDay(day)) {
      const start = Math.max(t, calendar.at(day, clock.sendAt));
      const end = calendar.at(day, clock.dueAt);
      if (start < end) {
        if (end - start >= left) return start + left;
        left -= end - start;
      }
    }
    day = calendar.nextWorkingDay(day);
    t = calendar.at(day, clock.sendAt);
  }
  throw new RangeError(`working hours beyond the calendar: ${hours}`);
}

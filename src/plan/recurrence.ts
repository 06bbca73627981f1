import { addDays, weekday, type IsoDate, type WorkCalendar } from "../engine/calendar.ts";
import type { PathSegment } from "./source.ts";
import type { Recurrence } from "./types.ts";

/** A problem with a series, at a path relative to its `recurring:` mapping; `key` points at the key. */
export type RecurrenceProblem = (message: string, at: PathSegment[], key?: boolean) => void;

/** The last day of the month `date` is in. */
export function monthEnd(date: IsoDate): IsoDate {
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7));
  return addDays(m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, "0")}-01`, -1);
}

/**
 * The days of a series in [from, until], in order, as written (before any rest-day rule):
 * - `monthDays` (1-31, or `last` for the month's last day) and/or `weekdays` (1 = Monday … 7 = Sunday),
 *   optionally only in `months` (1-12): `{ months: [3, 6, 9, 12], monthDays: [last] }` is quarterly;
 * - or `everyWorkingDays: N`: from + N working days, from + 2N, … (always working days).
 * A day that a month of the range lacks (31 in June, 29-31 in February) is refused, never skipped:
 * month ends are written `last`.
 */
export function recurrenceDays(r: Recurrence, from: IsoDate, until: IsoDate, calendar: WorkCalendar, problem: RecurrenceProblem): IsoDate[] {
  if (r.everyWorkingDays !== undefined) {
    const other = (["monthDays", "weekdays", "months"] as const).filter((k) => r[k] !== undefined);
    if (other.length) {
      problem(`everyWorkingDays（每 ${r.everyWorkingDays} 个工作日）不能与 ${other.join("、")} 同时使用；每种周期请只用一种写法`, ["everyWorkingDays"], true);
      return [];
    }
    const out: IsoDate[] = [];
    for (let day = calendar.addWorkingDays(from, r.everyWorkingDays); day <= until; day = calendar.addWorkingDays(day, r.everyWorkingDays)) out.push(day);
    return out;
  }
  if (r.monthDays === undefined && r.weekdays === undefined) {
    problem("周期安排须写 monthDays（每月几日，月末写 last）、weekdays（每周几，1 = 周一）或 everyWorkingDays（每 N 个工作日）之一；months 只用来限定月份", [], false);
    return [];
  }
  const months = r.months ? new Set(r.months) : undefined;
  const inMonths = (day: IsoDate) => !months || months.has(Number(day.slice(5, 7)));
  if (!checkMonthDays(r, from, until, inMonths, problem)) return [];
  const numbers = new Set(r.monthDays?.filter((d): d is number => d !== "last"));
  const last = r.monthDays?.includes("last") ?? false;
  const weekdays = new Set(r.weekdays);
  const out: IsoDate[] = [];
  for (let day = from; day <= until; day = addDays(day, 1)) {
    if (!inMonths(day)) continue;
    if (numbers.has(Number(day.slice(8, 10))) || (last && day === monthEnd(day)) || weekdays.has(weekday(day))) out.push(day);
  }
  return out;
}

/** Refuses a month day that some month of the range lacks, naming the months; true when none does. */
function checkMonthDays(r: Recurrence, from: IsoDate, until: IsoDate, inMonths: (day: IsoDate) => boolean, problem: RecurrenceProblem): boolean {
  let ok = true;
  for (const [i, d] of (r.monthDays ?? []).entries()) {
    if (d === "last" || d <= 28) continue;
    // A month counts when its last day is in the range: had it a day d, the series would hold it.
    const lacking: string[] = [];
    for (let end = monthEnd(from); end <= until; end = monthEnd(addDays(end, 1))) if (inMonths(end) && Number(end.slice(8, 10)) < d) lacking.push(end.slice(0, 7));
    if (!lacking.length) continue;
    ok = false;
    const shown = lacking.slice(0, 4).join("、") + (lacking.length > 4 ? ` 等 ${lacking.length} 个月` : "");
    problem(`${shown} 没有 ${d} 日，这些月份不会有这一期；每月最后一天请写 last（例如 monthDays: [last]），或改用 1 至 28 日`, ["monthDays", i]);
  }
  return ok;
}

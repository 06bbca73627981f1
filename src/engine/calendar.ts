import { createRequire } from "node:module";
import { DateTime } from "luxon";

import type { CnCalendarData, EpochMs, IsoDate } from "../model/time.ts";
export type { CnCalendarData, EpochMs, IsoDate };

export interface CalendarSpec {
  /** `cn`: PRC statutory holidays and make-up working days; `weekends`: Saturday and Sunday only. */
  base: "cn" | "weekends";
  zone: string;
  /** Extra rest days declared by the plan; they win over the data package. */
  holidays?: readonly IsoDate[];
  /** Extra working days declared by the plan (make-up days); they win over everything else. */
  workdays?: readonly IsoDate[];
  /**
   * The statutory data to use instead of the package's: the data a plan version was resolved with,
   * kept with it, so history replays on the calendar it ran on even after the package is updated.
   */
  data?: CnCalendarData;
}

interface CnData {
  holidays: Record<string, string>;
  workdays: Record<string, string>;
}

const require = createRequire(import.meta.url);
let cnData: { holidays: Set<string>; workdays: Set<string>; years: Set<number> } | undefined;

/** The data package is read once per process: it is 40 KB of JSON, no network. */
function loadCn() {
  if (!cnData) {
    const raw = require("chinese-days/dist/chinese-days.json") as CnData;
    const years = new Set<number>();
    for (const d of Object.keys(raw.holidays)) years.add(Number(d.slice(0, 4)));
    cnData = { holidays: new Set(Object.keys(raw.holidays)), workdays: new Set(Object.keys(raw.workdays)), years };
  }
  return cnData;
}

const DAY_MS = 86_400_000;

function toDayNumber(date: IsoDate): number {
  return Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / DAY_MS;
}

function fromDayNumber(day: number): IsoDate {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

export function isRealDate(date: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return false;
  return fromDayNumber(toDayNumber(date)) === date;
}

export function addDays(date: IsoDate, n: number): IsoDate {
  return fromDayNumber(toDayNumber(date) + n);
}

/** 1 = Monday … 7 = Sunday, as ISO 8601 and luxon count. */
export function weekday(date: IsoDate): number {
  const d = new Date(toDayNumber(date) * DAY_MS).getUTCDay();
  return d === 0 ? 7 : d;
}

/** Monday-to-Friday days from a fixed Monday up to day number `day` (offset by a constant, which differences cancel). */
function weekdaysUpTo(day: number): number {
  // Day 4 (1970-01-05) is a Monday.
  const k = day - 4;
  const weeks = Math.floor(k / 7);
  return weeks * 5 + Math.min(k - weeks * 7 + 1, 5);
}

export const WEEKDAY_ZH = ["", "周一", "周二", "周三", "周四", "周五", "周六", "周日"] as const;

/**
 * Working days in one zone. Pure and deterministic: the answer for a date never depends on
 * when it is asked, which is what lets simulation, catch-up and replay agree.
 */
export class WorkCalendar {
  readonly zone: string;
  readonly base: CalendarSpec["base"];
  private readonly cn: { holidays: Set<string>; workdays: Set<string>; years: Set<number> };
  private readonly extraHolidays: Set<string>;
  private readonly extraWorkdays: Set<string>;
  private readonly memo = new Map<string, boolean>();
  /** The same answers by day number: working-day arithmetic walks days without formatting dates. */
  private readonly dayMemo = new Map<number, boolean>();

  constructor(spec: CalendarSpec) {
    this.zone = spec.zone;
    this.base = spec.base;
    this.extraHolidays = new Set(spec.holidays ?? []);
    this.extraWorkdays = new Set(spec.workdays ?? []);
    this.cn = spec.data
      ? { holidays: new Set(spec.data.holidays), workdays: new Set(spec.data.workdays), years: new Set(spec.data.years) }
      : loadCn();
  }

  isWorkingDay(date: IsoDate): boolean {
    let v = this.memo.get(date);
    if (v === undefined) {
      v = this.compute(date);
      this.memo.set(date, v);
    }
    return v;
  }

  private compute(date: IsoDate): boolean {
    if (this.extraWorkdays.has(date)) return true;
    if (this.extraHolidays.has(date)) return false;
    if (this.base === "cn") {
      if (this.cn.workdays.has(date)) return true;
      if (this.cn.holidays.has(date)) return false;
    }
    return weekday(date) <= 5;
  }

  private isWorkingDayNumber(day: number): boolean {
    let v = this.dayMemo.get(day);
    if (v === undefined) {
      v = this.isWorkingDay(fromDayNumber(day));
      this.dayMemo.set(day, v);
    }
    return v;
  }

  /**
   * The n-th working day after (n > 0) or before (n < 0) `date`, not counting `date` itself.
   * n = 0 gives `date` when it is a working day, else the next working day.
   */
  addWorkingDays(date: IsoDate, n: number): IsoDate {
    if (n === 0) return this.isWorkingDay(date) ? date : this.nextWorkingDay(date);
    const step = n > 0 ? 1 : -1;
    let left = Math.abs(n);
    let day = toDayNumber(date);
    while (left > 0) {
      day += step;
      if (this.isWorkingDayNumber(day)) left--;
    }
    return fromDayNumber(day);
  }

  nextWorkingDay(date: IsoDate): IsoDate {
    return this.addWorkingDays(date, 1);
  }

  previousWorkingDay(date: IsoDate): IsoDate {
    return this.addWorkingDays(date, -1);
  }

  /**
   * Working days strictly after `from` up to and including `to` (negative when `to` is earlier).
   * O(log n) in the calendar's exceptions: Monday-to-Friday counted in closed form, then corrected by a
   * prefix sum over the days that differ from it (holidays on weekdays, make-up days on weekends), so a
   * span of centuries (an `asOf` in the year 9999) costs what a span of a week does.
   */
  workingDaysBetween(from: IsoDate, to: IsoDate): number {
    const a = toDayNumber(from);
    const b = toDayNumber(to);
    // 0 - n, not -n: a reversed span with no working day in it is 0, never -0.
    return b >= a ? this.countAfter(a, b) : 0 - this.countAfter(b, a);
  }

  /** Working days in (a, b], a <= b. */
  private countAfter(a: number, b: number): number {
    return weekdaysUpTo(b) - weekdaysUpTo(a) + this.correctionUpTo(b) - this.correctionUpTo(a);
  }

  /** Day numbers where this calendar differs from Monday-to-Friday, ascending, and the running sum of +1/-1 up to each. */
  private exceptions: { days: number[]; sums: number[] } | undefined;

  private correctionUpTo(day: number): number {
    const ex = (this.exceptions ??= this.buildExceptions());
    // The last exception at or before `day`.
    let lo = 0;
    let hi = ex.days.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ex.days[mid]! <= day) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? 0 : ex.sums[lo - 1]!;
  }

  private buildExceptions(): { days: number[]; sums: number[] } {
    const dates = new Set<string>([...this.extraHolidays, ...this.extraWorkdays, ...(this.base === "cn" ? [...this.cn.holidays, ...this.cn.workdays] : [])]);
    const deltas: [number, number][] = [];
    for (const d of dates) {
      if (!isRealDate(d)) continue;
      const working = this.isWorkingDay(d);
      if (working !== weekday(d) <= 5) deltas.push([toDayNumber(d), working ? 1 : -1]);
    }
    deltas.sort((x, y) => x[0] - y[0]);
    let sum = 0;
    return { days: deltas.map((x) => x[0]), sums: deltas.map((x) => (sum += x[1])) };
  }

  /** Whether the holiday data (package or plan) covers the year of `date`. */
  hasDataFor(date: IsoDate): boolean {
    if (this.base !== "cn") return true;
    const year = Number(date.slice(0, 4));
    if (this.cn.years.has(year)) return true;
    for (const d of this.extraHolidays) if (Number(d.slice(0, 4)) === year) return true;
    return false;
  }

  /** Epoch ms of a local wall-clock time on a date in this calendar's zone. */
  at(date: IsoDate, time: string): EpochMs {
    return localInstant(date, time, this.zone);
  }

  /** The local calendar date of an instant in this zone. */
  dateOf(instant: EpochMs): IsoDate {
    // Campaigns ask about the same few instants (send times, due times) again and again.
    let d = this.dateMemo.get(instant);
    if (d === undefined) {
      if (this.dateMemo.size > 100_000) this.dateMemo.clear();
      d = DateTime.fromMillis(instant, { zone: this.zone }).toISODate()!;
      this.dateMemo.set(instant, d);
    }
    return d;
  }

  private readonly dateMemo = new Map<EpochMs, IsoDate>();
}

const instantMemo = new Map<string, EpochMs>();

export function localInstant(date: IsoDate, time: string, zone: string): EpochMs {
  const key = `${date}T${time}@${zone}`;
  let v = instantMemo.get(key);
  if (v === undefined) {
    v = DateTime.fromISO(`${date}T${time}`, { zone }).toMillis();
    instantMemo.set(key, v);
  }
  return v;
}

/** "2021-05-20 周四 18:00" in the plan's zone: how people read a due instant. */
export function formatLocal(ms: number, zone: string, withTime = true): string {
  // Pages and messages show the same few instants (due times, send times) on thousands of rows.
  const memo = memoFor(withTime ? shownWithTime : shownDate, zone);
  let s = memo.get(ms);
  if (s === undefined) {
    const dt = DateTime.fromMillis(ms, { zone });
    memo.set(ms, (s = `${dt.toISODate()} ${WEEKDAY_ZH[dt.weekday]}${withTime ? ` ${dt.toFormat("HH:mm")}` : ""}`));
  }
  return s;
}

/** ISO 8601 with the zone's offset, seconds precision: how instants are stored and exchanged. */
/**
 * A campaign formats and parses few distinct instants many times over (every event of a tick shares
 * its `at`, every reminder item its due instant), and luxon's zone arithmetic costs ~10 µs a call.
 * Memoised per zone; the caches are dropped when they grow past a bound, so memory stays small.
 */
const MEMO_LIMIT = 50_000;
const formatted = new Map<string, Map<EpochMs, string>>();
const parsed = new Map<string, Map<string, EpochMs>>();
const shownWithTime = new Map<string, Map<EpochMs, string>>();
const shownDate = new Map<string, Map<EpochMs, string>>();

function memoFor<K, V>(all: Map<string, Map<K, V>>, zone: string): Map<K, V> {
  let m = all.get(zone);
  if (!m) all.set(zone, (m = new Map()));
  else if (m.size >= MEMO_LIMIT) m.clear();
  return m;
}

export function formatInstant(instant: EpochMs, zone: string): string {
  const memo = memoFor(formatted, zone);
  let s = memo.get(instant);
  if (s === undefined) memo.set(instant, (s = DateTime.fromMillis(instant, { zone }).toISO({ suppressMilliseconds: true })!));
  return s;
}

/** Parses an ISO 8601 instant; a bare date or local time is read in `zone`. Returns NaN when invalid. */
export function parseInstant(text: string, zone: string): EpochMs {
  const memo = memoFor(parsed, zone);
  let ms = memo.get(text);
  if (ms === undefined) {
    const dt = DateTime.fromISO(text, { zone, setZone: false });
    memo.set(text, (ms = dt.isValid ? dt.toMillis() : Number.NaN));
  }
  return ms;
}

export function isCnDataYear(year: number): boolean {
  return loadCn().years.has(year);
}

/** The package's data for the years from `first` to `last`: what a plan version is resolved with. */
export function cnDataFor(first: number, last: number): CnCalendarData {
  const cn = loadCn();
  const inSpan = (d: string) => Number(d.slice(0, 4)) >= first && Number(d.slice(0, 4)) <= last;
  const version = (require("chinese-days/package.json") as { version: string }).version;
  const years: number[] = [];
  for (let y = first; y <= last; y++) if (cn.years.has(y)) years.push(y);
  return { source: `chinese-days@${version}`, years, holidays: [...cn.holidays].filter(inSpan).sort(), workdays: [...cn.workdays].filter(inSpan).sort() };
}

/** Whether two data sets say the same about every day (the source label aside). */
export function sameCnData(a: CnCalendarData, b: CnCalendarData): boolean {
  const key = (d: CnCalendarData) => JSON.stringify([d.years, d.holidays, d.workdays]);
  return key(a) === key(b);
}

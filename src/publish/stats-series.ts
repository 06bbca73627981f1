import { addDays, formatInstant, localInstant, type EpochMs, type IsoDate } from "../engine/calendar.ts";
import type { ItemRecord, PublishedState } from "./items.ts";
import { deliverableKey, statistics } from "./stats.ts";

/** The figures the statistics page charts, all computed from one published state (live or as of an instant). */
export interface StatsSeries {
  asOf: string;
  /** Units by 按时完成率, best first; units with nothing due yet last (rate null). */
  rateByUnit: { key: string; name: string; onTimeRate: number | null; due: number; onTime: number }[];
  /** Sample instants: the end of each working day from the campaign's start, then the instant itself. */
  days: IsoDate[];
  /** Per deliverable, at each sample: items due by then, and items handed in by then. */
  cumulative: { key: string; name: string; due: number[]; handedIn: number[] }[];
  /** Items overdue at each sample. */
  overdue: number[];
}

/**
 * The chart series, derived from each item's due instant and hand-in instant rather than by folding the
 * log once per sampled day: one pass over the items per sample instead of one replay per day (a year of
 * working days is ~250 replays). What the derivation knows of an item is its state at the instant:
 * - handed in (on time or late): overdue from its due instant to its hand-in, counted handed in from then;
 * - still owed and past due (overdue now): overdue from its due instant on;
 * - waived or not yet due: never overdue (the waiver's instant is not in the item's record).
 * So the last sample always equals the statistics' overdue count at the instant; earlier samples use the
 * due instant in force now (an extended item counts against its new deadline) and the latest hand-in (an
 * item returned and handed in again counts from its last hand-in).
 */
export function statsSeries(state: PublishedState): StatsSeries {
  const { plan, calendar, asOf } = state;
  const zone = plan.campaign.timezone;
  const last = calendar.dateOf(asOf);
  const days: IsoDate[] = [];
  const at: EpochMs[] = [];
  for (let d = plan.campaign.start; d <= last; d = addDays(d, 1)) {
    if (!calendar.isWorkingDay(d)) continue;
    const end = localInstant(addDays(d, 1), "00:00", zone);
    if (end > asOf) break;
    days.push(d);
    at.push(end);
  }
  days.push(last);
  at.push(asOf);

  const overdueFrom = (i: ItemRecord): [EpochMs, EpochMs] | undefined => {
    if (i.dueAt === null) return undefined;
    if (i.outcome === "overdue") return [i.dueAt, Infinity];
    if ((i.outcome === "onTime" || i.outcome === "late") && i.submittedAt !== null && i.submittedAt > i.dueAt) return [i.dueAt, i.submittedAt];
    return undefined;
  };
  const overdue = at.map(() => 0);
  const groups = new Map<string, { key: string; name: string; due: number[]; handedIn: number[] }>();
  const byDeliverable = statistics(state, "deliverable");
  for (const l of byDeliverable.lines) groups.set(l.key, { key: l.key, name: l.name, due: at.map(() => 0), handedIn: at.map(() => 0) });
  for (const i of state.items) {
    // The same key as the statistics by deliverable, opened items under their kind.
    const g = groups.get(deliverableKey(i))!;
    const span = overdueFrom(i);
    const handed = i.outcome === "onTime" || i.outcome === "late" ? i.submittedAt : null;
    for (let k = 0; k < at.length; k++) {
      const t = at[k]!;
      if (span && t > span[0] && t < span[1]) overdue[k]!++;
      if (i.dueAt !== null && i.outcome !== "waived" && i.dueAt <= t) g.due[k]!++;
      if (handed !== null && handed <= t) g.handedIn[k]!++;
    }
  }
  const units = statistics(state, "unit").lines.map((l) => ({ key: l.key, name: l.name, onTimeRate: l.onTimeRate, due: l.due, onTime: l.onTime }));
  units.sort((a, b) => (b.onTimeRate ?? -1) - (a.onTimeRate ?? -1) || b.due - a.due);
  return {
    asOf: formatInstant(asOf, zone),
    rateByUnit: units,
    days,
    // A deliverable nothing is due of by the instant has an empty chart: left out.
    cumulative: [...groups.values()].filter((g) => g.due[g.due.length - 1]! > 0 || g.handedIn[g.handedIn.length - 1]! > 0),
    overdue,
  };
}

import type { EpochMs } from "../engine/calendar.ts";
import { calendarOf } from "../engine/calendar-of.ts";
import type { Actor } from "../engine/types.ts";
import type { ResolvedPlan } from "../plan/types.ts";
import type { ScheduledAction } from "./actions-file.ts";

/** Deterministic pseudo-random numbers (mulberry32): the same seed always gives the same campaign. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SyntheticRates {
  onTime: number;
  late: number;
  returned: number;
  extended: number;
}

export const DEFAULT_RATES: SyntheticRates = { onTime: 0.72, late: 0.2, returned: 0.15, extended: 0.03 };

/**
 * A plausible action stream for a whole campaign: most units hand in on time, some late, some never;
 * the office returns some submissions for rework and accepts the rest; a few items get an extension.
 * Used by the demo and the benchmarks.
 */
export function syntheticActions(plan: ResolvedPlan, seed = 2021, rates: SyntheticRates = DEFAULT_RATES): ScheduledAction[] {
  const random = rng(seed);
  const cal = calendarOf(plan);
  const office: Actor = { kind: "unit", unit: plan.leadingGroup.office.unit };
  const out: ScheduledAction[] = [];
  const at = (date: string, hour: number) => cal.at(date, `${String(hour).padStart(2, "0")}:${String(Math.floor(random() * 60)).padStart(2, "0")}`);
  const hour = () => 9 + Math.floor(random() * 8);
  const end = plan.campaign.endAt;
  for (const a of plan.assignments) {
    // An item without a deadline (a task tracked without a hand-in) is nothing a unit submits.
    if (a.dueAt === null) continue;
    const owner: Actor = { kind: "unit", unit: a.unit };
    const checker: Actor = a.to === office.unit ? office : { kind: "unit", unit: a.to };
    const dueDate = cal.dateOf(a.dueAt);
    let due = a.dueAt;
    const r = random();
    if (random() < rates.extended) {
      const grant = cal.addWorkingDays(dueDate, -2);
      const until = cal.at(cal.addWorkingDays(dueDate, 5), plan.calendar.dueAt);
      const when = at(grant, hour());
      if (when > a.opensAt && until < end) {
        out.push({ at: when, action: { type: "extend", assignment: a.id, actor: office, until, note: "因工作调整申请延期" } });
        due = until;
      }
    }
    const baseDate = cal.dateOf(due);
    let submitAt: EpochMs;
    if (r < rates.onTime) submitAt = at(cal.addWorkingDays(baseDate, -Math.floor(random() * 4)), hour());
    else if (r < rates.onTime + rates.late) submitAt = at(cal.addWorkingDays(baseDate, 1 + Math.floor(random() * 6)), hour());
    else continue;
    if (submitAt <= a.opensAt || submitAt >= end) continue;
    out.push({ at: submitAt, action: { type: "submit", assignment: a.id, actor: owner, note: "已按要求报送" } });
    let last = submitAt;
    if (random() < rates.returned) {
      const back = at(cal.addWorkingDays(cal.dateOf(last), 1), hour());
      const again = at(cal.addWorkingDays(cal.dateOf(back), 2 + Math.floor(random() * 3)), hour());
      if (again >= end) continue;
      out.push({ at: back, action: { type: "return", assignment: a.id, actor: checker, note: "材料不完整，请补充数据后重新报送" } });
      out.push({ at: again, action: { type: "submit", assignment: a.id, actor: owner, note: "已补充" } });
      last = again;
    }
    const accept = at(cal.addWorkingDays(cal.dateOf(last), 1 + Math.floor(random() * 2)), hour());
    if (accept < end) out.push({ at: accept, action: { type: "accept", assignment: a.id, actor: checker } });
  }
  return out.sort((x, y) => x.at - y.at);
}

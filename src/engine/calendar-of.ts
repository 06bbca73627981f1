import { WorkCalendar } from "./calendar.ts";
import type { ResolvedPlan } from "../model/definition.ts";

/**
 * One calendar per plan version: a WorkCalendar is pure (its answers depend on the plan alone) and keeps
 * memos of the dates it was asked, so the engines an as-of replay or a reload builds share them instead
 * of computing them again.
 */
const calendars = new WeakMap<ResolvedPlan, WorkCalendar>();

/** The working-day calendar a resolved plan version runs on, with the statutory data it was resolved with. */
export function calendarOf(plan: ResolvedPlan): WorkCalendar {
  let cal = calendars.get(plan);
  if (!cal) {
    const c = plan.calendar;
    cal = new WorkCalendar({ base: c.base, zone: plan.campaign.timezone, holidays: c.holidays, workdays: c.workdays, ...(c.data ? { data: c.data } : {}) });
    calendars.set(plan, cal);
  }
  return cal;
}

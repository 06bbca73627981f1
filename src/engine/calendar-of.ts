import { WorkCalendar } from "./calendar.ts";
import type { ResolvedPlan } from "../model/definition.ts";

/** The working-day calendar a resolved plan version runs on, with the statutory data it was resolved with. */
export function calendarOf(plan: ResolvedPlan): WorkCalendar {
  const c = plan.calendar;
  return new WorkCalendar({ base: c.base, zone: plan.campaign.timezone, holidays: c.holidays, workdays: c.workdays, ...(c.data ? { data: c.data } : {}) });
}

import type { Campaign } from "../campaign/campaign.ts";
import { formatInstant, type EpochMs } from "../engine/calendar.ts";
import { summaryKey } from "../reminders/summary.ts";
import { SUMMARY_CHANNEL, type DispatchReport, type Dispatcher } from "../dispatch/dispatcher.ts";

export interface CycleReport {
  at: string;
  events: number;
  /** The seq of the last event this cycle's tick appended, when it appended any. */
  seq?: number;
  queued: number;
  summaryQueued: boolean;
  dispatch: DispatchReport;
  /** Set when this cycle caught up more than a few working days of ladder at once (a long stop). */
  catchUp?: { from: string; workingDays: number; events: number };
}

/** The log line of a large catch-up: how far, how many events, and what became of the old messages. */
export function catchUpLine(r: CycleReport, staleSent: boolean): string | undefined {
  const c = r.catchUp;
  if (!c) return undefined;
  return `catch-up from=${c.from} working-days=${c.workingDays} events=${c.events} ${staleSent ? "stale messages are sent (--catch-up all)" : "messages older than the catch-up window are not sent (recorded as skipped; --catch-up all sends them)"}`;
}

/**
 * One unit of the daemon's work at `now`: apply time (catching up on anything missed, collapsed),
 * queue the office's daily summary once per working day, send what is due. Re-running it at the same
 * `now` does nothing new, which is what makes restarts and several daemons safe.
 */
export async function runCycle(campaign: Campaign, dispatcher: Dispatcher, now: EpochMs): Promise<CycleReport> {
  const ticked = await tickCycle(campaign, now);
  const dispatch = await dispatcher.dispatchDue(now);
  return withDispatch(ticked, dispatch);
}

/** The cycle's first half: time applied and the daily summary queued, nothing sent yet (the store daemon sends after every campaign has ticked). */
export type TickReport = Omit<CycleReport, "dispatch">;

export async function tickCycle(campaign: Campaign, now: EpochMs): Promise<TickReport> {
  const zone = campaign.plan.campaign.timezone;
  const tick = await campaign.tick(now);
  const summaryQueued = await queueDailySummary(campaign, now);
  const large = campaign.largeCatchUp(tick.events, now);
  return {
    at: formatInstant(now, zone),
    events: tick.events.length,
    ...(tick.events.length > 0 ? { seq: tick.events.at(-1)!.seq } : {}),
    queued: tick.reminders.length,
    summaryQueued,
    ...(large ? { catchUp: { from: formatInstant(large.from, zone), workingDays: large.workingDays, events: large.events } } : {}),
  };
}

/** A tick's report with what was sent after it (keys in the order runCycle always reported them). */
export function withDispatch(t: TickReport, dispatch: DispatchReport): CycleReport {
  const { catchUp, ...rest } = t;
  return { ...rest, dispatch, ...(catchUp ? { catchUp } : {}) };
}

/** The summary of a working day is queued at its send time; its key makes a second queueing a no-op. */
export async function queueDailySummary(campaign: Campaign, now: EpochMs): Promise<boolean> {
  const plan = campaign.plan;
  const cal = campaign.calendar;
  const date = cal.dateOf(now);
  if (now < plan.campaign.startAt || now >= plan.campaign.endAt + 86_400_000 * 7) return false;
  if (!cal.isWorkingDay(date)) return false;
  const slot = cal.at(date, plan.calendar.sendAt);
  if (now < slot) return false;
  const key = summaryKey(plan, date);
  const existing = await campaign.store.listOutbox({ key });
  if (existing.length > 0) return false;
  await campaign.store.append([], [{ key, channel: SUMMARY_CHANNEL, dueAt: formatInstant(slot, plan.campaign.timezone), payload: { at: formatInstant(slot, plan.campaign.timezone), date } }]);
  return true;
}

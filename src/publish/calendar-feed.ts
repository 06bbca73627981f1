import { campaignUrl } from "../reminders/format.ts";
import { idPath } from "../plan/ids.ts";
import { STATE_ZH } from "../text/labels.ts";
import { formatLocal, type EpochMs } from "../engine/calendar.ts";
import { resolveRecipients } from "../engine/ladder.ts";
import { buildSchedule } from "../engine/schedule.ts";
import type { Policy } from "../plan/types.ts";
import { unitName } from "../present/plan-text.ts";
import type { ItemRecord, PublishedState } from "./items.ts";

/** At most this many alarms per event: a ladder step that repeats daily would otherwise give dozens. */
export const MAX_ALARMS = 10;

/** One VEVENT of a unit's feed, before a generator renders it. */
export interface FeedEvent {
  uid: string;
  /** Grows with every move of the deadline (extension, plan change) and once more when the item is waived. */
  sequence: number;
  start: EpochMs;
  summary: string;
  description: string;
  cancelled: boolean;
  /** Instants of the ladder's reminders to this unit still ahead of the feed's instant. */
  alarms: EpochMs[];
  url?: string;
}

/** An item's UID: stable across plan versions and feed fetches, unique across campaigns. */
export function feedUid(campaign: string, assignment: string): string {
  return `${campaign}/${assignment}@duban`;
}

/** The ladder's reminder instants that tell `unit` about the item, from its opening to the campaign's end. */
function reminderTimes(state: PublishedState, item: ItemRecord, dueAt: EpochMs, unit: string): EpochMs[] {
  const plan = state.plan;
  const a = item.assignment;
  const policy = plan.policies.get(a.policy) as Policy;
  // The schedule of the deadline in force: an extension moves every step with it, as the engine does.
  const s = buildSchedule({ calendar: state.calendar, sendAt: plan.calendar.sendAt, campaignEndAt: plan.campaign.endAt }, policy, a.opensAt, dueAt);
  const out: EpochMs[] = [];
  for (const t of s.triggers) if (t.type === "reminded" && resolveRecipients(plan, a, policy.steps[t.step]!.notify).includes(unit)) out.push(t.at);
  return [...new Set(out)];
}

const HANDED_IN = new Set(["submitted", "accepted"]);

/**
 * The events of a unit's calendar as of the state's instant: one per item it owes or owed. Items still
 * owed carry alarms at the ladder's reminders to the unit; handed-in items stay, marked, without alarms;
 * waived items are cancelled (so subscribed calendars drop them rather than keep a stale deadline).
 * `planMoves(id)` says how often plan changes moved an item's deadline (from the log).
 */
export function unitFeedEvents(state: PublishedState, unit: string, planMoves: (assignment: string) => number): FeedEvent[] {
  const plan = state.plan;
  const zone = plan.campaign.timezone;
  const base = plan.campaign.baseUrl?.replace(/\/+$/, "");
  const out: FeedEvent[] = [];
  for (const item of state.items) {
    const a = item.assignment;
    const dueAt = item.dueAt;
    // An item without a deadline has nothing to put in a calendar.
    if (a.unit !== unit || dueAt === null) continue;
    const waived = item.outcome === "waived";
    const handedIn = HANDED_IN.has(item.row.state);
    const mark = waived ? "【已免报】" : handedIn ? `【${STATE_ZH[item.row.state]}】` : item.outcome === "overdue" ? "【已逾期】" : "【截止】";
    const lines = [
      `截止：${formatLocal(dueAt, zone)}（${zone}）`,
      `状态：${STATE_ZH[item.row.state]}${item.daysLate > 0 ? `，逾期${item.daysLate}个工作日` : ""}`,
      item.extensions > 0 ? `已延期 ${item.extensions} 次` : "",
      `专项行动：${plan.campaign.title}`,
    ].filter(Boolean);
    out.push({
      uid: feedUid(plan.campaign.id, a.id),
      sequence: item.extensions + planMoves(a.id) + (waived ? 1 : 0),
      start: dueAt,
      summary: `${mark}${a.title}`,
      description: lines.join("\n"),
      cancelled: waived,
      alarms: waived || handedIn ? [] : reminderTimes(state, item, dueAt, unit).filter((t) => t >= state.asOf).slice(0, MAX_ALARMS),
      ...(base ? { url: campaignUrl(plan, base, `items/${idPath(a.id)}`) } : {}),
    });
  }
  return out;
}

/** The feed as iCalendar text (RFC 5545), rendered by ical-generator. DTSTAMP is the feed's instant, so the same instant gives the same bytes. */
export async function unitFeedIcs(state: PublishedState, unit: string, planMoves: (assignment: string) => number): Promise<string> {
  const { default: ical, ICalAlarmType, ICalEventStatus } = await import("ical-generator");
  const plan = state.plan;
  const cal = ical({
    name: `${unitName(plan, unit)} · ${plan.campaign.title}`,
    description: `${plan.campaign.issuer}：${unitName(plan, unit)}的报送截止时间与提醒`,
    prodId: { company: "duban", product: "duban", language: "ZH" },
    ttl: 3600,
  });
  const stamp = new Date(state.asOf);
  for (const e of unitFeedEvents(state, unit, planMoves)) {
    cal.createEvent({
      id: e.uid,
      sequence: e.sequence,
      start: new Date(e.start),
      end: new Date(e.start),
      stamp,
      summary: e.summary,
      description: e.description,
      status: e.cancelled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
      ...(e.url ? { url: e.url } : {}),
      alarms: e.alarms.map((t) => ({ type: ICalAlarmType.display, trigger: new Date(t), description: e.summary })),
    });
  }
  return cal.toString();
}

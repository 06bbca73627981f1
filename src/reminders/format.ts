import { DateTime } from "luxon";
import { WEEKDAY_ZH, type EpochMs, type WorkCalendar } from "../engine/calendar.ts";
import type { Assignment, ResolvedPlan } from "../plan/types.ts";
import { recipientName, unitList } from "../present/plan-text.ts";
import { formatLocal } from "../engine/calendar.ts";
import type { Recipient } from "../../notifiers/types.ts";

const DIGITS_ZH = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];

/** Chinese numeral for the small counts used in ladder levels ("二级督办"). */
export function numberZh(n: number): string {
  if (n >= 0 && n <= 10) return DIGITS_ZH[n]!;
  if (n > 10 && n < 20) return `十${DIGITS_ZH[n - 10]!}`;
  return String(n);
}

// A day's digests name the same few due instants thousands of times; luxon's zone arithmetic is the
// dearest part of composing one. Bounded, so a long-running daemon does not keep every instant.
const dueCache = new Map<string, string>();
const DUE_CACHE_MAX = 4096;

/** "2021年5月20日（周四）18:00": the form an official notice uses. */
export function dueZh(ms: EpochMs, zone: string, withYear = true): string {
  const key = `${ms}|${zone}|${withYear ? 1 : 0}`;
  let s = dueCache.get(key);
  if (s === undefined) {
    if (dueCache.size >= DUE_CACHE_MAX) dueCache.clear();
    dueCache.set(key, (s = formatDue(ms, zone, withYear)));
  }
  return s;
}

function formatDue(ms: EpochMs, zone: string, withYear: boolean): string {
  const dt = DateTime.fromMillis(ms, { zone });
  const date = `${withYear ? `${dt.year}年` : ""}${dt.month}月${dt.day}日（${WEEKDAY_ZH[dt.weekday]}）`;
  return `${date}${dt.toFormat("HH:mm")}`;
}

/** "2021年5月27日（周四）": a day without a time, for the daily summary. */
export function dateZh(ms: EpochMs, zone: string): string {
  // Every digest of a send slot is dated by the same instant: cached beside dueZh's, under its own key.
  const key = `${ms}|${zone}|d`;
  let s = dueCache.get(key);
  if (s === undefined) {
    if (dueCache.size >= DUE_CACHE_MAX) dueCache.clear();
    const dt = DateTime.fromMillis(ms, { zone });
    dueCache.set(key, (s = `${dt.year}年${dt.month}月${dt.day}日（${WEEKDAY_ZH[dt.weekday]}）`));
  }
  return s;
}

/**
 * Time left or lateness counted in working days of the plan's calendar, from the send date to the
 * due date, so a holiday in between is not counted ("还有3个工作日" across the Dragon Boat Festival).
 */
export function remainingZh(calendar: WorkCalendar, at: EpochMs, dueAt: EpochMs): string {
  const today = calendar.dateOf(at);
  const due = calendar.dateOf(dueAt);
  if (at < dueAt) {
    const n = calendar.workingDaysBetween(today, due);
    return n <= 0 ? "今日到期" : `还有${n}个工作日`;
  }
  const late = calendar.workingDaysBetween(due, today);
  return late <= 0 ? "已逾期（今日到期）" : `已逾期${late}个工作日`;
}

/** The note shown when the rest-day rule moved a due date, as `duban plan` shows it. */
export function shiftedZh(a: Assignment | undefined, zone: string): string | undefined {
  if (!a?.dueShiftedFrom || a.dueAt === null) return undefined;
  const later = a.dueShiftedFrom < formatLocal(a.dueAt, zone, false);
  return `原定${a.dueShiftedFrom}，遇休息日${later ? "顺延" : "提前"}`;
}

/** The plan's unit or person as an addressee of a notifier. */
export function recipientOf(plan: ResolvedPlan, id: string): Recipient {
  const u = plan.units.get(id);
  if (!u) return { id, name: id };
  const r: Recipient = { id, name: u.name };
  if (u.email.length) r.email = [...u.email];
  if (u.webhooks.length) r.webhooks = [...u.webhooks];
  return r;
}

/** How a notice opens: a person as "何振国同志", the office by its office name, a unit by its full name. */
export function salutationZh(plan: ResolvedPlan, id: string): string {
  const u = plan.units.get(id);
  if (!u) return `${id}：`;
  if (u.kind === "person") return `${u.name}同志：`;
  if (id === plan.leadingGroup.office.unit) return `${recipientName(plan, id)}：`;
  return `${u.name}：`;
}

/** Who signs the notices: the leading group's office ("领导小组办公室"). */
export function issuerZh(plan: ResolvedPlan): string {
  return recipientName(plan, plan.leadingGroup.office.unit);
}

/** Links keep the "/" inside assignment ids as path separators; each segment is encoded on its own. */
export function joinUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, "")}/${path}`;
}

/**
 * A link into the web workspace for this campaign's page `path` ("" for its board). It names the campaign:
 * one web front serves every campaign of a store, and a page of one campaign shares its path with another's
 * (each district owes implementation-plan/<unit> in both). The name also keeps a link sent while the store
 * held one campaign right after a second is added; a front of one campaign ignores it.
 */
export function campaignUrl(plan: ResolvedPlan, baseUrl: string, path: string): string {
  return `${joinUrl(baseUrl, path)}?campaign=${encodeURIComponent(plan.campaign.id)}`;
}

/** "报送事项", "重点任务" or, for a mix, "督办事项": how a count of items is named. */
export function nounFor(kinds: Iterable<Assignment["kind"] | undefined>): string {
  const set = new Set(kinds);
  if (set.size === 1 && set.has("deliverable")) return "报送事项";
  if (set.size === 1 && set.has("task")) return "重点任务";
  return "督办事项";
}


/** Unit and person names for people, the office shown as the office and whole groups by group name. */
export function namesZh(plan: ResolvedPlan, ids: readonly string[]): string {
  const office = plan.leadingGroup.office.unit;
  const parts: string[] = [];
  if (ids.includes(office)) parts.push(recipientName(plan, office));
  const rest = ids.filter((id) => id !== office);
  if (rest.length) parts.push(unitList(plan, rest));
  return parts.join("、");
}

import type { Role } from "../access/types.ts";
import type { Deferral } from "../engine/types.ts";
import type { UnitKind } from "../model/ids.ts";
import type { LatenessState, ProgressState } from "../model/states.ts";
import type { Outcome } from "../publish/items.ts";
import type { LightColour } from "../publish/light.ts";
import type { DocumentKind } from "../publish/doc-template.ts";
import type { OutboxStatus } from "../store/types.ts";

/**
 * Every code the user sees in words (zh-CN), in one place: the CLI, the web, the digests and the
 * published documents word the same thing the same way. Code keeps the codes (and `--json` shows them);
 * only the edges turn them into Chinese, through these tables.
 *
 * Weekday names stay with the calendar's date formatting (engine/calendar.ts `WEEKDAY_ZH`): they are
 * part of how a date is written, like a month name, not a label of a code of ours.
 */

/** An own key only: a code such as "constructor" must not read Object.prototype. */
function lookup(table: Readonly<Record<string, string>>, code: string): string | undefined {
  return Object.hasOwn(table, code) ? table[code] : undefined;
}

/** An item's progress, as the board, the item page, the 台账 and a refusal name it. */
export const STATE_ZH: Readonly<Record<ProgressState, string>> = {
  waiting: "未开始",
  open: "办理中",
  submitted: "已报送待审核",
  returned: "已退回待重报",
  accepted: "已通过",
  waived: "已免报",
  withdrawn: "已撤销",
};

/** One character per state, for the cells of the unit × deliverable matrix (its legend spells them out). */
export const STATE_SHORT_ZH: Readonly<Record<ProgressState, string>> = { waiting: "未", open: "办", submitted: "审", returned: "退", accepted: "通", waived: "免", withdrawn: "撤" };

export const LATENESS_ZH: Readonly<Record<LatenessState, string>> = { onTrack: "未到期", dueSoon: "临近截止", overdue: "已逾期", escalated: "已升级督办" };

/**
 * What a unit may ask for, as a verb: buttons, "已报送。" flashes, "不能报送" refusals. The keys are the
 * engine's action types (UnitAction) and those the run-time items add: open (交办), acknowledge, withdraw.
 */
export const ACTION_ZH = {
  submit: "报送",
  accept: "通过",
  return: "退回",
  extend: "延期",
  waive: "免报",
  open: "交办",
  acknowledge: "签收",
  withdraw: "撤销",
  recall: "撤回",
  urge: "催办",
} as const;
export type ActionType = keyof typeof ACTION_ZH;

/**
 * Every event type of the log as `duban history`, the web item page and a simulation name it: the
 * engine's domain events, then the bookkeeping around them (plan, lights, deliveries, access). An event
 * reads as what happened; the state it leaves is {@link STATE_ZH}.
 */
export const EVENT_ZH = {
  campaignInitialised: "建立专项行动",
  planChanged: "计划变更",
  phaseStarted: "进入阶段",
  phaseEnded: "阶段结束",
  campaignClosed: "专项行动结束",
  itemOpened: "已交办",
  opened: "开始办理",
  acknowledged: "已签收",
  dueSoon: "临近截止",
  overdue: "已逾期",
  reminded: "提醒",
  submitted: "报送",
  accepted: "审核通过",
  returned: "退回",
  extended: "延期",
  waived: "免报",
  withdrawn: "已撤销",
  recalled: "撤回报送",
  lightMarked: "办公室标注红黄灯",
  lightCleared: "办公室清除红黄灯标注",
  delivered: "已送达",
  deliveryRetry: "发送失败，待重试",
  deliveryFailed: "发送失败",
  outboxRetried: "失败消息重新发送",
  userAdded: "添加账号",
  userRevoked: "停用账号",
  signedIn: "登录",
  signedOut: "退出登录",
  signInRefused: "登录被拒绝",
  requestRefused: "拒绝操作",
} as const;
export type LabelledEvent = keyof typeof EVENT_ZH;

/** 一事一报: an interim report (续报, the item stays owed) or the final one (终报), as a `submitted` event's `report`. */
export const REPORT_ZH = { interim: "续报", final: "终报" } as const;

/**
 * An event's name, from its payload where that says more: a reminder at a ladder level is that level's
 * 督办 ({@link levelZh}), a 一事一报 hand-in its report (续报/终报) rather than a plain 报送. An unknown
 * type is shown as it is, so an event written by a newer version still reads.
 */
export function eventZh(type: string, payload?: unknown): string {
  const p = (payload ?? {}) as { report?: unknown; level?: unknown };
  if (type === "reminded" && (p as { reason?: unknown }).reason === "urged") return REMINDER_REASON_ZH.urged;
  if (type === "reminded" && typeof p.level === "number" && p.level > 0) return levelZh(p.level);
  if (type === "submitted" && typeof p.report === "string") {
    const r = lookup(REPORT_ZH, p.report);
    if (r) return r;
  }
  return lookup(EVENT_ZH, type) ?? type;
}

/** A ladder level: 0 a plain reminder, then 一级督办 … ; beyond the table, the digit. */
const LEVEL_ZH = ["提醒", "一级督办", "二级督办", "三级督办", "四级督办", "五级督办"] as const;

export function levelZh(level: number): string {
  return LEVEL_ZH[level] ?? `${level}级督办`;
}

/** Why a reminder went out later than its step says, as the log's readers and the digest word it. */
export const DEFERRAL_ZH: Readonly<Record<Deferral, string>> = {
  beforeOpening: "提前提醒顺延至开放后首个工作日",
};

/** Why a reminder went out when it is not about the deadline: nobody acknowledged the item (签收) in time. */
export const REMINDER_REASON_ZH = { unacknowledged: "超时未签收", urged: "催办" } as const;

/** "（提前提醒顺延至开放后首个工作日）" for a deferred reminder, "" otherwise; an unknown code is shown as it is. */
export function deferralZh(code: unknown): string {
  return typeof code === "string" && code ? `（${lookup(DEFERRAL_ZH, code) ?? code}）` : "";
}

/** "（超时未签收）" for a reminder with a reason, "" otherwise; an unknown code is shown as it is. */
export function reminderReasonZh(code: unknown): string {
  return typeof code === "string" && code ? `（${lookup(REMINDER_REASON_ZH, code) ?? code}）` : "";
}

export const LIGHT_ZH: Readonly<Record<LightColour, string>> = { red: "红灯", yellow: "黄灯", green: "绿灯", none: "无灯" };

/** How each outcome reads in the 台账 and the published figures. */
export const OUTCOME_ZH: Readonly<Record<Outcome, string>> = {
  onTime: "按时办结",
  late: "逾期办结",
  overdue: "逾期未报",
  waived: "免报",
  pending: "未到期",
};

export const ROLE_ZH: Readonly<Record<Role, string>> = { unit: "责任单位", office: "领导小组办公室", auditor: "审计" };

/**
 * A queued message's delivery: the outbox row's status, and `retrying` for a pending one that failed
 * at least once (the web tells it apart; the outbox list shows its attempts beside it).
 */
export const DELIVERY_ZH: Readonly<Record<OutboxStatus | "retrying", string>> = { pending: "待发送", sent: "已送达", failed: "发送失败", retrying: "重试中" };

/** "待发送 3 · 已送达 120 · 发送失败 0": the outbox at a glance, as `status` and `outbox list` head it. */
export function deliveryCountsZh(counts: Readonly<Record<OutboxStatus, number>>): string {
  return (["pending", "sent", "failed"] as const).map((s) => `${DELIVERY_ZH[s]} ${counts[s]}`).join(" · ");
}

/** A delivery channel; `eml` and `file` both write a mail file for someone to send by hand. */
export const CHANNEL_ZH: Readonly<Record<string, string>> = { email: "邮件", webhook: "群机器人", wecom: "企业微信群", dingtalk: "钉钉群", feishu: "飞书群", eml: "邮件文件", file: "邮件文件" };

export function channelZh(channel: string): string {
  return lookup(CHANNEL_ZH, channel) ?? channel;
}

/** A unit's kind in the plan (plan/resolve.ts names it in the diagnostic for a person expected). */
export const UNIT_KIND_ZH: Readonly<Record<UnitKind, string>> = { department: "部门", district: "区县", external: "外部单位", person: "人员" };

/** A published document's kind, as its file name says it. */
export const DOCUMENT_KIND_ZH: Readonly<Record<DocumentKind, string>> = { bulletin: "通报", report: "报告" };

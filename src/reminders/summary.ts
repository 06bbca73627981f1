import { formatInstant, parseInstant, type EpochMs } from "../engine/calendar.ts";
import { levelZh } from "../text/labels.ts";
import { isOwed, type ProgressState } from "../model/states.ts";
import type { Assignment, ResolvedPlan } from "../plan/types.ts";
import { phaseOf } from "../plan/phase-of.ts";
import { recipientName } from "../present/plan-text.ts";
import { missingHolidayDataZh } from "../present/calendar-note.ts";
import { messageIdFromKey } from "../../notifiers/message-id.ts";
import type { OutgoingMessage } from "../../notifiers/types.ts";
import type { ComposeOptions } from "./compose.ts";
import { campaignUrl, dateZh, dueZh, issuerZh, namesZh, recipientOf, salutationZh } from "./format.ts";
import { instanceOf } from "../plan/ids.ts";
import { assumedZh } from "../present/due-note.ts";
import { stepForLevel, stepZh } from "./ladder-text.ts";
import { loadTemplates, renderHtml, renderSubject, renderText } from "./templates.ts";

export type SummaryProgress = ProgressState;
export type SummaryLateness = "onTrack" | "dueSoon" | "overdue" | "escalated";

export interface DailySummaryRow {
  assignment: Assignment;
  progress: SummaryProgress;
  lateness: SummaryLateness;
  level: number;
  late: boolean;
}

export interface DailySummaryInput {
  /** The send instant. */
  at: EpochMs;
  rows: DailySummaryRow[];
  failedDeliveries: { key: string; recipient: string; error: string }[];
  /** The history log's head: its last sequence number and hash. */
  head: { seq: number; hash: string };
  /** The campaign's sub-plans in the same store, rolled up at `at` (the host reads them; see src/campaign/subplans.ts). */
  subPlans?: readonly SummarySubPlan[];
}

/** A sub-plan as the parent office's summary lists it: its figures and every item of it overdue. */
export interface SummarySubPlan {
  campaign: string;
  title: string;
  done: number;
  total: number;
  overdue: number;
  overdueItems: readonly { title: string; unitName: string; due: string; daysLate: number; level: number }[];
}

export interface SubPlanView {
  title: string;
  campaign: string;
  line: string;
  items: { title: string; unit: string; due: string; late: string }[];
  hasItems: boolean;
}

export interface CountsView {
  name: string;
  due: string;
  total: number;
  submitted: number;
  accepted: number;
  overdue: number;
}

export interface OverdueView {
  title: string;
  due: string;
  steps: { step: string; units: string; count: number }[];
}

export interface SummaryView {
  /** The rendered subject template, for the HTML title and the markdown heading. */
  subject: string;
  /** "：76项逾期" or "", appended to the subject. */
  overdueNote: string;
  salutation: string;
  date: string;
  intro: string;
  /** A warning that the holiday data does not cover this day's year, naming the plan keys that fix it; "" when it does. */
  calendarNote: string;
  totals: CountsView;
  phases: CountsView[];
  deliverables: CountsView[];
  overdue: OverdueView[];
  hasOverdue: boolean;
  failed: { key: string; recipient: string; error: string }[];
  hasFailed: boolean;
  failedCount: number;
  head: { seq: number; hash: string; line: string; verify: string };
  /** 六、下级专项行动: each sub-plan with its overdue items; empty when the campaign has none. */
  subPlans: SubPlanView[];
  hasSubPlans: boolean;
  link: string;
  campaign: string;
  issuer: string;
  key: string;
}

// "已报送" counts what has reached the recipient at least once and was not sent back.
const SUBMITTED: ReadonlySet<SummaryProgress> = new Set(["submitted", "accepted"]);

/** Overdue now: still owed and past its due instant (an item submitted late is no longer overdue). */
export function isOverdue(r: DailySummaryRow): boolean {
  return isOwed(r.progress) && (r.lateness === "overdue" || r.lateness === "escalated");
}

function count(name: string, due: string, rows: readonly DailySummaryRow[]): CountsView {
  return {
    name,
    due,
    total: rows.length,
    submitted: rows.filter((r) => SUBMITTED.has(r.progress)).length,
    accepted: rows.filter((r) => r.progress === "accepted").length,
    overdue: rows.filter(isOverdue).length,
  };
}

function groupBy<T>(xs: readonly T[], key: (x: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const x of xs) (m.get(key(x)) ?? m.set(key(x), []).get(key(x))!).push(x);
  return m;
}

/** The outbox key of a day's summary: one per campaign and day, however many daemons queue it. */
export function summaryKey(plan: ResolvedPlan, date: string): string {
  return `${plan.campaign.id}/summary/${date}`;
}

/**
 * The office's daily summary: where every phase and deliverable stands, who is overdue and at which
 * ladder step, which messages failed to go out, and the history log's head so an auditor can check
 * that the record behind these numbers was not rewritten.
 */
/** The mail header of a daily summary that names the log head it reports (`<seq> <hash>`). */
export const LOG_HEAD_HEADER = "X-Duban-Log-Head";

/** The head a summary's headers name, if any. */
export function logHeadOf(headers: Record<string, string> | undefined): { seq: number; hash: string } | undefined {
  const m = /^(\d+) ([0-9a-f]{64})$/.exec(headers?.[LOG_HEAD_HEADER] ?? "");
  return m ? { seq: Number(m[1]), hash: m[2]! } : undefined;
}

export function composeDailySummary(plan: ResolvedPlan, input: DailySummaryInput, opts: ComposeOptions): OutgoingMessage {
  const zone = plan.campaign.timezone;
  const templates = opts.templates ?? loadTemplates();
  const baseUrl = opts.baseUrl ?? plan.campaign.baseUrl;
  const office = plan.leadingGroup.office.unit;
  const date = opts.calendar.dateOf(input.at);
  const key = summaryKey(plan, date);
  const rows = input.rows;

  const byPhase = groupBy(rows, (r) => phaseOf(plan, r.assignment));
  const phases = plan.phases.filter((p) => byPhase.has(p.id)).map((p) => count(p.name, "", byPhase.get(p.id)!));
  if (byPhase.has("")) phases.push(count("未归入阶段", "", byPhase.get("")!));

  // Items without a deadline (tasks) are listed after the dated ones.
  const order = (a: Assignment) => a.dueAt ?? Number.MAX_SAFE_INTEGER;
  const byInstance = [...groupBy(rows, (r) => instanceOf(r.assignment.id)).values()].sort(
    (x, y) => order(x[0]!.assignment) - order(y[0]!.assignment) || (x[0]!.assignment.id < y[0]!.assignment.id ? -1 : 1),
  );
  const label = (a: Assignment) => (a.kind === "task" ? `任务：${a.title}` : a.title);
  // "" for no deadline: the templates then leave out "（截止 …）".
  const due = (a: Assignment) => (a.dueAt === null ? "" : `${dueZh(a.dueAt, zone)}${assumedZh(a.dueAssumed)}`);
  const deliverables = byInstance.map((g) => count(label(g[0]!.assignment), due(g[0]!.assignment), g));

  const overdue: OverdueView[] = [];
  for (const g of byInstance) {
    const late = g.filter(isOverdue);
    if (!late.length) continue;
    const a = late[0]!.assignment;
    const levels = [...groupBy(late, (r) => String(r.level)).entries()].sort(([x], [y]) => Number(y) - Number(x));
    overdue.push({
      title: label(a),
      due: due(a),
      steps: levels.map(([lvl, rs]) => {
        const level = Number(lvl);
        const first = rs[0]!.assignment;
        const step = level > 0 ? stepZh(plan, first, stepForLevel(plan, first, level) ?? -1, level) : "已逾期，尚未升级督办";
        return { step, units: namesZh(plan, rs.map((r) => r.assignment.unit)), count: rs.length };
      }),
    });
  }

  const totals = count("合计", "", rows);
  const failed = input.failedDeliveries.map((f) => ({ key: f.key, recipient: plan.units.has(f.recipient) ? recipientName(plan, f.recipient) : f.recipient, error: f.error }));
  const day = dateZh(input.at, zone);
  const { seq, hash } = input.head;
  const view: SummaryView = {
    subject: "",
    overdueNote: totals.overdue ? `：${totals.overdue}项逾期` : "",
    salutation: salutationZh(plan, office),
    date: day,
    intro: `截至${dueZh(input.at, zone)}，共${totals.total}项，已报送${totals.submitted}项，已通过${totals.accepted}项，逾期${totals.overdue}项${failed.length ? `；${failed.length}条消息发送失败` : ""}。`,
    calendarNote: missingHolidayDataZh(opts.calendar, date) ?? "",
    totals,
    phases,
    deliverables,
    overdue,
    hasOverdue: overdue.length > 0,
    failed,
    hasFailed: failed.length > 0,
    failedCount: failed.length,
    head: {
      seq,
      hash,
      line: `日志头：第${seq}条 ${hash}`,
      verify: `核验方法：在留存的日志副本上运行 duban verify --head ${hash}，通过即说明第${seq}条及此前的记录均未被改动。`,
    },
    subPlans: (input.subPlans ?? []).map((s) => ({
      title: s.title,
      campaign: s.campaign,
      line: `已完成 ${s.done}/${s.total}，逾期 ${s.overdue} 项`,
      items: s.overdueItems.map((i) => ({ title: i.title, unit: i.unitName, due: dueZh(parseInstant(i.due, zone), zone), late: `逾期${i.daysLate}个工作日${i.level > 0 ? `，${levelZh(i.level)}` : ""}` })),
      hasItems: s.overdueItems.length > 0,
    })),
    hasSubPlans: (input.subPlans ?? []).length > 0,
    link: baseUrl ? campaignUrl(plan, baseUrl, "") : "",
    campaign: plan.campaign.title,
    issuer: issuerZh(plan),
    key,
  };
  view.subject = renderSubject(templates["summary.subject"], view);
  return {
    messageId: messageIdFromKey(key, opts.messageIdentity),
    to: recipientOf(plan, office),
    subject: view.subject,
    text: renderText(templates["summary.text"], view),
    html: renderHtml(templates["summary.html"], view),
    markdown: renderText(templates["summary.md"], view),
    // The head the summary carries, machine-readable: the log's `delivered` event records it from here.
    headers: { "X-Duban-Key": key, "X-Duban-Kind": "summary", [LOG_HEAD_HEADER]: `${seq} ${hash}` },
    date: formatInstant(input.at, zone),
  };
}

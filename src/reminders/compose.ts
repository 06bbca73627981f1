import type { EpochMs, WorkCalendar } from "../engine/calendar.ts";
import { formatInstant } from "../engine/calendar.ts";
import { recipientName } from "../present/plan-text.ts";
import type { ReminderIntent, ReminderItem } from "../engine/types.ts";
import type { Assignment, ResolvedPlan } from "../plan/types.ts";
import type { MessageIdentity } from "../../notifiers/message-id.ts";
import { composeSections } from "./digest.ts";
import type { OutgoingMessage, Recipient } from "../../notifiers/types.ts";
import { campaignUrl, dateZh, dueZh, issuerZh, namesZh, nounFor, numberZh, recipientOf, remainingZh, salutationZh, shiftedZh } from "./format.ts";
import { assignmentsById, idPath, instanceOf } from "../plan/ids.ts";
import { CoRecipients, stepZh } from "./ladder-text.ts";
import { assumedZh } from "../present/due-note.ts";
import { lightOf, type LightColour, type LightMark } from "../publish/light.ts";
import { deferralZh, LIGHT_ZH } from "../text/labels.ts";
import { loadTemplates, renderSubject, type TemplateSet } from "./templates.ts";

export interface ComposeOptions {
  calendar: WorkCalendar;
  /** Web front end for links; defaults to the plan's `campaign.baseUrl`. Without one, the CLI is named. */
  baseUrl?: string;
  templates?: TemplateSet;
  /** The office's light marks in force at the intent's instant (see src/publish/light-marks.ts): they make a line's tag. */
  marks?: ReadonlyMap<string, LightMark>;
  /** Finds an item by id, the opened ones too (Campaign.item); defaults to the plan's own items. */
  itemOf?: (id: string) => Assignment | undefined;
  /** Sender's domain and store id for the Message-ID (the dispatcher passes them); without, "@duban". */
  messageIdentity?: MessageIdentity;
}

/** One line of a digest: a deliverable instance at one ladder step, with every unit that owes it. */
export interface ReminderItemView {
  index: number;
  title: string;
  assignmentIds: string[];
  units: string;
  unitCount: number;
  due: string;
  remaining: string;
  overdue: boolean;
  step: string;
  /** Who else this send slot told about these items, or "" when nobody. */
  alsoTold: string;
  /** Why the due date differs from the written one, or "". */
  shifted: string;
  /** "（日期为假定：…）" when the plan only assumes the due date, or "": shown beside the date. */
  assumed: string;
  action: string;
  /** Where to act on this item, or "" when there is no single page for it. */
  link: string;
  /** "【红灯】" or "【黄灯】": the worst light among the line's items at the send instant; "" for green. */
  light: string;
}

/** Everything the templates show, already worded in Chinese: templates only lay it out. */
export interface ReminderView {
  /** The rendered subject template, for the HTML title and the markdown heading. */
  subject: string;
  prefix: string;
  what: string;
  salutation: string;
  intro: string;
  items: ReminderItemView[];
  /** The recipient's own page, or "" without a base URL. */
  link: string;
  closing: string;
  campaign: string;
  document: string;
  issuer: string;
  leadingGroup: string;
  sentOn: string;
  key: string;
}

interface Group {
  items: ReminderItem[];
  first: ReminderItem;
  assignment: Assignment | undefined;
}

const WORST: LightColour[] = ["red", "yellow"];

/**
 * The tag of a digest line: its items' worst light at the send instant, by the same function as the board
 * (an item a reminder names is still owed; within the policy's dueSoon working days it is yellow).
 */
function lightTag(plan: ResolvedPlan, calendar: WorkCalendar, items: ReminderItem[], byId: Map<string, Assignment>, marks: ReadonlyMap<string, LightMark> | undefined, at: EpochMs): string {
  const colours = new Set(
    items.map((i) => {
      const dueSoon = plan.policies.get(byId.get(i.assignment)?.policy ?? "")?.dueSoon ?? 0;
      const soon = calendar.workingDaysBetween(calendar.dateOf(at), calendar.dateOf(i.dueAt)) <= dueSoon;
      return lightOf({ state: "open", lateness: soon ? "dueSoon" : "onTrack", dueAt: i.dueAt, late: false, daysLate: 0 }, marks?.get(i.assignment), at).colour;
    }),
  );
  const worst = WORST.find((c) => colours.has(c));
  return worst ? `【${LIGHT_ZH[worst]}】` : "";
}

/** The items an intent names, by id: opened ones through `itemOf`, the plan's own from the plan. */
function itemIndex(plan: ResolvedPlan, items: readonly ReminderItem[], itemOf?: (id: string) => Assignment | undefined): Map<string, Assignment> {
  if (!itemOf) return assignmentsById(plan);
  const m = new Map<string, Assignment>();
  for (const i of items) {
    const a = itemOf(i.assignment);
    if (a) m.set(i.assignment, a);
  }
  return m;
}

/** Items of one deliverable instance, due instant and ladder step are shown once with all their units. */
function groupItems(items: readonly ReminderItem[], byId: Map<string, Assignment>): Group[] {
  const groups = new Map<string, ReminderItem[]>();
  for (const it of items) {
    const key = [instanceOf(it.assignment), it.dueAt, it.level, it.step, it.overdue, it.deferred ?? ""].join("|");
    (groups.get(key) ?? groups.set(key, []).get(key)!).push(it);
  }
  return [...groups.values()]
    .map((g) => ({ items: g, first: g[0]!, assignment: byId.get(g[0]!.assignment) }))
    .sort((x, y) => x.first.dueAt - y.first.dueAt || y.first.level - x.first.level || (x.first.assignment < y.first.assignment ? -1 : 1));
}

function subjectOf(groups: Group[], items: readonly ReminderItem[], nounText: string, calendar: WorkCalendar, at: EpochMs, zone: string) {
  const maxLevel = items.reduce((m, i) => Math.max(m, i.level), 0); // no spread: the office's digest can list 100k items
  const overdue = items.filter((i) => i.overdue).length;
  // A 催办 is every item of its message (the engine sends it on its own): the subject says so first.
  const urged = items[0]!.reason === "urged";
  const prefix = urged ? "【催办】" : overdue > 0 ? (maxLevel > 0 ? `【逾期督办·${numberZh(maxLevel)}级】` : "【逾期督办】") : maxLevel > 0 ? `【督办提醒·${numberZh(maxLevel)}级】` : "【督办提醒】";
  const units = new Set(items.map((i) => i.unit)).size;
  const instances = new Set(groups.map((g) => instanceOf(g.first.assignment))).size;
  const dues = new Set(items.map((i) => i.dueAt));
  const only = items[0]!;
  const when = (it: ReminderItem) => (it.overdue ? remainingZh(calendar, at, it.dueAt) : `${dueZh(it.dueAt, zone, false)} 到期`);
  let what: string;
  if (items.length === 1) what = `${only.title} ${when(only)}`;
  else if (units > 1) what = `${units}个单位${instances}项${nounText}${overdue === items.length ? "逾期" : "待报送"}`;
  else if (dues.size === 1) what = `${instances}项${nounText} ${when(only)}`;
  else if (overdue === 0) what = `${instances}项${nounText}待报送`;
  else what = `${instances}项${nounText}待报送，其中${new Set(items.filter((i) => i.overdue).map((i) => instanceOf(i.assignment))).size}项逾期`;
  return { prefix, what };
}

/**
 * One campaign's part of a reminder: everything its templates show, already worded, plus what the
 * envelope needs. A message is one section (composeReminder) or several (composeDigest).
 */
export interface ReminderSection {
  view: ReminderView;
  templates: TemplateSet;
  to: Recipient;
  key: string;
  kind: ReminderIntent["kind"];
  /** The send instant as the campaign writes it (its zone). */
  date: string;
  /** The worst of the section's items, for a digest's subject: overdue first, then the ladder level. */
  weight: number;
  itemCount: number;
}

/**
 * Turns one reminder intent into the digest its recipient reads: one message per recipient per send
 * slot, listing every item of the intent. Pure for a given plan, intent and templates, so a resend
 * after a crash is byte-for-byte the same message under the same Message-ID.
 */
export function composeReminder(plan: ResolvedPlan, intent: ReminderIntent, opts: ComposeOptions): OutgoingMessage {
  return composeSections(intent.key, [reminderSection(plan, intent, opts)], opts.messageIdentity);
}

/** The section of one campaign's reminder intent: what composeReminder renders alone. */
export function reminderSection(plan: ResolvedPlan, intent: ReminderIntent, opts: ComposeOptions): ReminderSection {
  if (intent.items.length === 0) throw new Error(`提醒 ${intent.key} 没有任何事项`);
  const zone = plan.campaign.timezone;
  const calendar = opts.calendar;
  const templates = opts.templates ?? loadTemplates();
  const baseUrl = opts.baseUrl ?? plan.campaign.baseUrl;
  const byId = itemIndex(plan, intent.items, opts.itemOf);
  const co = CoRecipients.for(plan, calendar);
  const me = intent.recipient;
  const groups = groupItems(intent.items, byId);
  const nounText = nounFor(intent.items.map((i) => byId.get(i.assignment)?.kind));
  const own = intent.items.every((i) => i.unit === me);
  const { prefix, what } = subjectOf(groups, intent.items, nounText, calendar, intent.at, zone);

  const items = groups.map((g, n): ReminderItemView => {
    const it = g.first;
    const unitIds = [...new Set(g.items.map((i) => i.unit))];
    const others = new Set<string>();
    for (const i of g.items) {
      const a = byId.get(i.assignment);
      if (a) for (const r of co.at(a, i.dueAt, i.firedAt)) if (r !== me) others.add(r);
    }
    const ids = g.items.map((i) => i.assignment);
    const due = dueZh(it.dueAt, zone);
    const single = ids.length === 1 ? ids[0]! : undefined;
    let action: string;
    if (it.reason === "unacknowledged") action = own ? "请尽快签收，并按时办理" : "请督促上述单位尽快签收";
    else if (it.reason === "urged") action = it.overdue ? "请尽快报送" : `请于${due}前报送`;
    else if (own) {
      const when = it.overdue ? "请尽快" : `请于${due}前`;
      // Without a web front end, say whom to hand it in to: a clerk has no command line.
      const to = byId.get(ids[0]!)?.to;
      action = baseUrl ? `${when}报送` : `${when}报送${to ? recipientName(plan, to) : "领导小组办公室"}（事项编号：${ids.join("、")}）`;
    } else {
      const when = it.overdue ? "尽快" : "按时";
      action = `请督促上述单位${when}报送`;
    }
    return {
      index: n + 1,
      title: it.title,
      assignmentIds: ids,
      units: namesZh(plan, unitIds),
      unitCount: unitIds.length,
      due,
      remaining: remainingZh(calendar, intent.at, it.dueAt),
      overdue: it.overdue,
      step: stepZh(plan, g.assignment, it.step, it.level) + deferralZh(it.deferred),
      alsoTold: namesZh(plan, [...others]),
      shifted: shiftedZh(g.assignment, zone) ?? "",
      assumed: assumedZh(g.assignment?.dueAssumed),
      action,
      link: baseUrl && single ? campaignUrl(plan, baseUrl, `items/${idPath(single)}`) : "",
      light: lightTag(plan, calendar, g.items, byId, opts.marks, intent.at),
    };
  });

  const n = groups.length;
  const overdueN = groups.filter((g) => g.first.overdue).length;
  const dues = new Set(intent.items.map((i) => i.dueAt));
  const maxLevel = intent.items.reduce((m, i) => Math.max(m, i.level), 0);
  let intro: string;
  if (own) {
    if (overdueN === 0) intro = dues.size === 1 ? `你单位以下${n}项${nounText}将于${dueZh(intent.items[0]!.dueAt, zone)}到期，请按时报送：` : `你单位以下${n}项${nounText}即将到期，请按时报送：`;
    else if (overdueN === n) intro = `你单位以下${n}项${nounText}已超过截止时间仍未报送，请尽快报送：`;
    else intro = `你单位以下${n}项${nounText}尚未报送，其中${overdueN}项已逾期，请抓紧办理：`;
  } else {
    const units = new Set(intent.items.map((i) => i.unit)).size;
    const scope = `以下${units}个单位的${new Set(intent.items.map((i) => instanceOf(i.assignment))).size}项${nounText}`;
    if (overdueN > 0) intro = `${scope}已逾期未报送${maxLevel > 0 ? `，按督办规则进入第${numberZh(maxLevel)}级督办` : ""}，请督促落实：`;
    else intro = `${scope}即将到期，请督促按时报送：`;
  }
  // The office's own words come first in a 催办: they are why the message was sent today.
  const note = intent.items[0]!.reason === "urged" ? intent.items[0]!.note : undefined;
  if (note) intro = `领导小组办公室催办：${note}\n${intro}`;
  const issuer = issuerZh(plan);
  const view: ReminderView = {
    subject: "",
    prefix,
    what,
    salutation: salutationZh(plan, me),
    intro,
    items,
    link: baseUrl ? campaignUrl(plan, baseUrl, `units/${idPath(me)}`) : "",
    closing: own ? `如已报送，请忽略本提醒；确需延期或免报的，请联系${issuer}。` : `本通知由督办系统按督办规则自动发出；如需调整截止时间，请联系${issuer}。`,
    campaign: plan.campaign.title,
    document: plan.campaign.document ?? "",
    issuer,
    leadingGroup: plan.leadingGroup.name ?? "",
    sentOn: dateZh(intent.at, zone),
    key: intent.key,
  };
  view.subject = renderSubject(templates["reminder.subject"], view);
  const weight = (overdueN > 0 ? 100 : 0) + maxLevel;
  return { view, templates, to: recipientOf(plan, me), key: intent.key, kind: intent.kind, date: formatInstant(intent.at, zone), weight, itemCount: n };
}

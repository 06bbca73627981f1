import { rollupOnly } from "../campaign/subplans.ts";
import type { ChildRollup } from "../campaign/rollup.ts";
import type { BoardRow } from "../campaign/board.ts";
import { formatInstant } from "../engine/calendar.ts";
import type { Assignment, ResolvedPlan } from "../plan/types.ts";
import type { FieldValue } from "../model/fields.ts";
import { owingUnits } from "../model/item.ts";
import { recipientName, unitName } from "../present/plan-text.ts";
import type { StoredEvent } from "../store/types.ts";
import type { Viewer, WebDeps } from "./context.ts";
import { acknowledgedOf, allowedVerbs, canSee, canSeeUnit, lastReturn, remindersTold, visibleBoard, workingDaysLeft, type ReminderTold, type Verb } from "./data.ts";
import { refusal, type WebRefusal } from "./refusal.ts";
import { actsAsOffice } from "../engine/authorize.ts";
import { lightRows, type Light } from "../publish/light.ts";
import { marksAt } from "../publish/light-marks.ts";
import { isOutstanding } from "../model/states.ts";

export interface UnitItem {
  id: string;
  title: string;
  kind: Assignment["kind"];
  state: BoardRow["state"];
  /** null: no deadline (a task tracked without a hand-in). */
  due: string | null;
  dueAssumed?: string;
  /** null without a deadline. */
  workingDaysLeft: number | null;
  late: boolean;
  daysLate: number;
  canSubmit: boolean;
  /** 撤回: the hand-in still waits for review, and the user may take it back to correct it. */
  canRecall: boolean;
  /** 签收: the item waits for this unit's acknowledgement, and the user may give it. */
  canAcknowledge: boolean;
  /** An opened item: its kind, number, urgency, joint members, 签收 and whether it is 一事一报. */
  opened?: OpenedSummary;
  /** The receiving side's note, only while the item is returned (an accepted item's old note is history). */
  returnedComment?: { at: string; note?: string; by: string };
  light: Light;
}

export interface OpenedSummary {
  kind: string;
  kindTitle: string;
  number: number;
  urgency: string;
  openedBy: string;
  openedByName: string;
  members: { unit: string; name: string }[];
  /** null: waits for 签收; absent: the kind asks for none. */
  acknowledgedAt?: string | null;
  /** 一事一报: reports are 续报 until a 终报. */
  followUp: boolean;
  reports?: number;
}

/** What the pages show of an opened item besides its row. */
export function openedSummary(plan: ResolvedPlan, a: Assignment, r: BoardRow): OpenedSummary | undefined {
  if (!a.opened) return undefined;
  return {
    kind: a.opened.kind,
    kindTitle: plan.kinds.get(a.opened.kind)?.title ?? a.opened.kind,
    number: a.opened.number,
    urgency: a.opened.level,
    openedBy: a.opened.openedBy,
    openedByName: unitName(plan, a.opened.openedBy),
    members: owingUnits(a).map((u) => ({ unit: u, name: unitName(plan, u) })),
    ...(r.acknowledgedAt !== undefined ? { acknowledgedAt: r.acknowledgedAt } : {}),
    followUp: a.opened.followUpEveryWorkingDays !== undefined,
    ...(r.reports !== undefined ? { reports: r.reports } : {}),
  };
}

export interface UnitData {
  unit: string;
  name: string;
  asOf: string;
  owed: UnitItem[];
  /** Tasks the unit runs that have no deadline and are not handed in: tracked, never reminded. */
  tasks: UnitItem[];
  inReview: UnitItem[];
  done: UnitItem[];
}

/** A unit's page: what it owes (with working days left), what waits for review, what is done. */
export async function unitData(deps: WebDeps, v: Viewer, unit: string): Promise<UnitData | WebRefusal> {
  const { plan } = deps.campaign;
  if (!plan.units.has(unit)) return refusal(404, "UNKNOWN_UNIT", `计划中没有单位“${unit}”`);
  if (!canSeeUnit(plan, v, unit)) return refusal(403, "NOT_YOUR_UNIT", `只能查看本单位的事项，无权查看${unitName(plan, unit)}的事项`);
  return deps.lock.run(async () => {
    const { now, rows } = await visibleBoard(deps, v);
    // Dated items by due instant (ISO strings in one zone sort as instants), undated ones last.
    const order = (r: BoardRow) => r.due ?? "\uffff";
    const mine = rows.filter((r) => r.unit === unit || r.members?.includes(unit)).sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
    const items: UnitItem[] = [];
    for (const r of mine) {
      const a = deps.campaign.item(r.id)!;
      const allowed = allowedVerbs(plan, v, a, r.state, acknowledgedOf(r));
      const opened = openedSummary(plan, a, r);
      let returnedComment: UnitItem["returnedComment"];
      if (r.state === "returned") {
        const ret = lastReturn(await deps.campaign.history(r.id));
        if (ret) returnedComment = { at: ret.at, by: ret.by.kind === "engine" ? "系统" : recipientName(plan, ret.by.kind === "person" ? (ret.by.unit ?? ret.by.person) : ret.by.unit), ...(ret.note ? { note: ret.note } : {}) };
      }
      items.push({
        id: r.id,
        title: r.title,
        kind: a.kind,
        state: r.state,
        due: r.due,
        ...(r.dueAssumed !== undefined ? { dueAssumed: r.dueAssumed } : {}),
        workingDaysLeft: r.due === null ? null : workingDaysLeft(deps, now, r.due),
        late: r.late,
        daysLate: r.daysLate,
        canSubmit: allowed.includes("submit"),
        canRecall: allowed.includes("recall"),
        canAcknowledge: allowed.includes("acknowledge"),
        ...(opened ? { opened } : {}),
        light: r.light,
        ...(returnedComment ? { returnedComment } : {}),
      });
    }
    return {
      unit,
      name: unitName(plan, unit),
      asOf: formatInstant(now, plan.campaign.timezone),
      owed: items.filter((i) => i.due !== null && isOutstanding(i.state)),
      tasks: items.filter((i) => i.due === null && isOutstanding(i.state)),
      inReview: items.filter((i) => i.state === "submitted"),
      done: items.filter((i) => i.state === "accepted" || i.state === "waived"),
    };
  });
}

export interface ItemData {
  assignment: Assignment & { unitName: string; toName: string; leadName: string };
  /** An opened item: its kind, number, urgency, members, 签收. */
  opened?: OpenedSummary;
  /** An opened item's fields as its kind titles them, in the kind's order, with what was filled in. */
  fields?: { id: string; title: string; type: string; value: FieldValue | undefined }[];
  /** Set when the page shows the item as the log says it was at this instant (read-only). */
  asOf?: string;
  row: BoardRow;
  history: StoredEvent[];
  reminders: (ReminderTold & { recipientName: string })[];
  allowed: Verb[];
  /** Its light at the page's instant, with the office's marks in force then. */
  light: Light;
  /** Whether this user may mark the light (the office, now; never on a replay). */
  canMark: boolean;
  /** The sub-plans written for this item in the same store, rolled up now (never on a replay). */
  subPlans?: ChildRollup[];
}

/**
 * An item's page: its row on the board, its history trail, who was told when and how, what this user may do.
 * With `asOf`, the row, the trail and the reminders as the log says they were then, and nothing to do.
 */
export async function itemData(deps: WebDeps, v: Viewer, id: string, asOf?: number): Promise<ItemData | WebRefusal> {
  const { plan } = deps.campaign;
  const a = deps.campaign.item(id);
  if (!a) return refusal(404, "UNKNOWN_ASSIGNMENT", `没有编号为“${id}”的事项`);
  if (!canSee(plan, v, a)) return refusal(403, "NOT_YOUR_ITEM", `无权查看“${a.title}”（${unitName(plan, a.unit)}）：只能查看本单位的事项`);
  if (asOf !== undefined) return itemAsOf(deps, a, asOf);
  return deps.lock.run(async () => {
    const c = deps.campaign;
    await c.refresh();
    const now = Math.max(deps.now(), plan.campaign.startAt);
    const row = c.row(id, now)!;
    const light = lightRows([row], await marksAt(c, now), now, plan.campaign.timezone)[0]!.light;
    const history = await c.history(id);
    const reminders = (await remindersTold(deps, history)).map((r) => ({ ...r, recipientName: recipientName(plan, r.recipient) }));
    const subPlans = (await deps.subPlans?.ofItem(id, now)) ?? [];
    return {
      ...(subPlans.length ? { subPlans: subPlans.map(rollupOnly) } : {}),
      assignment: { ...a, unitName: unitName(plan, a.unit), toName: recipientName(plan, a.to), leadName: recipientName(plan, a.lead) },
      ...openedParts(plan, a, row),
      row,
      history,
      reminders,
      allowed: allowedVerbs(plan, v, a, row.state, acknowledgedOf(row)),
      light,
      canMark: v.actor !== undefined && actsAsOffice(plan, v.actor) && !light.closed,
    };
  });
}

/** The item as of an instant, from the log alone (a replay needs no write lock). */
async function itemAsOf(deps: WebDeps, a: Assignment, asOf: number): Promise<ItemData | WebRefusal> {
  const b = await deps.campaign.boardAsOf(asOf);
  const plan = b.plan;
  const row = b.rows.find((r) => r.id === a.id);
  if (!row) return refusal(404, "UNKNOWN_ASSIGNMENT", `${b.asOf} 时的计划中没有编号为“${a.id}”的事项`);
  const history = (await deps.campaign.history(a.id)).filter((e) => e.seq <= b.seq);
  // A delivery recorded after the instant had not happened yet then.
  const reminders = (await remindersTold(deps, history)).map((r) =>
    r.deliveredAt !== undefined && Date.parse(r.deliveredAt) > asOf ? { at: r.at, step: r.step, level: r.level, recipient: r.recipient, status: "pending" as const, channels: [] } : r,
  );
  return {
    assignment: { ...a, unitName: unitName(plan, a.unit), toName: recipientName(plan, a.to), leadName: recipientName(plan, a.lead) },
    ...openedParts(plan, a, row),
    asOf: b.asOf,
    row,
    history,
    reminders: reminders.map((r) => ({ ...r, recipientName: recipientName(plan, r.recipient) })),
    allowed: [],
    light: lightRows([row], await marksAt(deps.campaign, asOf), asOf, plan.campaign.timezone)[0]!.light,
    canMark: false,
  };
}

function openedParts(plan: ResolvedPlan, a: Assignment, row: BoardRow): Pick<ItemData, "opened" | "fields"> {
  const opened = openedSummary(plan, a, row);
  if (!opened || !a.opened) return {};
  const kind = plan.kinds.get(a.opened.kind);
  const specs = kind?.fields ?? [];
  // Fields the kind no longer names (a later plan version) still show, under their ids.
  const extra = Object.keys(a.opened.fields).filter((k) => !specs.some((f) => f.id === k));
  return {
    opened,
    fields: [...specs.map((f) => ({ id: f.id, title: f.title, type: f.type, value: a.opened!.fields[f.id] })), ...extra.map((k) => ({ id: k, title: k, type: "text", value: a.opened!.fields[k] }))],
  };
}

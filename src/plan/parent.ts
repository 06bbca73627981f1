import { formatLocal } from "../engine/calendar.ts";
import { DiagnosticSink, sortDiagnostics, type Diagnostic } from "./diagnostics.ts";
import type { Positions } from "./directory.ts";
import type { ResolveContext } from "./resolve-context.ts";
import { suggest } from "./schema.ts";
import { parsePlanText, type PathSegment } from "./source.ts";
import type { EpochMs, ResolvedPlan, UnitId } from "./types.ts";

/**
 * Sub-plans. A district's own 具体实施方案 is a plan of its own that names, under `parent:`, the campaign it
 * serves and the item there it is the plan of (`item: implementation-plan/yuzhong`), or the unit
 * (`unit: yuzhong`). What can be checked from the sub-plan alone is checked when it is resolved
 * (checkParentShape); what needs the parent's plan is checked by checkParent, given that plan (the host
 * finds it in its store): pure, no I/O, every problem reported with its position in the sub-plan.
 */

/** The sub-plan's own rules on `parent:`: one of item and unit, and another campaign than itself. */
export function checkParentShape(ctx: ResolveContext): void {
  const parent = ctx.p.parent;
  if (!parent) return;
  if (parent.campaign === ctx.p.campaign.id) ctx.err("PARENT_MISSING", `parent.campaign 写的是本专项行动自身（${parent.campaign}）；请写上级专项行动的 id`, ["parent", "campaign"]);
  if ((parent.item === undefined) === (parent.unit === undefined))
    ctx.err("PARENT_MISSING", "parent 须写 item（上级专项行动中本计划所服务的事项，例如 implementation-plan/yuzhong）或 unit（上级专项行动中的单位），且只能写其中一个", ["parent"]);
}

/** The span a sub-plan's deadlines must fall in: its parent item's opening to its deadline, or the parent campaign's. */
export interface ParentWindow {
  start: EpochMs;
  end: EpochMs;
  /** How the window is named in a message. */
  label: string;
  /** The unit the parent item is owed by (or the unit named), which the sub-plan must belong to. */
  unit: UnitId;
}

/**
 * Checks a sub-plan against its parent's resolved plan: the parent campaign is there (`parent` undefined:
 * the host has no campaign of that id), the item or unit it names is the parent's, that item is owed by
 * the sub-plan's own unit (its office's unit or a unit above it), and every deadline of the sub-plan lies
 * inside the parent's window. `positions` answers where a value is in the sub-plan's file.
 */
export function checkParent(child: ResolvedPlan, positions: Pick<Positions, "position">, parent: ResolvedPlan | undefined): Diagnostic[] {
  const sink = new DiagnosticSink();
  const err = (code: Diagnostic["code"], message: string, path: PathSegment[]) => sink.error(code, message, positions.position(path));
  const ref = child.parent;
  if (!ref) return [];
  if (!parent) {
    err("PARENT_MISSING", `上级专项行动“${ref.campaign}”不在此存储中；请先初始化上级专项行动，或检查 parent.campaign`, ["parent", "campaign"]);
    return sink.items;
  }
  if (parent.campaign.id !== ref.campaign) {
    err("PARENT_MISSING", `给出的上级计划属于专项行动“${parent.campaign.id}”，不是 parent.campaign 所写的“${ref.campaign}”`, ["parent", "campaign"]);
    return sink.items;
  }
  const window = parentWindow(child, parent, err);
  if (!window) return sink.items;

  // The sub-plan belongs to the unit the parent item is owed by: its office sits in that unit or below it.
  const office = child.leadingGroup.office.unit;
  const chain = ancestry(child, office);
  if (!chain.includes(window.unit)) {
    const owner = parent.units.get(window.unit);
    const officeName = child.units.get(office)?.name ?? office;
    err(
      "PARENT_UNIT",
      `${window.label}由“${owner?.name ?? window.unit}”（${window.unit}）承办，本计划的领导小组办公室设在“${officeName}”（${office}），不属于该单位；下级计划只能挂在本单位承办的事项下${child.units.has(window.unit) ? "" : `（本计划的单位中也没有“${window.unit}”，请从单位目录导入它，并把办公室所在单位的 parent 写为它）`}`,
      ["parent", ref.item !== undefined ? "item" : "unit"],
    );
  }

  const zone = parent.campaign.timezone;
  const outside = new Map<string, { path: PathSegment[]; what: string; dates: EpochMs[]; late: boolean }>();
  for (const a of child.assignments) {
    if (a.dueAt === null || (a.dueAt >= window.start && a.dueAt <= window.end)) continue;
    const at = duePath(child, a.deliverable, a.kind === "task" ? a.task : undefined);
    if (!at) continue;
    const key = JSON.stringify(at.path);
    const entry = outside.get(key) ?? outside.set(key, { ...at, dates: [], late: a.dueAt > window.end }).get(key)!;
    if (!entry.dates.includes(a.dueAt)) entry.dates.push(a.dueAt);
  }
  for (const o of outside.values()) {
    const dates = o.dates.sort((x, y) => x - y).map((d) => formatLocal(d, zone));
    const shown = dates.slice(0, 3).join("、") + (dates.length > 3 ? ` 等 ${dates.length} 个` : "");
    const bound = o.late ? `晚于${window.label}的截止时间 ${formatLocal(window.end, zone)}` : `早于${window.label}的开始时间 ${formatLocal(window.start, zone)}`;
    err("PARENT_WINDOW", `${o.what}的截止时间 ${shown} ${bound}；下级计划的期限须在上级期限之内，请调整截止日期`, o.path);
  }
  if (child.campaign.endAt > parent.campaign.endAt)
    err("PARENT_WINDOW", `本专项行动的结束日期 ${child.campaign.end} 晚于上级专项行动“${parent.campaign.title}”的结束日期 ${parent.campaign.end}；请调整 campaign.end`, ["campaign", "end"]);
  return sortDiagnostics(sink.items);
}

/** As checkParent, for a sub-plan given by its text (the stored version's, or the file's). */
export function checkParentOfText(child: ResolvedPlan, text: string, parent: ResolvedPlan | undefined): Diagnostic[] {
  return checkParent(child, parsePlanText(child.file, text, new DiagnosticSink()), parent);
}

function parentWindow(child: ResolvedPlan, parent: ResolvedPlan, err: (code: Diagnostic["code"], message: string, path: PathSegment[]) => void): ParentWindow | undefined {
  const ref = child.parent!;
  const whole = { start: parent.campaign.startAt, end: parent.campaign.endAt - 1 };
  if (ref.item !== undefined) {
    const item = parent.assignments.find((a) => a.id === ref.item);
    if (!item) {
      err("PARENT_MISSING", `上级专项行动“${parent.campaign.id}”中没有事项“${ref.item}”${suggest(ref.item, parent.assignments.map((a) => a.id))}；请写上级计划中的事项编号（报送事项 id/单位 id）`, ["parent", "item"]);
      return undefined;
    }
    return { start: item.opensAt, end: item.dueAt ?? whole.end, label: `上级事项“${item.title}”（${item.id}）`, unit: item.unit };
  }
  if (!parent.units.has(ref.unit!)) {
    err("PARENT_MISSING", `上级专项行动“${parent.campaign.id}”中没有单位“${ref.unit}”${suggest(ref.unit!, parent.units.keys())}`, ["parent", "unit"]);
    return undefined;
  }
  return { ...whole, label: `上级专项行动“${parent.campaign.title}”`, unit: ref.unit! };
}

/** The unit and every unit above it (`parent:`), within the sub-plan's own units. */
function ancestry(plan: ResolvedPlan, unit: UnitId): UnitId[] {
  const out: UnitId[] = [];
  for (let u: UnitId | undefined = unit; u !== undefined && !out.includes(u); u = plan.units.get(u)?.parent) out.push(u);
  return out;
}

/** Where an item's deadline is written in the sub-plan: its deliverable's due (or series), or its task's due. */
function duePath(plan: ResolvedPlan, deliverable: string | undefined, task: string | undefined): { path: PathSegment[]; what: string } | undefined {
  if (deliverable !== undefined) {
    const i = plan.deliverables.findIndex((d) => d.id === deliverable);
    if (i < 0) return undefined;
    const d = plan.deliverables[i]!;
    return { path: ["deliverables", i, d.due !== undefined ? "due" : "recurring"], what: `“${d.id}”（${d.title}）` };
  }
  if (task !== undefined) {
    const i = plan.tasks.findIndex((t) => t.id === task);
    if (i < 0) return undefined;
    return { path: ["tasks", i, "due"], what: `任务“${task}”（${plan.tasks[i]!.title}）` };
  }
  return undefined;
}

import type { Assignment, ResolvedPlan } from "../plan/types.ts";
import type { ProgressState } from "./assignment-machine.ts";
import type { Actor, Refusal, UnitAction } from "./types.ts";

const ACTION_ZH: Record<UnitAction["type"], string> = { submit: "报送", accept: "通过", return: "退回", extend: "延期", waive: "免报" };
const STATE_ZH: Record<ProgressState, string> = { waiting: "未开始", open: "办理中", submitted: "已报送待审核", returned: "已退回待重报", accepted: "已通过", waived: "已免报" };

/** Which progress states each action may start from. */
const ALLOWED_FROM: Record<UnitAction["type"], ProgressState[]> = {
  submit: ["open", "returned"],
  accept: ["submitted"],
  return: ["submitted"],
  extend: ["waiting", "open", "returned"],
  waive: ["waiting", "open", "returned"],
};

/** The unit an actor speaks for: a person acts for the unit they belong to. */
export function actingUnits(plan: ResolvedPlan, actor: Actor): Set<string> {
  if (actor.kind !== "unit") return new Set();
  const units = new Set([actor.unit]);
  const u = plan.units.get(actor.unit);
  if (u?.kind === "person" && u.parent) units.add(u.parent);
  return units;
}

/** Whether an actor speaks for the office: a member of it, or the group leader or the office director. */
export function actsAsOffice(plan: ResolvedPlan, actor: Actor): boolean {
  return (
    actingUnits(plan, actor).has(plan.leadingGroup.office.unit) ||
    (actor.kind === "unit" && (actor.unit === plan.leadingGroup.leader || actor.unit === plan.leadingGroup.office.director))
  );
}

function name(plan: ResolvedPlan, id: string): string {
  const u = plan.units.get(id);
  return u ? (u.short ?? u.name) : id;
}

/**
 * The plan's rules on who may do what: only the owing unit submits; the recipient, the task's lead
 * unit or the office accepts and returns; the office or the task's lead unit extends; only the office
 * waives. The group leader and the office director act as the office. Refusals name the rule.
 */
export function authorize(plan: ResolvedPlan, a: Assignment, action: UnitAction, state: ProgressState): Refusal | undefined {
  const actor = action.actor;
  if (actor.kind === "unit" && !plan.units.has(actor.unit))
    return { code: "UNKNOWN_ACTOR", message: `计划中没有单位或人员“${actor.unit}”` };
  const units = actingUnits(plan, actor);
  const isOffice = actsAsOffice(plan, actor);
  const verb = ACTION_ZH[action.type];
  let allowed: boolean;
  let rule: string;
  switch (action.type) {
    case "submit":
      allowed = units.has(a.unit);
      rule = `只有责任单位${name(plan, a.unit)}可以报送“${a.title}”`;
      break;
    case "accept":
    case "return":
      allowed = isOffice || units.has(a.to) || units.has(a.lead);
      rule = `只有接收单位${name(plan, a.to)}、牵头单位${name(plan, a.lead)}或领导小组办公室可以${verb}“${a.title}”`;
      break;
    case "extend":
      allowed = isOffice || units.has(a.lead);
      rule = `只有领导小组办公室或牵头单位${name(plan, a.lead)}可以批准延期`;
      break;
    case "waive":
      allowed = isOffice;
      rule = "只有领导小组办公室可以免报";
      break;
  }
  if (!allowed) {
    const who = actor.kind === "unit" ? name(plan, actor.unit) : "系统";
    return { code: "NOT_PERMITTED", message: `${who}无权${verb}：${rule}` };
  }
  if (!ALLOWED_FROM[action.type].includes(state))
    return { code: "WRONG_STATE", message: `“${a.title}”（${name(plan, a.unit)}）当前状态为${STATE_ZH[state]}，不能${verb}` };
  return undefined;
}

export { STATE_ZH };

import type { ResolvedPlan } from "../model/definition.ts";
import { owingUnits, type Item } from "../model/item.ts";
import { hasTag, type ProgressState, type StateTag } from "../model/states.ts";
import { audienceParts, inAudience } from "./open-item.ts";
import type { Actor, Refusal, SubPlanProgress, UnitAction } from "./types.ts";

type ItemAction = Exclude<UnitAction, { type: "open" }>;

/** Which states each action may start from, by tag (model/states.ts): one definition of "owed". */
const ALLOWED_FROM: Record<ItemAction["type"], readonly StateTag[]> = {
  submit: ["owed"],
  acknowledge: ["owed"],
  accept: ["handedIn"],
  return: ["handedIn"],
  extend: ["notYetOpen", "owed"],
  waive: ["notYetOpen", "owed"],
  withdraw: ["notYetOpen", "owed", "handedIn"],
  recall: ["handedIn"],
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

/**
 * Who may act, as a rule id and the units it names (rendered at the edge). Planned items: only the
 * owing unit submits; the recipient, the task's lead unit or the office accepts and returns; the office
 * or the task's lead unit extends; only the office waives. Opened items: the owing units (or only the
 * lead one) submit and acknowledge; the reviewer the kind names or the office reviews, never a unit
 * that owes it; the office and whom the kind allows extend and withdraw.
 */
function permitted(plan: ResolvedPlan, a: Item, action: ItemAction, units: Set<string>, isOffice: boolean): { ok: boolean; rule: string; who: string[] } {
  const owing = owingUnits(a);
  const kind = a.opened ? plan.kinds.get(a.opened.kind) : undefined;
  const opener = new Set(a.opened ? [a.opened.openedBy] : []);
  switch (action.type) {
    case "submit":
    case "recall":
      if (a.opened?.submit === "lead") return { ok: units.has(a.unit), rule: "leadMember", who: [a.unit] };
      return { ok: owing.some((u) => units.has(u)), rule: "owner", who: [...owing] };
    case "acknowledge":
      return { ok: owing.some((u) => units.has(u)), rule: "owner", who: [...owing] };
    case "accept":
    case "return":
      if (a.opened) return { ok: isOffice || units.has(a.to), rule: "reviewer", who: [a.to] };
      return { ok: isOffice || units.has(a.to) || units.has(a.lead), rule: "recipientOrLead", who: [a.to, a.lead] };
    case "extend":
      if (a.opened) return { ok: isOffice || (!!kind && [...units].some((u) => inAudience(plan, kind.extend, u, opener))), rule: "officeOr", who: kind ? audienceParts({ ...kind.extend, self: false, units: new Set([...kind.extend.units, ...(kind.extend.self ? opener : [])]) }) : [] };
      return { ok: isOffice || units.has(a.lead), rule: "officeOrLead", who: [a.lead] };
    case "withdraw":
      if (!a.opened) return { ok: false, rule: "openedOnly", who: [] };
      return { ok: isOffice || (!!kind && [...units].some((u) => inAudience(plan, kind.withdraw, u, opener))), rule: "officeOr", who: kind ? audienceParts({ ...kind.withdraw, self: false, units: new Set([...kind.withdraw.units, ...(kind.withdraw.self ? opener : [])]) }) : [] };
    case "waive":
      return { ok: isOffice, rule: "office", who: [] };
  }
}

/** The plan's rules on who may do what to an item in which state; a refusal says which rule, as a value. */
export function authorize(plan: ResolvedPlan, a: Item, action: ItemAction, state: ProgressState, acknowledged: boolean): Refusal | undefined {
  const actor = action.actor;
  if (actor.kind === "unit" && !plan.units.has(actor.unit)) return { code: "UNKNOWN_ACTOR", params: { actor: actor.unit } };
  const units = actingUnits(plan, actor);
  const isOffice = actsAsOffice(plan, actor);
  const base = { action: action.type, item: a.id, title: a.title, unit: a.unit, actor: actor.kind === "unit" ? actor.unit : "engine" };
  // A unit never signs off its own work, even when the kind names it the reviewer.
  if (a.opened && (action.type === "accept" || action.type === "return") && owingUnits(a).some((u) => units.has(u)))
    return { code: "OWN_ITEM", params: base };
  const p = permitted(plan, a, action, units, isOffice);
  if (!p.ok) return { code: "NOT_PERMITTED", params: { ...base, rule: p.rule, who: p.who } };
  if (!ALLOWED_FROM[action.type].some((t) => hasTag(state, t))) return { code: "WRONG_STATE", params: { ...base, state } };
  if (action.type === "acknowledge" && (acknowledged || a.ackDueAt === undefined)) return { code: "WRONG_STATE", params: { ...base, state: acknowledged ? "acknowledged" : "noAck" } };
  if (action.type === "submit" && a.requiresSubPlan) return subPlanRefusal(base, action.subPlans);
  return undefined;
}

/**
 * An item the plan marks `requiresSubPlan` is handed in only when every sub-plan under it is complete.
 * No sub-plan known is a refusal too: what the item waits for has not been run (or the host cannot see it).
 */
function subPlanRefusal(base: Record<string, unknown>, subPlans: readonly SubPlanProgress[] | undefined): Refusal | undefined {
  if (!subPlans?.length) return { code: "SUB_PLAN_INCOMPLETE", params: { ...base, reason: "none" } };
  const open = subPlans.find((s) => s.total === 0 || s.done < s.total);
  if (!open) return undefined;
  return { code: "SUB_PLAN_INCOMPLETE", params: { ...base, reason: "incomplete", campaign: open.campaign, ...(open.title ? { campaignTitle: open.title } : {}), done: open.done, total: open.total } };
}

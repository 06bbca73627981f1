import type { ResolvedPlan } from "../model/definition.ts";
import type { Problem } from "../model/problem.ts";
import type { Refusal } from "../engine/types.ts";
import { ACTION_ZH, STATE_ZH } from "./labels.ts";
import { renderFieldProblem } from "./fields.ts";
import { nearest } from "../plan/schema.ts";

/** A refusal with its words: what hosts show and log. */
export type RenderedRefusal = Refusal & { message: string };

function unitName(plan: ResolvedPlan, id: string): string {
  if (id === "@office") return plan.leadingGroup.office.name ?? "领导小组办公室";
  if (id === "@taskLeads") return "各项任务的牵头单位";
  if (id === "@self") return "本单位";
  if (id === "@any") return "任一单位";
  const u = plan.units.get(id);
  return u ? (u.short ?? u.name) : id;
}

/** Each unit once, in order: a rule may name one unit in two roles (the recipient is also the lead). */
function names(plan: ResolvedPlan, ids: unknown): string {
  return [...new Set(((ids as string[] | undefined) ?? []).map((u) => unitName(plan, u)))].join("、");
}

/**
 * "接收单位甲、牵头单位乙或领导小组办公室": roles with their units, each unit named once (the first role that
 * names it keeps it), and the office once, last.
 */
function rolesOrOffice(plan: ResolvedPlan, roles: [string, string][]): string {
  const office = unitName(plan, "@office");
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const [role, id] of roles) {
    const name = unitName(plan, id);
    // The office's own unit is the office: named once, as the office.
    if (seen.has(name) || name === office || id === plan.leadingGroup.office.unit) continue;
    seen.add(name);
    parts.push(`${role}${name}`);
  }
  return parts.length ? `${parts.join("、")}或${office}` : office;
}

const RULE_ZH: Record<string, (plan: ResolvedPlan, p: Refusal["params"]) => string> = {
  owner: (plan, p) => `只有责任单位${names(plan, p.who)}可以${ACTION_ZH[p.action as keyof typeof ACTION_ZH]}“${p.title}”`,
  leadMember: (plan, p) => `“${p.title}”由牵头单位${names(plan, p.who)}报送`,
  reviewer: (plan, p) => `只有${rolesOrOffice(plan, ((p.who as string[] | undefined) ?? []).map((u) => ["审核单位", u]))}可以${ACTION_ZH[p.action as keyof typeof ACTION_ZH]}“${p.title}”`,
  recipientOrLead: (plan, p) => {
    const [to, lead] = p.who as string[];
    return `只有${rolesOrOffice(plan, [["接收单位", to!], ["牵头单位", lead!]])}可以${ACTION_ZH[p.action as keyof typeof ACTION_ZH]}“${p.title}”`;
  },
  officeOrLead: (plan, p) => `只有领导小组办公室或牵头单位${names(plan, p.who)}可以批准延期`,
  officeOr: (plan, p) => `只有领导小组办公室${(p.who as string[]).length ? `或${names(plan, p.who)}` : ""}可以${ACTION_ZH[p.action as keyof typeof ACTION_ZH]}“${p.title}”`,
  office: () => "只有领导小组办公室可以免报",
  officeUrge: () => "只有领导小组办公室可以催办",
  openedOnly: () => "只有运行中交办的事项可以撤销；计划内事项请用免报",
};

const DUE_ZH: Record<string, (p: Refusal["params"]) => string> = {
  missing: (p) => `须给出截止时间（最晚 ${p.max}）`,
  past: (p) => `截止时间 ${p.due} 不晚于现在（${p.now}）`,
  tooSoon: (p) => `截止时间 ${p.due} 早于此类事项允许的最早时间 ${p.min}`,
  tooLate: (p) => `截止时间 ${p.due} 晚于此类事项允许的最晚时间 ${p.max}`,
  afterCampaign: (p) => `截止时间 ${p.due} 在专项行动结束（${p.end}）之后`,
};

/** A refusal in the plan's language (zh-CN): the one place its words are written. */
export function renderRefusal(plan: ResolvedPlan, r: Refusal): string {
  const p = r.params;
  const kindTitle = () => String(p.kindTitle ?? plan.kinds.get(String(p.kind))?.title ?? p.kind);
  switch (r.code) {
    case "UNKNOWN_ASSIGNMENT":
      return `没有编号为“${p.item}”的事项；用 duban plan 或 duban status 查看事项编号`;
    case "UNKNOWN_ACTOR":
      return `计划中没有单位或人员“${p.actor}”`;
    case "NOT_PERMITTED": {
      const verb = ACTION_ZH[p.action as keyof typeof ACTION_ZH];
      const who = p.actor === "engine" ? "系统" : unitName(plan, String(p.actor));
      return `${who}无权${verb}：${RULE_ZH[String(p.rule)]?.(plan, p) ?? String(p.rule)}`;
    }
    case "OWN_ITEM":
      return `${unitName(plan, String(p.actor))}不能${ACTION_ZH[p.action as keyof typeof ACTION_ZH]}本单位承办的“${p.title}”：办结审核须由交办方或领导小组办公室进行`;
    case "WRONG_STATE": {
      const verb = ACTION_ZH[p.action as keyof typeof ACTION_ZH];
      if (p.state === "acknowledged") return `“${p.title}”已签收，无需再次签收`;
      if (p.state === "noAck") return `“${p.title}”无需签收`;
      return `“${p.title}”（${unitName(plan, String(p.unit))}）当前状态为${STATE_ZH[p.state as keyof typeof STATE_ZH] ?? p.state}，不能${verb}`;
    }
    case "BAD_EXTENSION":
      return p.reason === "noDeadline" ? `“${p.title}”没有截止时间，无需延期` : `新的截止时间须晚于现在（${p.now}），并早于专项行动结束（${p.end}）`;
    case "UNKNOWN_KIND": {
      const known = (p.known as string[]) ?? [];
      const near = nearest(String(p.kind), known);
      return `计划中没有事项类型“${p.kind}”${near ? `；是否要用“${near}”？` : ""}${known.length ? `（可用：${known.join("、")}）` : "（本计划未声明可交办的事项类型）"}`;
    }
    case "NOT_OPENER":
      return `${unitName(plan, String(p.actor))}无权交办“${kindTitle()}”：只有${names(plan, p.allowed)}可以`;
    case "BAD_RECIPIENT":
      if (p.reason === "none") return `交办“${kindTitle()}”须指定承办单位（--to）`;
      if (p.reason === "notJoint") return `“${kindTitle()}”只能交办给一个单位，不能同时交办给${names(plan, p.units)}`;
      if (p.reason === "tooMany") return `“${kindTitle()}”最多由 ${p.max} 个单位共同承办，给了 ${(p.units as string[]).length} 个`;
      return `${names(plan, p.units)}不在“${kindTitle()}”可交办的范围内：只能交办给${names(plan, p.allowed)}`;
    case "BAD_DUE":
      return `交办“${kindTitle()}”：${DUE_ZH[String(p.reason)]?.(p) ?? String(p.reason)}`;
    case "BAD_LEVEL":
      return `“${kindTitle()}”没有紧急程度“${p.level}”；可选：${(p.levels as string[]).join("、")}`;
    case "BAD_FIELDS":
      return `交办“${kindTitle()}”的字段有误：${(r.problems ?? []).map((q: Problem) => renderFieldProblem(q)).join("；")}`;
    case "CAMPAIGN_OVER":
      return `专项行动已于 ${p.end} 结束，不能再交办事项`;
    case "DUPLICATE_KEY":
      return `“${kindTitle()}”中已有同一事项（${p.key}），未重复交办`;
    case "UNKNOWN_UNIT":
      return `计划中没有单位“${p.unit}”`;
    case "NOTHING_TO_URGE":
      return `${unitName(plan, String(p.unit))}目前没有未完成且有截止时间的事项，无需催办`;
    case "ALREADY_URGED":
      return `今天已于 ${String(p.at).slice(11, 16)} 催办过${unitName(plan, String(p.unit))}，每个单位每天至多催办一次，请明天再催办`;
    case "SUB_PLAN_INCOMPLETE":
      return p.reason === "none"
        ? `“${p.title}”须在下级实施方案完成后报送，但尚无挂在此事项下的下级专项行动；请先运行下级计划（parent.item: ${p.item}）`
        : `“${p.title}”须在下级实施方案完成后报送：下级专项行动“${p.campaignTitle ?? p.campaign}”已完成 ${p.done}/${p.total} 项，尚未全部完成`;
  }
}

export function rendered(plan: ResolvedPlan, r: Refusal): RenderedRefusal {
  return { ...r, message: renderRefusal(plan, r) };
}

import type { Audience, DueRule, ItemKind, Offset } from "../model/kind.ts";
import type { ResolvedPlan } from "../plan/types.ts";
import { unitList } from "./plan-text.ts";

const UNIT_ZH = { wd: "个工作日", d: "天", h: "小时" } as const;

export function offsetZh(o: Offset): string {
  return `${o.n} ${UNIT_ZH[o.unit]}`;
}

/** A kind's deadline for people: counted from the opening, or given by the opener within its bounds. */
export function dueRuleZh(d: DueRule, workingHours = false): string {
  const hours = workingHours ? "（小时按工作时间计）" : "";
  if (d.kind === "offset") return `开启后 ${offsetZh(d.offset)}${hours}`;
  const range = d.min ? `开启后 ${offsetZh(d.min)}至 ${offsetZh(d.max)}内` : `不晚于开启后 ${offsetZh(d.max)}`;
  return `由开启单位指定，${range}${d.default ? `（未指定时 ${offsetZh(d.default)}）` : ""}${hours}`;
}

/**
 * Who a kind's rule names, in words: `self` reads as the acting unit among openers, as the opener among
 * owing units and in withdraw/extend.
 */
export function audienceZh(plan: ResolvedPlan, a: Audience, self: string): string {
  const parts: string[] = [];
  if (a.any) parts.push("任一单位");
  if (a.office) parts.push(plan.leadingGroup.office.name ?? "领导小组办公室");
  if (a.taskLeads) parts.push("各任务牵头部门");
  if (a.self) parts.push(self);
  if (a.units.size) parts.push(unitList(plan, [...a.units]));
  return parts.join("、") || "无";
}

/** A kind as the lines of `duban plan`: who opens, who owes and reviews, the deadline and the rest. */
export function kindLines(plan: ResolvedPlan, k: ItemKind): string[] {
  const reviewer = k.reviewer === "office" ? (plan.leadingGroup.office.name ?? "领导小组办公室") : "开启单位";
  const joint = k.joint ? `；可由至多 ${k.joint.maxUnits} 个单位共同承办，${k.joint.submit === "lead" ? "由牵头单位报送" : "任一承办单位可报送"}` : "";
  const lines = [
    `  ${k.title}（${k.id}）${k.source ? `  出处：${k.source}` : ""}`,
    `      开启：${audienceZh(plan, k.openers, "本单位（为自身开启）")} → 承办：${audienceZh(plan, k.recipients, "开启单位自身")}${joint} → 审核：${reviewer}`,
    `      期限：${k.followUp ? `首报 ${offsetZh(k.followUp.first)}内，此后每 ${k.followUp.everyWorkingDays} 个工作日续报，直至终报` : dueRuleZh(k.due, k.workingHours)}${k.assumed !== undefined ? `（期限为假定：${k.assumed}）` : ""}`,
  ];
  if (k.acknowledge) lines.push(`      签收：开启后 ${offsetZh(k.acknowledge.within)}内，未签收时告知 ${k.acknowledge.notify.join("、")}（${k.acknowledge.level} 级）`);
  const levels = k.levels.map((l) => `${l.id}（${l.policy}${l.due ? `，${dueRuleZh(l.due, k.workingHours)}` : ""}）`);
  lines.push(`      紧急程度：${levels.join("、")}`);
  if (k.fields.length) lines.push(`      字段：${k.fields.map((f) => `${f.title}${f.required ? "*" : ""}`).join("、")}${k.key.length ? `；导入时按 ${k.key.map((id) => k.fields.find((f) => f.id === id)?.title ?? id).join("+")} 识别重复行` : ""}`);
  const more = [k.withdraw, k.extend].map((a) => audienceZh(plan, a, "开启单位"));
  if (more.some((m) => m !== "无")) lines.push(`      撤销：领导小组办公室${more[0] !== "无" ? `、${more[0]}` : ""}；延期：领导小组办公室${more[1] !== "无" ? `、${more[1]}` : ""}`);
  return lines;
}

/** A kind's audience as JSON: unit ids as a sorted list. */
export function audienceJson(a: Audience) {
  return { office: a.office, taskLeads: a.taskLeads, self: a.self, any: a.any, units: [...a.units] };
}

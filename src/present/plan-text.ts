import { DateTime } from "luxon";
import { formatLocal } from "../engine/calendar.ts";
import type { Audience, DueRule, ItemKind } from "../model/kind.ts";
import { offsetZh } from "../plan/kinds.ts";
import type { Assignment, ResolvedPlan } from "../plan/types.ts";
import { phaseOf } from "../plan/phase-of.ts";
import { instanceOf } from "../plan/ids.ts";
import { assumedZh, NO_DEADLINE_ZH } from "./due-note.ts";


export function unitName(plan: ResolvedPlan, id: string): string {
  const u = plan.units.get(id);
  return u ? (u.short ?? u.name) : id;
}

/** Unit list for people: a whole group is shown by its name ("各区县（自治县）人力社保部门（38）"). */
export function unitList(plan: ResolvedPlan, ids: string[], mark: (id: string) => string = () => ""): string {
  const rest = new Set(ids);
  const parts: string[] = [];
  for (const [id, g] of plan.groups) {
    if (g.members.length > 1 && g.members.every((m) => rest.has(m) && !mark(m))) {
      parts.push(`${g.name ?? id}（${g.members.length}）`);
      for (const m of g.members) rest.delete(m);
    }
  }
  return [...[...rest].map((id) => unitName(plan, id) + mark(id)), ...parts].join("、");
}

/** The office is shown as the office, not as the division that hosts it. */
export function recipientName(plan: ResolvedPlan, id: string): string {
  return id === plan.leadingGroup.office.unit ? (plan.leadingGroup.office.name ?? unitName(plan, id)) : unitName(plan, id);
}

/** Assignments that share a deliverable instance (or task) and a due instant, listed once with their units. */
function groupAssignments(items: Assignment[]) {
  const groups = new Map<string, Assignment[]>();
  for (const a of items) {
    const key = `${instanceOf(a.id)}|${a.dueAt}`;
    (groups.get(key) ?? groups.set(key, []).get(key)!).push(a);
  }
  // Items without a deadline (tasks) come after the dated ones of their phase.
  const order = (a: Assignment) => a.dueAt ?? Number.MAX_SAFE_INTEGER;
  return [...groups.values()].sort((x, y) => order(x[0]!) - order(y[0]!));
}

/** One-screen summary printed by `duban validate`. */
export function planSummary(plan: ResolvedPlan): string {
  const kinds = new Map<string, number>();
  for (const u of plan.units.values()) kinds.set(u.kind, (kinds.get(u.kind) ?? 0) + 1);
  const kindZh: Record<string, string> = { department: "部门", district: "区县", external: "外部单位", person: "人员" };
  const dues = plan.assignments.flatMap((a) => (a.dueAt === null ? [] : [a.dueAt]));
  const undated = plan.assignments.length - dues.length;
  const assumed = plan.deliverables.filter((d) => d.assumed !== undefined).map((d) => d.id);
  const assumedKinds = [...plan.kinds.values()].filter((k) => k.assumed !== undefined).map((k) => k.id);
  const zone = plan.campaign.timezone;
  const lines = [
    `${plan.campaign.title}（${plan.campaign.issuer}）`,
    `  时间：${plan.campaign.start} 至 ${plan.campaign.end}（${zone}）`,
    `  单位：${plan.units.size} 个（${[...kinds].map(([k, n]) => `${kindZh[k] ?? k} ${n}`).join("，")}）；分组 ${plan.groups.size} 个`,
    `  阶段：${plan.phases.map((p) => `${p.name} ${p.start}～${p.end}`).join("；")}`,
    `  重点任务：${plan.tasks.length} 项；报送事项：${plan.deliverables.length} 项；责任分解：${plan.assignments.length} 条${undated ? `（其中 ${undated} 条不设截止时间，不催报）` : ""}`,
  ];
  // reduce, not Math.min(...dues): a national plan has 300k dues, more arguments than the stack holds.
  if (dues.length) lines.push(`  最早截止：${formatLocal(dues.reduce((a, b) => Math.min(a, b)), zone)}；最晚截止：${formatLocal(dues.reduce((a, b) => Math.max(a, b)), zone)}`);
  if (plan.kinds.size) lines.push(`  运行中开启的事项：${plan.kinds.size} 类（${[...plan.kinds.values()].map((k) => k.title).join("、")}）`);
  if (assumed.length) lines.push(`  假定日期：${assumed.join("、")} 的截止日期是假定的，不是方案写明的日期，待核实`);
  if (assumedKinds.length) lines.push(`  假定期限：${assumedKinds.join("、")} 的期限是假定的，不是方案写明的期限，待核实`);
  lines.push(`  版本：${plan.hash.slice(0, 12)}`);
  return lines.join("\n");
}

/** The resolved plan grouped by phase, for a terminal. */
export function planTable(plan: ResolvedPlan): string {
  const zone = plan.campaign.timezone;
  const out: string[] = [`${plan.campaign.title}  ${plan.campaign.start} ～ ${plan.campaign.end}`];
  const byPhase = new Map<string, Assignment[]>();
  for (const a of plan.assignments) {
    const phase = phaseOf(plan, a);
    (byPhase.get(phase) ?? byPhase.set(phase, []).get(phase)!).push(a);
  }
  for (const p of plan.phases) {
    out.push("", `■ ${p.name}  ${p.start} ～ ${p.end}`);
    for (const group of groupAssignments(byPhase.get(p.id) ?? [])) {
      const a = group[0]!;
      const what = a.kind === "task" ? `任务：${a.title}` : a.title;
      const shifted = a.dueShiftedFrom && a.dueAt !== null ? `（原定 ${a.dueShiftedFrom}，遇休息日${a.dueShiftedFrom < formatLocal(a.dueAt, zone, false) ? "顺延" : "提前"}）` : "";
      const lead = new Set(group.filter((g) => g.role === "lead").map((g) => g.unit));
      const due = a.dueAt === null ? NO_DEADLINE_ZH : formatLocal(a.dueAt, zone);
      out.push(`  ${due}  ${what} → ${recipientName(plan, a.to)}${shifted}${assumedZh(a.dueAssumed)}`);
      out.push(`      ${group.length} 个单位：${unitList(plan, group.map((g) => g.unit), (id) => (lead.has(id) ? "（牵头）" : ""))}`);
    }
  }
  if (plan.kinds.size) {
    out.push("", `■ 运行中开启的事项（${plan.kinds.size} 类，事项发生时开启）`);
    for (const k of plan.kinds.values()) out.push(...kindLines(plan, k));
  }
  return out.join("\n");
}

/** A Mermaid Gantt chart of phases and deadlines, for the office's slides. */
export function planMermaid(plan: ResolvedPlan): string {
  const zone = plan.campaign.timezone;
  const date = (ms: number) => DateTime.fromMillis(ms, { zone }).toISODate();
  const clean = (s: string) => s.replace(/[:#;]/g, " ");
  const out = ["gantt", `  title ${clean(plan.campaign.title)}`, "  dateFormat YYYY-MM-DD", "  axisFormat %m-%d", "  section 阶段"];
  for (const p of plan.phases) out.push(`  ${clean(p.name)} :${p.id}, ${p.start}, ${date(p.endAt)}`);
  const milestones = new Map<string, { title: string; due: number }>();
  for (const a of plan.assignments) {
    if (a.kind !== "deliverable" || a.dueAt === null) continue;
    const key = instanceOf(a.id);
    if (!milestones.has(key)) milestones.set(key, { title: a.dueAssumed !== undefined ? `${a.title}（假定日期）` : a.title, due: a.dueAt });
  }
  out.push("  section 报送截止");
  for (const m of [...milestones.values()].sort((a, b) => a.due - b.due)) out.push(`  ${clean(m.title)} :milestone, ${date(m.due)}, 0d`);
  if (plan.tasks.length) {
    out.push("  section 重点任务");
    for (const t of plan.tasks) {
      const phases = plan.phases.filter((p) => t.phases.includes(p.id));
      if (phases.length) out.push(`  ${clean(t.title)} :${phases[0]!.start}, ${date(phases[phases.length - 1]!.endAt)}`);
    }
  }
  return out.join("\n");
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

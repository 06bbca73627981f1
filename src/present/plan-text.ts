import { DateTime } from "luxon";
import { formatLocal } from "../engine/calendar.ts";
import type { Assignment, ResolvedPlan } from "../plan/types.ts";
import { phaseOf } from "../plan/phase-of.ts";
import { instanceOf } from "../plan/ids.ts";
import { assumedZh, NO_DEADLINE_ZH } from "./due-note.ts";
import { kindLines } from "./kind-text.ts";


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

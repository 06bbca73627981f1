import type { EpochMs, WorkCalendar } from "../engine/calendar.ts";
import { resolveRecipients } from "../engine/ladder.ts";
import { ACK_STEP, URGE_STEP, buildSchedule, itemScheduleOptions, stepNotify, type Schedule } from "../engine/schedule.ts";
import type { Assignment, PolicyStep, ResolvedPlan } from "../plan/types.ts";
import { recipientName } from "../present/plan-text.ts";
import { numberZh } from "./format.ts";

/** What a plain (level 0) step is, from its offset: before, on, or after the due date. */
function plainStepZh(step: PolicyStep): string {
  const unit = step.unit === "wd" ? "个工作日" : "小时";
  if (step.offset < 0) return `到期前${-step.offset}${unit}提醒`;
  if (step.offset === 0) return "到期当日提醒";
  if (step.repeat === 1) return "逾期催报（每个工作日一次）";
  return step.repeat > 1 ? `逾期催报（每${step.repeat}个工作日一次）` : "逾期催报";
}

/** Names of who a step tells about one assignment: "领导小组办公室", "何振国". */
export function stepRecipients(plan: ResolvedPlan, a: Assignment, step: PolicyStep): string[] {
  return resolveRecipients(plan, a, step.notify);
}

/**
 * The ladder step in words: "第二级督办：已告知领导小组办公室" for an escalation, "到期前3个工作日提醒"
 * for a plain reminder. Falls back to the level alone when the plan no longer has the step.
 */
export function stepZh(plan: ResolvedPlan, a: Assignment | undefined, stepIndex: number, level: number): string {
  if (stepIndex === URGE_STEP) return "领导小组办公室催办";
  if (stepIndex === ACK_STEP) {
    const told = a ? resolveRecipients(plan, a, stepNotify(plan, a, ACK_STEP)).map((r) => recipientName(plan, r)) : [];
    return `超时未签收${told.length ? `：已告知${told.join("、")}` : ""}`;
  }
  const step = a ? plan.policies.get(a.policy)?.steps[stepIndex] : undefined;
  if (level > 0) {
    const told = a && step ? stepRecipients(plan, a, step).map((r) => recipientName(plan, r)) : [];
    return `第${numberZh(level)}级督办${told.length ? `：已告知${told.join("、")}` : ""}`;
  }
  return step ? plainStepZh(step) : "提醒";
}

/** The highest step of an assignment's policy at a level: what "escalated to level N" last did. */
export function stepForLevel(plan: ResolvedPlan, a: Assignment, level: number): number | undefined {
  const steps = plan.policies.get(a.policy)?.steps ?? [];
  let found: number | undefined;
  for (const s of steps) if (s.level === level) found = s.index;
  return found;
}

/**
 * Finds who else the ladder told about an assignment at the same send slot, by rebuilding its
 * schedule: several steps can fire at one instant (the unit's own reminder and the office's
 * escalation), and each recipient should know the others were told. Schedules are shared by
 * every assignment with the same policy, opening and due instant, so they are built once.
 */
export class CoRecipients {
  private static readonly byPlan = new WeakMap<ResolvedPlan, CoRecipients>();

  /** One per plan version, so a dispatcher composing thousands of messages builds each schedule once. */
  static for(plan: ResolvedPlan, calendar: WorkCalendar): CoRecipients {
    let c = CoRecipients.byPlan.get(plan);
    if (!c) CoRecipients.byPlan.set(plan, (c = new CoRecipients(plan, calendar)));
    return c;
  }

  private readonly cache = new Map<string, Schedule>();
  private constructor(
    private readonly plan: ResolvedPlan,
    private readonly calendar: WorkCalendar,
  ) {}

  at(a: Assignment, dueAt: EpochMs, at: EpochMs): string[] {
    const policy = this.plan.policies.get(a.policy);
    if (!policy) return [];
    const opts = itemScheduleOptions(this.plan, a);
    const key = `${a.policy}|${a.opensAt}|${dueAt}|${opts.exactHours ? "h" : ""}|${opts.ack ? opts.ack.at : ""}`;
    let s = this.cache.get(key);
    if (!s) {
      s = buildSchedule({ calendar: this.calendar, sendAt: this.plan.calendar.sendAt, campaignEndAt: this.plan.campaign.endAt }, policy, a.opensAt, dueAt, opts);
      this.cache.set(key, s);
    }
    const out = new Set<string>();
    for (const t of s.triggers) {
      if (t.at === at && t.type === "reminded") for (const r of resolveRecipients(this.plan, a, stepNotify(this.plan, a, t.step))) out.add(r);
    }
    return [...out];
  }
}

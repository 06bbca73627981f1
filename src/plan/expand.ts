import { weekday, WEEKDAY_ZH } from "../engine/calendar.ts";
import type { DateEvaluator } from "./dates.ts";
import type { References } from "./references.ts";
import { DEFAULTS, type ResolveContext } from "./resolve-context.ts";
import { recurrenceDays } from "./recurrence.ts";
import { suggest } from "./schema.ts";
import type { PathSegment } from "./source.ts";
import type { Assignment, IsoDate, Phase, Policy, Recurrence, RestDayRule, Task, UnitId } from "./types.ts";

/**
 * The plan's items: one assignment per unit owing a deliverable (per instance of a recurring one) and
 * per unit running a task, each with its opening and due instants, phase, recipient and policy.
 */
export class Expander {
  constructor(
    private readonly ctx: ResolveContext,
    private readonly refs: References,
    private readonly dates: DateEvaluator,
  ) {}

  deliverableAssignments(policies: Map<string, Policy>, tasks: Task[]): Assignment[] {
    const out: Assignment[] = [];
    const office = this.ctx.p.leadingGroup.office.unit;
    const dueTime = this.ctx.dueTime;
    for (const [i, d] of (this.ctx.p.deliverables ?? []).entries()) {
      const path: PathSegment[] = ["deliverables", i];
      const task = d.task !== undefined ? tasks.find((t) => t.id === d.task) : undefined;
      if (d.task !== undefined && !task) this.ctx.err("UNKNOWN_REF", `未知任务“${d.task}”${suggest(d.task, tasks.map((t) => t.id))}`, [...path, "task"]);
      const phase = d.phase !== undefined ? this.refs.phaseRef(d.phase, [...path, "phase"]) : undefined;
      const to = d.to === undefined || d.to === "office" ? office : d.to;
      if (d.to !== undefined && d.to !== "office") this.refs.unitRef(d.to, [...path, "to"], "organisation");
      const errorsBefore = this.ctx.errors;
      const expanded = this.refs.expandRefs(d.from, [...path, "from"]);
      // A unit does not report to itself: the office's host division listed among @task-leads owes the
      // office nothing. The recipient is dropped from the owners, and the writer is told.
      const from = expanded.filter((u) => u !== to);
      if (from.length < expanded.length)
        this.ctx.warn("SELF_RECIPIENT", `${this.recipientLabel(to)}是“${d.id}”的接收单位，不向自身报送；已从报送单位中略去`, [...path, "from"]);
      if (from.length === 0 && expanded.length > 0) this.ctx.err("EMPTY_ASSIGNEES", `“${d.id}”没有任何报送单位：from 中只有接收单位本身；请在 from 中列出报送单位，或改 to`, [...path, "from"]);
      // An unknown group is already reported; an empty list because of it is the same mistake, not a second one.
      else if (from.length === 0 && d.from.length > 0 && this.ctx.errors === errorsBefore) this.ctx.err("EMPTY_ASSIGNEES", `“${d.id}”没有任何报送单位：展开组后 from 列表为空；请在 from 中列出单位，或检查所列组的成员`, [...path, "from"]);
      // defaults.policy is checked once, in resolvePolicies; only a deliverable's own policy is checked here.
      const policy = d.policy !== undefined ? this.refs.policyRef(d.policy, policies, [...path, "policy"]) : (this.ctx.p.defaults?.policy ?? "");
      if (!policy) this.ctx.err("UNKNOWN_REF", `“${d.id}”未指定 policy，计划中也没有 defaults.policy；请填写其中之一`, path);
      const rule = this.dates.restRule(d);

      const opensDate = d.opens !== undefined ? this.dates.evalExpr(d.opens, [...path, "opens"], "keep") : (phase?.start ?? this.ctx.p.campaign.start);
      const instances: { suffix: string; due: IsoDate; written: IsoDate; opens: IsoDate | undefined; opensTime?: string; duePath: PathSegment[] }[] = [];
      if (d.due !== undefined) {
        // A duplicate id is already reported; its own due expression is still checked, not the first one's.
        const due = this.dates.indexOf(d.id) === i ? this.dates.deliverableDue(d.id, [...path, "due"]) : this.dates.evalExpr(d.due, [...path, "due"], rule);
        const written = this.dates.writtenDate(d.due);
        if (due !== undefined) instances.push({ suffix: "", due, written: written ?? due, opens: opensDate, duePath: [...path, "due"] });
      } else if (d.recurring) {
        const rp = [...path, "recurring"];
        const errorsBefore = this.ctx.errors;
        const from = this.dates.evalExpr(d.recurring.from, [...rp, "from"], "keep");
        const until = this.dates.evalExpr(d.recurring.until, [...rp, "until"], "keep");
        if (from !== undefined && until !== undefined) {
          let prevDue = opensDate !== undefined && opensDate > from ? opensDate : from;
          let prevTime = "00:00";
          for (const day of this.seriesDays(d.recurring, from, until, rp)) {
            const due = this.dates.applyRestDayRule(day, rule);
            instances.push({ suffix: `@${day}`, due, written: day, ...this.instanceOpening(prevDue, prevTime, due), duePath: [...rp] });
            prevDue = due;
            prevTime = dueTime; // the next instance opens when this one falls due, not at midnight of that day
          }
          if (instances.length === 0 && this.ctx.errors === errorsBefore)
            this.ctx.err("EMPTY_ASSIGNEES", `“${d.id}”的周期安排在 ${from} 至 ${until} 之间没有任何日期；请检查 monthDays、weekdays、months、everyWorkingDays 和起止日期`, rp);
          this.warnSeriesOnRestDays(d.id, instances, rule, rp);
        }
      }
      if (d.assumed !== undefined && instances.length > 0) {
        const dates = [...new Set(instances.map((x) => x.due))];
        const shown = dates.slice(0, 8).join("、") + (dates.length > 8 ? ` 等，共 ${dates.length} 个` : "");
        this.ctx.warn("ASSUMED_DATE", `“${d.id}”的截止日期 ${shown} 是假定的，不是方案写明的日期（${d.assumed}）；核实后请改为确定日期并删去 assumed`, instances[0]!.duePath);
      }
      for (const inst of instances) {
        if (!this.ctx.insideCampaign(inst.due, inst.duePath, `“${d.id}”的截止日期`)) continue;
        if (phase && (inst.due < phase.start || inst.due > phase.end))
          this.ctx.err("DATE_OUTSIDE_PHASE", `“${d.id}”的截止日期 ${inst.due} 不在所属阶段“${phase.name}”（${phase.start} 至 ${phase.end}）内；请调整截止日期或 phase`, inst.duePath);
        if (inst.opens !== undefined && inst.opens > inst.due)
          this.ctx.err("DUE_BEFORE_OPEN", `“${d.id}”的截止日期 ${inst.due} 早于开始报送日期 ${inst.opens}；请调整 due 或 opens`, inst.duePath);
        if (inst.due !== inst.written && d.due !== undefined)
          this.ctx.warn("DUE_ON_REST_DAY", `${inst.written}（${WEEKDAY_ZH[weekday(inst.written)]}）是休息日；按规则“${rule}”，“${d.id}”的截止日期${inst.due > inst.written ? "顺延" : "提前"}至 ${inst.due}（${WEEKDAY_ZH[weekday(inst.due)]}）`, inst.duePath);
        const dueAt = this.ctx.calendar.at(inst.due, dueTime);
        const ownPhase = phase?.id ?? this.phaseAt(dueAt, task?.phases);
        const opensAt = this.ctx.calendar.at(inst.opens ?? this.ctx.p.campaign.start, inst.opensTime ?? "00:00");
        for (const unit of from) {
          out.push({
            id: `${d.id}${inst.suffix}/${unit}`,
            kind: "deliverable",
            unit,
            role: "owner",
            title: d.title,
            deliverable: d.id,
            ...(task ? { task: task.id } : {}),
            ...(ownPhase ? { phase: ownPhase } : {}),
            to,
            lead: task?.lead ?? to,
            policy,
            opensAt,
            dueAt,
            ...(inst.due !== inst.written ? { dueShiftedFrom: inst.written } : {}),
            ...(d.assumed !== undefined ? { dueAssumed: d.assumed } : {}),
            ...(d.requiresSubPlan ? { requiresSubPlan: true as const } : {}),
          });
        }
      }
    }
    return out;
  }

  /**
   * When a recurring instance opens: when the one before it falls due (`prev` at `prevTime`), but never
   * so late that no send time lies between its opening and its own due instant. A rest-day rule can
   * move two instances of a daily series onto one day; the later one then opens at that day's send
   * time (or the last one before its due), so the unit is told and can still hand it in on time.
   * An opening after the due date is left as it is, for the DUE_BEFORE_OPEN check to report, and none
   * is moved before the campaign starts.
   */
  private instanceOpening(prev: IsoDate, prevTime: string, due: IsoDate): { opens: IsoDate; opensTime: string } {
    const sendAt = this.ctx.sendTime;
    const dueAt = this.ctx.calendar.at(due, this.ctx.dueTime);
    let send = this.ctx.calendar.isWorkingDay(due) ? due : this.ctx.calendar.previousWorkingDay(due);
    if (this.ctx.calendar.at(send, sendAt) >= dueAt) send = this.ctx.calendar.previousWorkingDay(send);
    if (prev > due || send < this.ctx.p.campaign.start || this.ctx.calendar.at(prev, prevTime) <= this.ctx.calendar.at(send, sendAt)) return { opens: prev, opensTime: prevTime };
    return { opens: send, opensTime: sendAt };
  }

  /** The days of a series as written; a rule it cannot keep is an error at its key (see recurrenceDays). */
  private seriesDays(r: Recurrence, from: IsoDate, until: IsoDate, path: PathSegment[]): IsoDate[] {
    return recurrenceDays(r, from, until, this.ctx.calendar, (message, at, key) => this.ctx.err("BAD_RECURRENCE", message, [...path, ...at], key));
  }

  /**
   * One DUE_ON_REST_DAY warning per series, as a one-off deliverable gets one per date: how many of its
   * dates fall on rest days and where they move, so a clerk sees that "every 28th" is not always the 28th.
   */
  private warnSeriesOnRestDays(id: string, instances: readonly { due: IsoDate; written: IsoDate }[], rule: RestDayRule, path: PathSegment[]): void {
    const moved = instances.filter((i) => i.due !== i.written);
    if (!moved.length) return;
    const day = (d: IsoDate) => `${d}（${WEEKDAY_ZH[weekday(d)]}）`;
    const shown = moved.slice(0, 3).map((i) => `${day(i.written)} → ${day(i.due)}`).join("、") + (moved.length > 3 ? " 等" : "");
    const way = moved.some((i) => i.due > i.written) ? (moved.some((i) => i.due < i.written) ? "移动" : "顺延") : "提前";
    this.ctx.warn("DUE_ON_REST_DAY", `“${id}”的 ${instances.length} 次截止日期中有 ${moved.length} 次是休息日，按规则“${rule}”${way}至工作日：${shown}`, path);
  }

  /** How a recipient is named in a message: the office by its name and host unit. */
  private recipientLabel(id: UnitId): string {
    const office = this.ctx.p.leadingGroup.office;
    const name = this.refs.units.get(id)?.name ?? id;
    return id === office.unit ? `${office.name ?? "领导小组办公室"}（设在${name}）` : `“${id}”（${name}）`;
  }

  taskAssignments(tasks: Task[]): Assignment[] {
    const out: Assignment[] = [];
    const dueTime = this.ctx.dueTime;
    for (const [i, t] of tasks.entries()) {
      const input = this.ctx.p.tasks![i]!;
      const phases = t.phases.map((id) => this.refs.phases.get(id)).filter((x): x is Phase => x !== undefined);
      if (phases.length === 0) continue;
      const first = phases.reduce((a, b) => (a.start <= b.start ? a : b));
      const last = phases.reduce((a, b) => (a.end >= b.end ? a : b));
      // A task falls due only when the plan says so: a document that assigns a task for a phase asks its
      // units to do the work, not to hand it in on the phase's last day. Without `due:` the task is an item
      // on the board with no deadline (its progress is reported through the plan's deliverables).
      let dueAt: number | null = null;
      let policy = "";
      if (input.due !== undefined) {
        const d = this.dates.evalExpr(input.due, ["tasks", i, "due"], this.ctx.p.calendar?.dueOnRestDay ?? DEFAULTS.dueOnRestDay);
        if (d === undefined) continue;
        this.ctx.insideCampaign(d, ["tasks", i, "due"], `任务“${t.id}”的截止日期`);
        dueAt = this.ctx.calendar.at(d, dueTime);
        policy = input.policy ?? this.ctx.p.defaults?.taskPolicy ?? this.ctx.p.defaults?.policy ?? "";
        if (!policy) this.ctx.err("UNKNOWN_REF", `任务“${t.id}”未指定 policy，计划中也没有 defaults.taskPolicy；请填写其中之一`, ["tasks", i]);
      }
      // A task's items belong to one of its own phases: the one its due date falls in, else its last;
      // without a deadline, the phase it opens in.
      const phase = dueAt === null ? first.id : (this.phaseAt(dueAt, t.phases, true) ?? last.id);
      for (const [unit, role] of [[t.lead, "lead"], ...t.support.map((u) => [u, "support"])] as [string, "lead" | "support"][]) {
        if (!this.refs.units.has(unit)) continue;
        out.push({
          id: `${t.id}/${unit}`,
          kind: "task",
          unit,
          role,
          title: t.title,
          task: t.id,
          phase,
          to: role === "lead" ? this.ctx.p.leadingGroup.office.unit : t.lead,
          lead: t.lead,
          policy,
          opensAt: this.ctx.calendar.at(first.start, "00:00"),
          dueAt,
        });
      }
    }
    return out;
  }

  /**
   * The phase an item belongs to when the plan names none: the one its due instant falls in, preferring
   * its task's phases where phases overlap, else the first listed (`only`: none but those). Boards and
   * summaries count by it.
   */
  private phaseAt(dueAt: number, prefer: readonly string[] = [], only = false): string | undefined {
    const holding = [...this.refs.phases.values()].filter((p) => dueAt >= p.startAt && dueAt < p.endAt);
    return (holding.find((p) => prefer.includes(p.id)) ?? (only ? undefined : holding[0]))?.id;
  }
}

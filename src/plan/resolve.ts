import { IANAZone } from "luxon";
import { addDays, isRealDate, weekday, WEEKDAY_ZH, WorkCalendar, type CnCalendarData, type IsoDate } from "../engine/calendar.ts";
import type { DiagnosticSink } from "./diagnostics.ts";
import { suggest } from "./schema.ts";
import { resolveScoring } from "./scoring.ts";
import type { PathSegment, PlanSource } from "./source.ts";
import { recurrenceDays } from "./recurrence.ts";
import { parseOffset, parseTimeExpr, type TimeExpr } from "./time-expr.ts";
import {
  RecipientRole,
  type Assignment,
  type DeliverableInput,
  type Phase,
  type PlanInput,
  type Policy,
  type Recurrence,
  type ResolvedPlan,
  type RestDayRule,
  type Task,
  type TaskInput,
  type Unit,
  type UnitId,
} from "./types.ts";

/** Built-in group: the lead unit of every task. */
export const TASK_LEADS_GROUP = "task-leads";

const KIND_ZH = { department: "部门", district: "区县", external: "外部单位", person: "人员" } as const;

const DEFAULTS = { timezone: "Asia/Shanghai", language: "zh-CN", base: "cn", sendAt: "09:00", dueAt: "18:00", dueOnRestDay: "next" } as const;

/**
 * Semantic checks and resolution in one pass: every reference is looked up, every date computed,
 * every problem reported with its position. Returns undefined when there were errors.
 */
export function resolvePlan(input: PlanInput, source: PlanSource, hash: string, sink: DiagnosticSink, data?: CnCalendarData): ResolvedPlan | undefined {
  const r = new Resolver(input, source, sink, data);
  return r.run(hash);
}

class Resolver {
  private errors = 0;
  private readonly units = new Map<UnitId, Unit>();
  private readonly groups = new Map<string, { name?: string; members: UnitId[] }>();
  private readonly phases = new Map<string, Phase>();
  private readonly dueDates = new Map<string, IsoDate | null>(); // null while being computed: cycle detection
  private readonly deliverableIndex = new Map<string, number>();
  private calendar!: WorkCalendar;
  private zone = DEFAULTS.timezone as string;

  constructor(
    private readonly p: PlanInput,
    private readonly source: PlanSource,
    private readonly sink: DiagnosticSink,
    private readonly data: CnCalendarData | undefined,
  ) {}

  private err(code: Parameters<DiagnosticSink["error"]>[0], message: string, path: PathSegment[], key = false) {
    this.errors++;
    this.sink.error(code, message, this.source.position(path, { key }));
  }
  private warn(code: Parameters<DiagnosticSink["warning"]>[0], message: string, path: PathSegment[], key = false) {
    this.sink.warning(code, message, this.source.position(path, { key }));
  }

  run(hash: string): ResolvedPlan | undefined {
    const p = this.p;
    this.zone = p.campaign.timezone ?? DEFAULTS.timezone;
    if (!IANAZone.isValidZone(this.zone)) {
      this.err("BAD_ZONE", `“${this.zone}”不是有效的时区；请使用 IANA 时区名，例如 Asia/Shanghai`, ["campaign", "timezone"]);
      this.zone = DEFAULTS.timezone;
    }
    const cal = p.calendar ?? {};
    for (const [i, d] of (cal.holidays ?? []).entries()) this.checkDate(d, ["calendar", "holidays", i]);
    for (const [i, d] of (cal.workdays ?? []).entries()) this.checkDate(d, ["calendar", "workdays", i]);
    this.calendar = new WorkCalendar({ base: cal.base ?? DEFAULTS.base, zone: this.zone, holidays: cal.holidays, workdays: cal.workdays, ...(this.data ? { data: this.data } : {}) });

    const startOk = this.checkDate(p.campaign.start, ["campaign", "start"]);
    const endOk = this.checkDate(p.campaign.end, ["campaign", "end"]);
    if (startOk && endOk && p.campaign.end < p.campaign.start)
      this.err("PHASE_ORDER", `专项行动的结束日期（${p.campaign.end}）早于开始日期（${p.campaign.start}）；请检查 campaign 的 start 和 end`, ["campaign", "end"]);

    this.indexUnits();
    this.indexGroups();
    this.checkLeadingGroup();
    this.indexPhases();
    const policies = this.resolvePolicies();
    const tasks = this.resolveTasks(policies);
    this.indexDeliverables();
    const assignments = [...this.deliverableAssignments(policies, tasks), ...this.taskAssignments(tasks)];
    this.checkCalendarCoverage(assignments);
    this.checkContacts(assignments);
    const scoring = resolveScoring(p, (code, message, path, key) => this.err(code, message, path, key));
    if (this.errors > 0) return undefined;

    const at = (d: IsoDate, t: string) => this.calendar.at(d, t);
    return {
      hash,
      file: this.source.file,
      campaign: {
        id: p.campaign.id,
        title: p.campaign.title,
        issuer: p.campaign.issuer,
        document: p.campaign.document,
        timezone: this.zone,
        language: p.campaign.language ?? DEFAULTS.language,
        start: p.campaign.start,
        end: p.campaign.end,
        startAt: at(p.campaign.start, "00:00"),
        endAt: at(addDays(p.campaign.end, 1), "00:00"),
        baseUrl: p.campaign.baseUrl,
      },
      calendar: {
        base: cal.base ?? DEFAULTS.base,
        sendAt: cal.sendAt ?? DEFAULTS.sendAt,
        dueAt: cal.dueAt ?? DEFAULTS.dueAt,
        dueOnRestDay: cal.dueOnRestDay ?? DEFAULTS.dueOnRestDay,
        holidays: cal.holidays ?? [],
        workdays: cal.workdays ?? [],
        ...(this.data ? { data: this.data } : {}),
      },
      units: this.units,
      groups: this.groups,
      leadingGroup: {
        name: p.leadingGroup.name,
        leader: p.leadingGroup.leader,
        deputies: p.leadingGroup.deputies ?? [],
        members: p.leadingGroup.members ?? [],
        office: p.leadingGroup.office,
      },
      phases: [...this.phases.values()],
      tasks,
      deliverables: p.deliverables ?? [],
      policies,
      assignments,
      kinds: new Map(),
      ...(scoring ? { scoring } : {}),
    };
  }

  private checkDate(date: string, path: PathSegment[]): boolean {
    if (isRealDate(date)) return true;
    this.err("BAD_DATE", `${date} 不是有效日期`, path);
    return false;
  }

  private insideCampaign(date: IsoDate, path: PathSegment[], what: string): boolean {
    const { start, end } = this.p.campaign;
    if (date >= start && date <= end) return true;
    this.err("DATE_OUTSIDE_CAMPAIGN", `${what}（${date}）不在专项行动期间（${start} 至 ${end}）内；请调整到此期间`, path);
    return false;
  }

  private indexUnits(): void {
    const reserved = new Set<string>([...RecipientRole, "engine"]);
    const firstAt = new Map<string, number>();
    for (const [i, u] of this.p.units.entries()) {
      if (reserved.has(u.id)) {
        this.err("RESERVED_ID", `“${u.id}”是角色名，不能用作单位 id；请换一个 id`, ["units", i, "id"]);
        continue;
      }
      const prev = firstAt.get(u.id);
      if (prev !== undefined) {
        const line = this.source.position(["units", prev, "id"]).line;
        this.err("DUPLICATE_ID", `单位 id“${u.id}”已被第 ${line} 行的单位使用；请换一个 id`, ["units", i, "id"]);
        continue;
      }
      firstAt.set(u.id, i);
      this.units.set(u.id, {
        id: u.id,
        name: u.name,
        short: u.short,
        kind: u.kind,
        parent: u.parent,
        title: u.title,
        email: u.contacts?.email ?? [],
        webhooks: u.contacts?.webhooks ?? [],
        groups: [],
      });
    }
    for (const [i, u] of this.p.units.entries()) {
      if (u.parent !== undefined) this.unitRef(u.parent, ["units", i, "parent"]);
      if (u.kind === "person" && u.parent === undefined) this.warn("UNKNOWN_REF", `人员“${u.id}”没有填写 parent；请填写其所属单位的 id`, ["units", i]);
    }
  }

  /** Looks up one unit id; reports it with a suggestion when unknown. */
  private unitRef(id: string, path: PathSegment[], kind?: "person" | "organisation"): Unit | undefined {
    const u = this.units.get(id);
    if (!u) {
      this.err("UNKNOWN_REF", `未知单位“${id}”${suggest(id, this.units.keys())}`, path);
      return undefined;
    }
    if (kind === "person" && u.kind !== "person") this.err("WRONG_KIND", `“${id}”是${KIND_ZH[u.kind]}（${u.kind}），此处需要填写人员（kind: person）`, path);
    if (kind === "organisation" && u.kind === "person") this.err("WRONG_KIND", `“${id}”是人员（person），此处需要填写单位`, path);
    return u;
  }

  private indexGroups(): void {
    const raw = this.p.groups ?? {};
    if (Object.hasOwn(raw, TASK_LEADS_GROUP)) this.err("RESERVED_ID", `“${TASK_LEADS_GROUP}”是内置组（所有任务的牵头部门）；请换一个组名`, ["groups", TASK_LEADS_GROUP], true);
    const visiting = new Set<string>();
    const expand = (name: string): UnitId[] => {
      const done = this.groups.get(name);
      if (done) return done.members;
      const g = raw[name]!;
      if (visiting.has(name)) {
        this.err("CYCLE", `组“${name}”包含了自身（经由 ${[...visiting].join(" → ")}）；请去掉循环引用`, ["groups", name], true);
        return [];
      }
      visiting.add(name);
      const members: UnitId[] = [];
      for (const [i, m] of g.members.entries()) {
        if (m.startsWith("@")) {
          const ref = m.slice(1);
          if (!Object.hasOwn(raw, ref)) this.err("UNKNOWN_REF", `未知组“${m}”${suggest(ref, Object.keys(raw))}`, ["groups", name, "members", i]);
          else members.push(...expand(ref));
        } else if (this.unitRef(m, ["groups", name, "members", i])) members.push(m);
      }
      visiting.delete(name);
      const unique = [...new Set(members)];
      this.groups.set(name, { name: g.name, members: unique });
      return unique;
    };
    for (const name of Object.keys(raw)) if (name !== TASK_LEADS_GROUP) expand(name);
    for (const [name, g] of this.groups) for (const m of g.members) this.units.get(m)?.groups.push(name);
  }

  /** Expands a list of unit ids and @groups, reporting unknown ones; order kept, duplicates dropped. */
  private expandRefs(refs: readonly string[], path: PathSegment[]): UnitId[] {
    const out: UnitId[] = [];
    for (const [i, ref] of refs.entries()) {
      if (ref === `@${TASK_LEADS_GROUP}`) out.push(...(this.p.tasks ?? []).map((t) => t.lead).filter((id) => this.units.has(id)));
      else if (ref.startsWith("@")) {
        const g = this.groups.get(ref.slice(1));
        if (g) out.push(...g.members);
        else if (!(this.p.groups && Object.hasOwn(this.p.groups, ref.slice(1))))
          this.err("UNKNOWN_REF", `未知组“${ref}”${suggest(ref.slice(1), [...Object.keys(this.p.groups ?? {}), TASK_LEADS_GROUP])}`, [...path, i]);
      } else if (this.unitRef(ref, [...path, i], "organisation")) out.push(ref);
    }
    return [...new Set(out)];
  }

  private checkLeadingGroup(): void {
    const lg = this.p.leadingGroup;
    this.unitRef(lg.leader, ["leadingGroup", "leader"], "person");
    for (const [i, d] of (lg.deputies ?? []).entries()) this.unitRef(d, ["leadingGroup", "deputies", i], "person");
    for (const [i, m] of (lg.members ?? []).entries()) {
      this.unitRef(m.person, ["leadingGroup", "members", i, "person"], "person");
      this.unitRef(m.unit, ["leadingGroup", "members", i, "unit"], "organisation");
    }
    this.unitRef(lg.office.unit, ["leadingGroup", "office", "unit"], "organisation");
    if (lg.office.director !== undefined) this.unitRef(lg.office.director, ["leadingGroup", "office", "director"], "person");
  }

  /** Phases may overlap (边查边改: inspection and rectification side by side); each must end after it starts. */
  private indexPhases(): void {
    for (const [i, ph] of this.p.phases.entries()) {
      if (this.phases.has(ph.id)) {
        this.err("DUPLICATE_ID", `阶段 id“${ph.id}”已被使用；请换一个 id`, ["phases", i, "id"]);
        continue;
      }
      const ok = this.checkDate(ph.start, ["phases", i, "start"]) && this.checkDate(ph.end, ["phases", i, "end"]);
      if (!ok) continue;
      this.insideCampaign(ph.start, ["phases", i, "start"], `阶段“${ph.name}”的开始日期`);
      this.insideCampaign(ph.end, ["phases", i, "end"], `阶段“${ph.name}”的结束日期`);
      if (ph.end < ph.start) this.err("PHASE_ORDER", `阶段“${ph.name}”的结束日期（${ph.end}）早于开始日期（${ph.start}）；请检查 start 和 end`, ["phases", i, "end"]);
      const phase: Phase = {
        id: ph.id,
        name: ph.name,
        start: ph.start,
        end: ph.end,
        startAt: this.calendar.at(ph.start, "00:00"),
        endAt: this.calendar.at(addDays(ph.end, 1), "00:00"),
      };
      this.phases.set(ph.id, phase);
    }
  }

  private phaseRef(id: string, path: PathSegment[]): Phase | undefined {
    const ph = this.phases.get(id);
    if (!ph && !this.p.phases.some((x) => x.id === id)) this.err("UNKNOWN_REF", `未知阶段“${id}”${suggest(id, this.phases.keys())}`, path);
    return ph;
  }

  private resolvePolicies(): Map<string, Policy> {
    const out = new Map<string, Policy>();
    for (const [id, pol] of Object.entries(this.p.policies ?? {})) {
      const steps = pol.steps.map((s, index) => {
        const { offset, unit } = parseOffset(s.at);
        for (const [j, who] of s.notify.entries()) {
          if (!(RecipientRole as readonly string[]).includes(who) && !this.units.has(who))
            this.err("UNKNOWN_REF", `“${who}”既不是角色（${RecipientRole.join("、")}），也不是单位${suggest(who, [...RecipientRole, ...this.units.keys()])}`, ["policies", id, "steps", index, "notify", j]);
        }
        return { index, offset, unit, notify: s.notify, level: s.level ?? 0, repeat: s.repeat ?? 0 };
      });
      out.set(id, { id, dueSoon: pol.dueSoon ?? 3, steps });
    }
    const d = this.p.defaults ?? {};
    if (d.policy !== undefined) this.policyRef(d.policy, out, ["defaults", "policy"]);
    if (d.taskPolicy !== undefined) this.policyRef(d.taskPolicy, out, ["defaults", "taskPolicy"]);
    return out;
  }

  private policyRef(id: string | undefined, policies: Map<string, Policy>, path: PathSegment[]): string {
    if (id === undefined) return "";
    if (!policies.has(id)) this.err("UNKNOWN_REF", `未知督办规则“${id}”${suggest(id, policies.keys())}`, path);
    return id;
  }

  private resolveTasks(policies: Map<string, Policy>): Task[] {
    const seen = new Set<string>();
    const out: Task[] = [];
    for (const [i, t] of (this.p.tasks ?? []).entries()) {
      if (seen.has(t.id)) this.err("DUPLICATE_ID", `任务 id“${t.id}”已被使用；请换一个 id`, ["tasks", i, "id"]);
      seen.add(t.id);
      this.unitRef(t.lead, ["tasks", i, "lead"], "organisation");
      const support = this.expandRefs(t.support ?? [], ["tasks", i, "support"]);
      if (support.includes(t.lead)) this.warn("TASK_LEAD", `牵头部门“${t.lead}”也列在 support 中，只按牵头部门计一次；可从 support 中删去`, ["tasks", i, "support"]);
      const partners = this.expandRefs(t.partners ?? [], ["tasks", i, "partners"]);
      const phases = t.phases ?? this.p.phases.map((p) => p.id);
      for (const [j, ph] of (t.phases ?? []).entries()) this.phaseRef(ph, ["tasks", i, "phases", j]);
      if (t.policy !== undefined) this.policyRef(t.policy, policies, ["tasks", i, "policy"]);
      out.push({ id: t.id, number: this.taskNumber(t, i), title: t.title, scope: t.scope, lead: t.lead, support: support.filter((u) => u !== t.lead), partners, phases });
    }
    return out;
  }

  /**
   * The task's number. The old key `no` still works for one version, with a warning: YAML 1.1 readers
   * (PyYAML, older editor plugins) read the key itself as the boolean false.
   */
  private taskNumber(t: TaskInput, i: number): number | undefined {
    if (t.no === undefined) return t.number;
    if (t.number !== undefined) {
      this.err("DUPLICATE_ID", `任务“${t.id}”同时写了 number 和旧键 no；请删去 no`, ["tasks", i, "no"], true);
      return t.number;
    }
    this.warn("DEPRECATED_KEY", `键“no”已改名为“number”（YAML 1.1 的读取程序会把 no 读成布尔值 false）；请改写为 number: ${t.no}，旧键只在本版本中继续有效`, ["tasks", i, "no"], true);
    return t.no;
  }

  private indexDeliverables(): void {
    const taskIds = new Set((this.p.tasks ?? []).map((t) => t.id));
    for (const [i, d] of (this.p.deliverables ?? []).entries()) {
      if (this.deliverableIndex.has(d.id) || taskIds.has(d.id))
        this.err("DUPLICATE_ID", `“${d.id}”已是一项${taskIds.has(d.id) ? "任务" : "报送事项"}的 id；任务和报送事项共用一套 id，请换一个 id`, ["deliverables", i, "id"]);
      else this.deliverableIndex.set(d.id, i);
    }
  }

  /** Evaluates a date expression to a date, applying the rest-day rule to calendar-day results. */
  private evalExpr(text: string, path: PathSegment[], rule: RestDayRule): IsoDate | undefined {
    const parsed = parseTimeExpr(text);
    if (!parsed.ok) {
      this.err("BAD_TIME_EXPR", parsed.message, path);
      return undefined;
    }
    const base = this.anchorDate(parsed.expr, path);
    if (base === undefined) return undefined;
    const { offset, unit } = parsed.expr;
    if (unit === "wd") return this.calendar.addWorkingDays(base, offset);
    return this.applyRestDayRule(addDays(base, offset), rule);
  }

  private applyRestDayRule(date: IsoDate, rule: RestDayRule): IsoDate {
    if (rule === "keep" || this.calendar.isWorkingDay(date)) return date;
    return rule === "next" ? this.calendar.nextWorkingDay(date) : this.calendar.previousWorkingDay(date);
  }

  private anchorDate(expr: TimeExpr, path: PathSegment[]): IsoDate | undefined {
    const a = expr.anchor;
    switch (a.kind) {
      case "date":
        return this.checkDate(a.date, path) ? a.date : undefined;
      case "campaign-start":
        return this.p.campaign.start;
      case "campaign-end":
        return this.p.campaign.end;
      case "phase-start":
        return this.phaseRef(a.phase, path)?.start;
      case "phase-end":
        return this.phaseRef(a.phase, path)?.end;
      case "due":
        return this.deliverableDue(a.deliverable, path);
    }
  }

  /** The (single) due date of a one-off deliverable, computed on demand so order in the file does not matter. */
  private deliverableDue(id: string, path: PathSegment[]): IsoDate | undefined {
    const i = this.deliverableIndex.get(id);
    if (i === undefined) {
      this.err("UNKNOWN_REF", `未知报送事项“${id}”${suggest(id, this.deliverableIndex.keys())}`, path);
      return undefined;
    }
    const d = this.p.deliverables![i]!;
    if (this.dueDates.has(id)) {
      const v = this.dueDates.get(id);
      if (v === null) {
        this.err("CYCLE", `“${id}”的截止日期依赖于自身；请打断 due: 引用形成的循环`, path);
        return undefined;
      }
      // "" marks a due date that could not be computed (its error is already reported).
      return v || undefined;
    }
    if (d.due === undefined) {
      this.err("UNKNOWN_REF", `“${id}”是周期性事项，没有单一的截止日期可供引用；请改为引用日期或阶段`, path);
      return undefined;
    }
    this.dueDates.set(id, null);
    const v = this.evalExpr(d.due, ["deliverables", i, "due"], this.restRule(d));
    this.dueDates.set(id, v ?? "");
    return v;
  }

  private restRule(d: DeliverableInput): RestDayRule {
    return d.dueOnRestDay ?? this.p.calendar?.dueOnRestDay ?? DEFAULTS.dueOnRestDay;
  }

  private deliverableAssignments(policies: Map<string, Policy>, tasks: Task[]): Assignment[] {
    const out: Assignment[] = [];
    const office = this.p.leadingGroup.office.unit;
    const dueTime = this.p.calendar?.dueAt ?? DEFAULTS.dueAt;
    for (const [i, d] of (this.p.deliverables ?? []).entries()) {
      const path: PathSegment[] = ["deliverables", i];
      const task = d.task !== undefined ? tasks.find((t) => t.id === d.task) : undefined;
      if (d.task !== undefined && !task) this.err("UNKNOWN_REF", `未知任务“${d.task}”${suggest(d.task, tasks.map((t) => t.id))}`, [...path, "task"]);
      const phase = d.phase !== undefined ? this.phaseRef(d.phase, [...path, "phase"]) : undefined;
      const to = d.to === undefined || d.to === "office" ? office : d.to;
      if (d.to !== undefined && d.to !== "office") this.unitRef(d.to, [...path, "to"], "organisation");
      const errorsBefore = this.errors;
      const expanded = this.expandRefs(d.from, [...path, "from"]);
      // A unit does not report to itself: the office's host division listed among @task-leads owes the
      // office nothing. The recipient is dropped from the owners, and the writer is told.
      const from = expanded.filter((u) => u !== to);
      if (from.length < expanded.length)
        this.warn("SELF_RECIPIENT", `${this.recipientLabel(to)}是“${d.id}”的接收单位，不向自身报送；已从报送单位中略去`, [...path, "from"]);
      if (from.length === 0 && expanded.length > 0) this.err("EMPTY_ASSIGNEES", `“${d.id}”没有任何报送单位：from 中只有接收单位本身；请在 from 中列出报送单位，或改 to`, [...path, "from"]);
      // An unknown group is already reported; an empty list because of it is the same mistake, not a second one.
      else if (from.length === 0 && d.from.length > 0 && this.errors === errorsBefore) this.err("EMPTY_ASSIGNEES", `“${d.id}”没有任何报送单位：展开组后 from 列表为空；请在 from 中列出单位，或检查所列组的成员`, [...path, "from"]);
      // defaults.policy is checked once, in resolvePolicies; only a deliverable's own policy is checked here.
      const policy = d.policy !== undefined ? this.policyRef(d.policy, policies, [...path, "policy"]) : (this.p.defaults?.policy ?? "");
      if (!policy) this.err("UNKNOWN_REF", `“${d.id}”未指定 policy，计划中也没有 defaults.policy；请填写其中之一`, path);
      const rule = this.restRule(d);

      const opensDate = d.opens !== undefined ? this.evalExpr(d.opens, [...path, "opens"], "keep") : (phase?.start ?? this.p.campaign.start);
      const instances: { suffix: string; due: IsoDate; written: IsoDate; opens: IsoDate | undefined; opensTime?: string; duePath: PathSegment[] }[] = [];
      if (d.due !== undefined) {
        // A duplicate id is already reported; its own due expression is still checked, not the first one's.
        const due = this.deliverableIndex.get(d.id) === i ? this.deliverableDue(d.id, [...path, "due"]) : this.evalExpr(d.due, [...path, "due"], rule);
        const written = this.writtenDate(d.due);
        if (due !== undefined) instances.push({ suffix: "", due, written: written ?? due, opens: opensDate, duePath: [...path, "due"] });
      } else if (d.recurring) {
        const rp = [...path, "recurring"];
        const errorsBefore = this.errors;
        const from = this.evalExpr(d.recurring.from, [...rp, "from"], "keep");
        const until = this.evalExpr(d.recurring.until, [...rp, "until"], "keep");
        if (from !== undefined && until !== undefined) {
          let prevDue = opensDate !== undefined && opensDate > from ? opensDate : from;
          let prevTime = "00:00";
          for (const day of this.seriesDays(d.recurring, from, until, rp)) {
            const due = this.applyRestDayRule(day, rule);
            instances.push({ suffix: `@${day}`, due, written: day, ...this.instanceOpening(prevDue, prevTime, due), duePath: [...rp] });
            prevDue = due;
            prevTime = dueTime; // the next instance opens when this one falls due, not at midnight of that day
          }
          if (instances.length === 0 && this.errors === errorsBefore)
            this.err("EMPTY_ASSIGNEES", `“${d.id}”的周期安排在 ${from} 至 ${until} 之间没有任何日期；请检查 monthDays、weekdays、months、everyWorkingDays 和起止日期`, rp);
          this.warnSeriesOnRestDays(d.id, instances, rule, rp);
        }
      }
      if (d.assumed !== undefined && instances.length > 0) {
        const dates = [...new Set(instances.map((x) => x.due))];
        const shown = dates.slice(0, 8).join("、") + (dates.length > 8 ? ` 等，共 ${dates.length} 个` : "");
        this.warn("ASSUMED_DATE", `“${d.id}”的截止日期 ${shown} 是假定的，不是方案写明的日期（${d.assumed}）；核实后请改为确定日期并删去 assumed`, instances[0]!.duePath);
      }
      for (const inst of instances) {
        if (!this.insideCampaign(inst.due, inst.duePath, `“${d.id}”的截止日期`)) continue;
        if (phase && (inst.due < phase.start || inst.due > phase.end))
          this.err("DATE_OUTSIDE_PHASE", `“${d.id}”的截止日期 ${inst.due} 不在所属阶段“${phase.name}”（${phase.start} 至 ${phase.end}）内；请调整截止日期或 phase`, inst.duePath);
        if (inst.opens !== undefined && inst.opens > inst.due)
          this.err("DUE_BEFORE_OPEN", `“${d.id}”的截止日期 ${inst.due} 早于开始报送日期 ${inst.opens}；请调整 due 或 opens`, inst.duePath);
        if (inst.due !== inst.written && d.due !== undefined)
          this.warn("DUE_ON_REST_DAY", `${inst.written}（${WEEKDAY_ZH[weekday(inst.written)]}）是休息日；按规则“${rule}”，“${d.id}”的截止日期${inst.due > inst.written ? "顺延" : "提前"}至 ${inst.due}（${WEEKDAY_ZH[weekday(inst.due)]}）`, inst.duePath);
        const dueAt = this.calendar.at(inst.due, dueTime);
        const ownPhase = phase?.id ?? this.phaseAt(dueAt, task?.phases);
        const opensAt = this.calendar.at(inst.opens ?? this.p.campaign.start, inst.opensTime ?? "00:00");
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
    const sendAt = this.p.calendar?.sendAt ?? DEFAULTS.sendAt;
    const dueAt = this.calendar.at(due, this.p.calendar?.dueAt ?? DEFAULTS.dueAt);
    let send = this.calendar.isWorkingDay(due) ? due : this.calendar.previousWorkingDay(due);
    if (this.calendar.at(send, sendAt) >= dueAt) send = this.calendar.previousWorkingDay(send);
    if (prev > due || send < this.p.campaign.start || this.calendar.at(prev, prevTime) <= this.calendar.at(send, sendAt)) return { opens: prev, opensTime: prevTime };
    return { opens: send, opensTime: sendAt };
  }

  /** The days of a series as written; a rule it cannot keep is an error at its key (see recurrenceDays). */
  private seriesDays(r: Recurrence, from: IsoDate, until: IsoDate, path: PathSegment[]): IsoDate[] {
    return recurrenceDays(r, from, until, this.calendar, (message, at, key) => this.err("BAD_RECURRENCE", message, [...path, ...at], key));
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
    this.warn("DUE_ON_REST_DAY", `“${id}”的 ${instances.length} 次截止日期中有 ${moved.length} 次是休息日，按规则“${rule}”${way}至工作日：${shown}`, path);
  }

  /** How a recipient is named in a message: the office by its name and host unit. */
  private recipientLabel(id: UnitId): string {
    const office = this.p.leadingGroup.office;
    const name = this.units.get(id)?.name ?? id;
    return id === office.unit ? `${office.name ?? "领导小组办公室"}（设在${name}）` : `“${id}”（${name}）`;
  }

  /** The date as written, for the rest-day warning: only plain dates and date + calendar days shift visibly. */
  private writtenDate(text: string): IsoDate | undefined {
    const parsed = parseTimeExpr(text);
    if (!parsed.ok || parsed.expr.unit === "wd" || parsed.expr.anchor.kind !== "date") return undefined;
    return addDays(parsed.expr.anchor.date, parsed.expr.offset);
  }

  private taskAssignments(tasks: Task[]): Assignment[] {
    const out: Assignment[] = [];
    const dueTime = this.p.calendar?.dueAt ?? DEFAULTS.dueAt;
    for (const [i, t] of tasks.entries()) {
      const input = this.p.tasks![i]!;
      const phases = t.phases.map((id) => this.phases.get(id)).filter((x): x is Phase => x !== undefined);
      if (phases.length === 0) continue;
      const first = phases.reduce((a, b) => (a.start <= b.start ? a : b));
      const last = phases.reduce((a, b) => (a.end >= b.end ? a : b));
      // A task falls due only when the plan says so: a document that assigns a task for a phase asks its
      // units to do the work, not to hand it in on the phase's last day. Without `due:` the task is an item
      // on the board with no deadline (its progress is reported through the plan's deliverables).
      let dueAt: number | null = null;
      let policy = "";
      if (input.due !== undefined) {
        const d = this.evalExpr(input.due, ["tasks", i, "due"], this.p.calendar?.dueOnRestDay ?? DEFAULTS.dueOnRestDay);
        if (d === undefined) continue;
        this.insideCampaign(d, ["tasks", i, "due"], `任务“${t.id}”的截止日期`);
        dueAt = this.calendar.at(d, dueTime);
        policy = input.policy ?? this.p.defaults?.taskPolicy ?? this.p.defaults?.policy ?? "";
        if (!policy) this.err("UNKNOWN_REF", `任务“${t.id}”未指定 policy，计划中也没有 defaults.taskPolicy；请填写其中之一`, ["tasks", i]);
      }
      // A task's items belong to one of its own phases: the one its due date falls in, else its last;
      // without a deadline, the phase it opens in.
      const phase = dueAt === null ? first.id : (this.phaseAt(dueAt, t.phases, true) ?? last.id);
      for (const [unit, role] of [[t.lead, "lead"], ...t.support.map((u) => [u, "support"])] as [string, "lead" | "support"][]) {
        if (!this.units.has(unit)) continue;
        out.push({
          id: `${t.id}/${unit}`,
          kind: "task",
          unit,
          role,
          title: t.title,
          task: t.id,
          phase,
          to: role === "lead" ? this.p.leadingGroup.office.unit : t.lead,
          lead: t.lead,
          policy,
          opensAt: this.calendar.at(first.start, "00:00"),
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
    const holding = [...this.phases.values()].filter((p) => dueAt >= p.startAt && dueAt < p.endAt);
    return (holding.find((p) => prefer.includes(p.id)) ?? (only ? undefined : holding[0]))?.id;
  }

  private checkCalendarCoverage(assignments: Assignment[]): void {
    if ((this.p.calendar?.base ?? "cn") !== "cn") return;
    const { start, end } = this.p.campaign;
    if (!isRealDate(start) || !isRealDate(end)) return;
    const missing = new Set<number>();
    for (let y = Number(start.slice(0, 4)); y <= Number(end.slice(0, 4)); y++) if (!this.calendar.hasDataFor(`${y}-01-01`)) missing.add(y);
    if (missing.size === 0) return;
    const dates = [...new Set(assignments.flatMap((a) => (a.dueAt === null ? [] : [this.calendar.dateOf(a.dueAt)])).filter((d) => missing.has(Number(d.slice(0, 4)))))].sort();
    const shown = dates.slice(0, 8).join("、") + (dates.length > 8 ? ` 等，共 ${dates.length} 个` : "");
    this.warn(
      "NO_CALENDAR_DATA",
      `缺少 ${[...missing].join("、")} 年公布的节假日安排，这些年份只按周末计算工作日${dates.length ? `（影响截止日期 ${shown}）` : ""}；请在 calendar.holidays / calendar.workdays 中列出当年的节假日和调休上班日`,
      ["campaign", "end"],
    );
  }

  private checkContacts(assignments: Assignment[]): void {
    const notified = new Set<string>();
    for (const a of assignments) notified.add(a.unit);
    for (const [i, u] of this.p.units.entries()) {
      const unit = this.units.get(u.id);
      if (unit && notified.has(u.id) && unit.email.length === 0 && unit.webhooks.length === 0)
        this.warn("NO_CONTACT", `单位“${u.id}”（${u.name}）有待办事项，但没有电子邮件地址或 webhook，无法提醒；请在 contacts 中补充`, ["units", i]);
    }
  }
}

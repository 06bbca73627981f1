import { IANAZone } from "luxon";
import { addDays, isRealDate, WorkCalendar, type CnCalendarData, type IsoDate } from "../engine/calendar.ts";
import { DateEvaluator } from "./dates.ts";
import type { DiagnosticSink } from "./diagnostics.ts";
import { Expander } from "./expand.ts";
import { KindResolver } from "./kinds.ts";
import { References } from "./references.ts";
import { DEFAULTS, ResolveContext } from "./resolve-context.ts";
import { resolveScoring } from "./scoring.ts";
import { checkParentShape } from "./parent.ts";
import type { Positions } from "./directory.ts";
import type { ItemKind } from "../model/kind.ts";
import type { Assignment, PlanInput, ResolvedPlan } from "./types.ts";

export { TASK_LEADS_GROUP } from "./references.ts";

/**
 * Semantic checks and resolution in one pass: every reference is looked up (references.ts), every
 * date computed (dates.ts), the plan's items laid out (expand.ts), the kinds of items opened at run
 * time checked (kinds.ts), every problem reported with its position. Returns undefined when there were errors.
 */
export function resolvePlan(input: PlanInput, source: Positions, hash: string, sink: DiagnosticSink, data?: CnCalendarData): ResolvedPlan | undefined {
  return new Resolver(new ResolveContext(input, source, sink), data).run(hash);
}

class Resolver {
  private zone = DEFAULTS.timezone as string;

  constructor(
    private readonly ctx: ResolveContext,
    private readonly data: CnCalendarData | undefined,
  ) {}

  run(hash: string): ResolvedPlan | undefined {
    const ctx = this.ctx;
    const p = ctx.p;
    this.zone = p.campaign.timezone ?? DEFAULTS.timezone;
    if (!IANAZone.isValidZone(this.zone)) {
      ctx.err("BAD_ZONE", `“${this.zone}”不是有效的时区；请使用 IANA 时区名，例如 Asia/Shanghai`, ["campaign", "timezone"]);
      this.zone = DEFAULTS.timezone;
    }
    const cal = p.calendar ?? {};
    for (const [i, d] of (cal.holidays ?? []).entries()) ctx.checkDate(d, ["calendar", "holidays", i]);
    for (const [i, d] of (cal.workdays ?? []).entries()) ctx.checkDate(d, ["calendar", "workdays", i]);
    ctx.calendar = new WorkCalendar({ base: cal.base ?? DEFAULTS.base, zone: this.zone, holidays: cal.holidays, workdays: cal.workdays, ...(this.data ? { data: this.data } : {}) });

    const startOk = ctx.checkDate(p.campaign.start, ["campaign", "start"]);
    const endOk = ctx.checkDate(p.campaign.end, ["campaign", "end"]);
    if (startOk && endOk && p.campaign.end < p.campaign.start)
      ctx.err("PHASE_ORDER", `专项行动的结束日期（${p.campaign.end}）早于开始日期（${p.campaign.start}）；请检查 campaign 的 start 和 end`, ["campaign", "end"]);

    const refs = new References(ctx);
    refs.indexUnits();
    refs.indexGroups();
    refs.checkLeadingGroup();
    refs.indexPhases();
    const policies = refs.resolvePolicies();
    const tasks = refs.resolveTasks(policies);
    const dates = new DateEvaluator(ctx, refs);
    dates.indexDeliverables();
    const expander = new Expander(ctx, refs, dates);
    const assignments = [...expander.deliverableAssignments(policies, tasks), ...expander.taskAssignments(tasks)];
    const kinds = new KindResolver(ctx, refs, policies).resolve();
    this.checkCalendarCoverage(assignments);
    this.checkContacts(assignments, kinds, refs);
    checkParentShape(ctx);
    const scoring = resolveScoring(p, (code, message, path, key) => ctx.err(code, message, path, key));
    if (ctx.errors > 0) return undefined;

    const at = (d: IsoDate, t: string) => this.ctx.calendar.at(d, t);
    return {
      hash,
      file: this.ctx.source.file,
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
      units: refs.units,
      groups: refs.groups,
      leadingGroup: {
        name: p.leadingGroup.name,
        leader: p.leadingGroup.leader,
        deputies: p.leadingGroup.deputies ?? [],
        members: p.leadingGroup.members ?? [],
        office: p.leadingGroup.office,
      },
      phases: [...refs.phases.values()],
      tasks,
      deliverables: p.deliverables ?? [],
      policies,
      assignments,
      kinds,
      ...(scoring ? { scoring } : {}),
      ...(p.parent ? { parent: { campaign: p.parent.campaign, ...(p.parent.item !== undefined ? { item: p.parent.item } : {}), ...(p.parent.unit !== undefined ? { unit: p.parent.unit } : {}) } } : {}),
    };
  }

  private checkCalendarCoverage(assignments: Assignment[]): void {
    if ((this.ctx.p.calendar?.base ?? "cn") !== "cn") return;
    const { start, end } = this.ctx.p.campaign;
    if (!isRealDate(start) || !isRealDate(end)) return;
    const missing = new Set<number>();
    for (let y = Number(start.slice(0, 4)); y <= Number(end.slice(0, 4)); y++) if (!this.ctx.calendar.hasDataFor(`${y}-01-01`)) missing.add(y);
    if (missing.size === 0) return;
    const dates = [...new Set(assignments.flatMap((a) => (a.dueAt === null ? [] : [this.ctx.calendar.dateOf(a.dueAt)])).filter((d) => missing.has(Number(d.slice(0, 4)))))].sort();
    const shown = dates.slice(0, 8).join("、") + (dates.length > 8 ? ` 等，共 ${dates.length} 个` : "");
    this.ctx.warn(
      "NO_CALENDAR_DATA",
      `缺少 ${[...missing].join("、")} 年公布的节假日安排，这些年份只按周末计算工作日${dates.length ? `（影响截止日期 ${shown}）` : ""}；请在 calendar.holidays / calendar.workdays 中列出当年的节假日和调休上班日`,
      ["campaign", "end"],
    );
  }

  /** Units that owe a planned item, or may be made to owe an opened one, must be reachable. */
  private checkContacts(assignments: Assignment[], kinds: Map<string, ItemKind>, refs: References): void {
    const notified = new Set<string>();
    for (const a of assignments) notified.add(a.unit);
    // `any` names every unit, external bodies too: only the units a kind names, or lets open for themselves.
    for (const k of kinds.values()) for (const u of [...k.recipients.units, ...(k.recipients.self ? k.openers.units : [])]) notified.add(u);
    for (const [i, u] of this.ctx.p.units.entries()) {
      const unit = refs.units.get(u.id);
      if (unit && notified.has(u.id) && unit.email.length === 0 && unit.webhooks.length === 0)
        this.ctx.warn("NO_CONTACT", `单位“${u.id}”（${u.name}）有待办事项，但没有电子邮件地址或 webhook，无法提醒；请在 contacts 中补充`, ["units", i]);
    }
  }
}

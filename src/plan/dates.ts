import { addDays } from "../engine/calendar.ts";
import type { References } from "./references.ts";
import { DEFAULTS, type ResolveContext } from "./resolve-context.ts";
import { suggest } from "./schema.ts";
import type { PathSegment } from "./source.ts";
import { parseTimeExpr, type TimeExpr } from "./time-expr.ts";
import type { DeliverableInput, IsoDate, RestDayRule } from "./types.ts";

/**
 * Date expressions (`2021-06-15`, `end:first - 2wd`, `due:report + 1d`) evaluated to dates on the
 * plan's working calendar. A `due:` anchor is computed on demand, so the order of deliverables in the
 * file does not matter, and a chain that leads back to itself is reported as a cycle.
 */
export class DateEvaluator {
  private readonly dueDates = new Map<string, IsoDate | null>(); // null while being computed: cycle detection
  private readonly deliverableIndex = new Map<string, number>();

  constructor(
    private readonly ctx: ResolveContext,
    private readonly refs: References,
  ) {}

  /** The index of the deliverable that holds `id` (the first, when an id is used twice). */
  indexOf(id: string): number | undefined {
    return this.deliverableIndex.get(id);
  }

  indexDeliverables(): void {
    const taskIds = new Set((this.ctx.p.tasks ?? []).map((t) => t.id));
    for (const [i, d] of (this.ctx.p.deliverables ?? []).entries()) {
      if (this.deliverableIndex.has(d.id) || taskIds.has(d.id))
        this.ctx.err("DUPLICATE_ID", `“${d.id}”已是一项${taskIds.has(d.id) ? "任务" : "报送事项"}的 id；任务和报送事项共用一套 id，请换一个 id`, ["deliverables", i, "id"]);
      else this.deliverableIndex.set(d.id, i);
    }
  }

  /** Evaluates a date expression to a date, applying the rest-day rule to calendar-day results. */
  evalExpr(text: string, path: PathSegment[], rule: RestDayRule): IsoDate | undefined {
    const parsed = parseTimeExpr(text);
    if (!parsed.ok) {
      this.ctx.err("BAD_TIME_EXPR", parsed.message, path);
      return undefined;
    }
    const base = this.anchorDate(parsed.expr, path);
    if (base === undefined) return undefined;
    const { offset, unit } = parsed.expr;
    if (unit === "wd") return this.ctx.calendar.addWorkingDays(base, offset);
    return this.applyRestDayRule(addDays(base, offset), rule);
  }

  applyRestDayRule(date: IsoDate, rule: RestDayRule): IsoDate {
    if (rule === "keep" || this.ctx.calendar.isWorkingDay(date)) return date;
    return rule === "next" ? this.ctx.calendar.nextWorkingDay(date) : this.ctx.calendar.previousWorkingDay(date);
  }

  private anchorDate(expr: TimeExpr, path: PathSegment[]): IsoDate | undefined {
    const a = expr.anchor;
    switch (a.kind) {
      case "date":
        return this.ctx.checkDate(a.date, path) ? a.date : undefined;
      case "campaign-start":
        return this.ctx.p.campaign.start;
      case "campaign-end":
        return this.ctx.p.campaign.end;
      case "phase-start":
        return this.refs.phaseRef(a.phase, path)?.start;
      case "phase-end":
        return this.refs.phaseRef(a.phase, path)?.end;
      case "due":
        return this.deliverableDue(a.deliverable, path);
    }
  }

  /** The (single) due date of a one-off deliverable, computed on demand so order in the file does not matter. */
  deliverableDue(id: string, path: PathSegment[]): IsoDate | undefined {
    const i = this.deliverableIndex.get(id);
    if (i === undefined) {
      this.ctx.err("UNKNOWN_REF", `未知报送事项“${id}”${suggest(id, this.deliverableIndex.keys())}`, path);
      return undefined;
    }
    const d = this.ctx.p.deliverables![i]!;
    if (this.dueDates.has(id)) {
      const v = this.dueDates.get(id);
      if (v === null) {
        this.ctx.err("CYCLE", `“${id}”的截止日期依赖于自身；请打断 due: 引用形成的循环`, path);
        return undefined;
      }
      // "" marks a due date that could not be computed (its error is already reported).
      return v || undefined;
    }
    if (d.due === undefined) {
      this.ctx.err("UNKNOWN_REF", `“${id}”是周期性事项，没有单一的截止日期可供引用；请改为引用日期或阶段`, path);
      return undefined;
    }
    this.dueDates.set(id, null);
    const v = this.evalExpr(d.due, ["deliverables", i, "due"], this.restRule(d));
    this.dueDates.set(id, v ?? "");
    return v;
  }

  restRule(d: DeliverableInput): RestDayRule {
    return d.dueOnRestDay ?? this.ctx.p.calendar?.dueOnRestDay ?? DEFAULTS.dueOnRestDay;
  }

  /** The date as written, for the rest-day warning: only plain dates and date + calendar days shift visibly. */
  writtenDate(text: string): IsoDate | undefined {
    const parsed = parseTimeExpr(text);
    if (!parsed.ok || parsed.expr.unit === "wd" || parsed.expr.anchor.kind !== "date") return undefined;
    return addDays(parsed.expr.anchor.date, parsed.expr.offset);
  }}

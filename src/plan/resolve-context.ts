import { isRealDate, type WorkCalendar } from "../engine/calendar.ts";
import type { DiagnosticCode, DiagnosticSink } from "./diagnostics.ts";
import type { Positions } from "./directory.ts";
import type { PathSegment } from "./source.ts";
import type { IsoDate, PlanInput } from "./types.ts";

/** What a plan means when it leaves a key out. */
export const DEFAULTS = { timezone: "Asia/Shanghai", language: "zh-CN", base: "cn", sendAt: "09:00", dueAt: "18:00", dueOnRestDay: "next" } as const;

/**
 * What every stage of resolution shares: the plan as written, where its values are in the file, the
 * sink that collects problems (and how many errors so far), and the working calendar once it is known.
 */
export class ResolveContext {
  errors = 0;
  /** Set by resolvePlan once the zone and the holidays are checked, before any date is computed. */
  calendar!: WorkCalendar;

  constructor(
    readonly p: PlanInput,
    readonly source: Positions,
    private readonly sink: DiagnosticSink,
  ) {}

  err(code: DiagnosticCode, message: string, path: PathSegment[], key = false): void {
    this.errors++;
    this.sink.error(code, message, this.source.position(path, { key }));
  }

  warn(code: DiagnosticCode, message: string, path: PathSegment[], key = false): void {
    this.sink.warning(code, message, this.source.position(path, { key }));
  }

  checkDate(date: string, path: PathSegment[]): boolean {
    if (isRealDate(date)) return true;
    this.err("BAD_DATE", `${date} 不是有效日期`, path);
    return false;
  }

  insideCampaign(date: IsoDate, path: PathSegment[], what: string): boolean {
    const { start, end } = this.p.campaign;
    if (date >= start && date <= end) return true;
    this.err("DATE_OUTSIDE_CAMPAIGN", `${what}（${date}）不在专项行动期间（${start} 至 ${end}）内；请调整到此期间`, path);
    return false;
  }

  get dueTime(): string {
    return this.p.calendar?.dueAt ?? DEFAULTS.dueAt;
  }

  get sendTime(): string {
    return this.p.calendar?.sendAt ?? DEFAULTS.sendAt;
  }
}

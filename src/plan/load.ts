import { createHash } from "node:crypto";
import { DiagnosticSink, hasErrors, sortDiagnostics, type Diagnostic } from "./diagnostics.ts";
import { resolvePlan } from "./resolve.ts";
import { checkSchema } from "./schema.ts";
import { checkTodos } from "./todo.ts";
import { parsePlanText, readPlanSource, toData, type PlanSource } from "./source.ts";
import type { PlanInput, ResolvedPlan } from "./types.ts";
import { cnDataFor, isRealDate, type CnCalendarData } from "../engine/calendar.ts";

/** The package's statutory data for the campaign's years (and the next, where a late deadline can fall). */
function campaignYearsData(p: PlanInput): CnCalendarData | undefined {
  const { start, end } = p.campaign;
  if (!isRealDate(start) || !isRealDate(end)) return undefined;
  return cnDataFor(Number(start.slice(0, 4)), Number(end.slice(0, 4)) + 1);
}

export interface LoadResult {
  /** Present only when there were no errors (warnings allowed). */
  plan?: ResolvedPlan;
  diagnostics: Diagnostic[];
  /** The file's text; its SHA-256 is the plan version recorded with every event. */
  text: string;
}

/** Reads, parses, validates and resolves a plan file. Never throws for a user mistake. */
export interface LoadOptions {
  /** Resolve with this statutory calendar data instead of the package's (a stored plan version's own). */
  calendarData?: CnCalendarData;
}

export function loadPlan(file: string, opts: LoadOptions = {}): LoadResult {
  const sink = new DiagnosticSink();
  return finish(readPlanSource(file, sink), sink, opts);
}

/** As {@link loadPlan}, from text already in memory (the store keeps every plan version's text). */
export function loadPlanText(file: string, text: string, opts: LoadOptions = {}): LoadResult {
  const sink = new DiagnosticSink();
  return finish(parsePlanText(file, text, sink), sink, opts);
}

/**
 * A plan version's hash: its text, and for a `cn` calendar the statutory data it is resolved with,
 * since the same text resolves to other deadlines when the holiday data changes.
 */
export function planHash(text: string, data?: CnCalendarData): string {
  const h = createHash("sha256").update(text);
  if (data) h.update("\n#calendar\n").update(JSON.stringify([data.years, data.holidays, data.workdays]));
  return h.digest("hex");
}

function finish(source: PlanSource, sink: DiagnosticSink, opts: LoadOptions): LoadResult {
  const done = (plan?: ResolvedPlan): LoadResult => ({ plan, diagnostics: sortDiagnostics(sink.items), text: source.text });
  if (!source.doc || hasErrors(sink.items)) return done();
  const data = toData(source, sink);
  if (data === undefined || hasErrors(sink.items)) return done();
  if (!checkSchema(data, source, sink)) return done();
  const input = data as PlanInput;
  const cal = (input.calendar?.base ?? "cn") === "cn" ? (opts.calendarData ?? campaignYearsData(input)) : undefined;
  checkTodos(input, source, sink);
  const plan = resolvePlan(input, source, planHash(source.text, cal), sink, cal);
  return done(hasErrors(sink.items) ? undefined : plan);
}

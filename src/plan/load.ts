import { DiagnosticSink, hasErrors, sortDiagnostics, type Diagnostic } from "./diagnostics.ts";
import { readDirectories, type PlanFileInput } from "./directory.ts";
import { resolvePlan } from "./resolve.ts";
import { checkSchema } from "./schema.ts";
import { checkTodos } from "./todo.ts";
import { parsePlanText, readPlanSource, toData, type PlanSource } from "./source.ts";
import type { PlanInput, ResolvedPlan } from "./types.ts";
import { planHash } from "./version-hash.ts";

export { planHash };
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
  /**
   * The organisation directories the plan imports, by the name it gives them (`from:`), as read. They are
   * part of the version: hashed with the text and stored with it, so a replay resolves the same units.
   */
  imports: Record<string, string>;
}

/** Reads, parses, validates and resolves a plan file. Never throws for a user mistake. */
export interface LoadOptions {
  /** Resolve with this statutory calendar data instead of the package's (a stored plan version's own). */
  calendarData?: CnCalendarData;
  /** Resolve with these directory texts (by `from:` name) instead of reading the files: a stored version's own. */
  imports?: Record<string, string>;
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

function finish(source: PlanSource, sink: DiagnosticSink, opts: LoadOptions): LoadResult {
  let imports: Record<string, string> = {};
  const done = (plan?: ResolvedPlan): LoadResult => ({ plan, diagnostics: sortDiagnostics(sink.items), text: source.text, imports });
  if (!source.doc || hasErrors(sink.items)) return done();
  const data = toData(source, sink);
  if (data === undefined || hasErrors(sink.items)) return done();
  const schemaOk = checkSchema(data, source, sink);
  // The directories are read even when the plan has schema errors, so their own errors are reported too.
  const merged = readDirectories(data as PlanFileInput, source, sink, opts.imports ? { imports: opts.imports } : {});
  if (!schemaOk || !merged) return done();
  imports = merged.imports;
  const input: PlanInput = merged.input;
  const cal = (input.calendar?.base ?? "cn") === "cn" ? (opts.calendarData ?? campaignYearsData(input)) : undefined;
  checkTodos(input, source, sink);
  const plan = resolvePlan(input, merged.positions, planHash(source.text, cal, imports), sink, cal);
  return done(hasErrors(sink.items) ? undefined : plan);
}

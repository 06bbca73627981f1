import { createHash } from "node:crypto";
import { DiagnosticSink, hasErrors, sortDiagnostics, type Diagnostic } from "./diagnostics.ts";
import { resolvePlan } from "./resolve.ts";
import { checkSchema } from "./schema.ts";
import { parsePlanText, readPlanSource, toData, type PlanSource } from "./source.ts";
import type { PlanInput, ResolvedPlan } from "./types.ts";

export interface LoadResult {
  /** Present only when there were no errors (warnings allowed). */
  plan?: ResolvedPlan;
  diagnostics: Diagnostic[];
  /** The file's text; its SHA-256 is the plan version recorded with every event. */
  text: string;
}

/** Reads, parses, validates and resolves a plan file. Never throws for a user mistake. */
export function loadPlan(file: string): LoadResult {
  const sink = new DiagnosticSink();
  return finish(readPlanSource(file, sink), sink);
}

/** As {@link loadPlan}, from text already in memory (the store keeps every plan version's text). */
export function loadPlanText(file: string, text: string): LoadResult {
  const sink = new DiagnosticSink();
  return finish(parsePlanText(file, text, sink), sink);
}

export function planHash(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

function finish(source: PlanSource, sink: DiagnosticSink): LoadResult {
  const done = (plan?: ResolvedPlan): LoadResult => ({ plan, diagnostics: sortDiagnostics(sink.items), text: source.text });
  if (!source.doc || hasErrors(sink.items)) return done();
  const data = toData(source, sink);
  if (data === undefined || hasErrors(sink.items)) return done();
  if (!checkSchema(data, source, sink)) return done();
  return done(resolvePlan(data as PlanInput, source, planHash(source.text), sink));
}

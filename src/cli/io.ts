import type { ResolvedPlan } from "../plan/types.ts";

/** Where commands write; tests pass their own to capture output without a subprocess. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Whether stdout is a terminal (colour, widths). */
  tty: boolean;
}

export const processIo: Io = {
  out: (t) => process.stdout.write(t.endsWith("\n") ? t : `${t}\n`),
  err: (t) => process.stderr.write(t.endsWith("\n") ? t : `${t}\n`),
  tty: Boolean(process.stdout.isTTY),
};

/** A mistake the user can fix: printed as one line, no stack trace, exit status `exitCode`. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

/**
 * `validate --parent`: a sub-plan against its parent's plan file (src/plan/parent.ts), every problem printed
 * at its position in the sub-plan. False when there is one, or the parent plan has errors of its own.
 */
export async function checkSubPlan(file: string, plan: ResolvedPlan, parentFile: string, io: Io): Promise<boolean> {
  const [{ checkParentOfText }, { formatDiagnostic }, { readFileSync }] = await Promise.all([import("../plan/parent.ts"), import("../plan/diagnostics.ts"), import("node:fs")]);
  if (!plan.parent) {
    io.err(`${file}：计划中没有 parent（上级专项行动），--parent 无需给出`);
    return false;
  }
  // The parent's warnings are its own writers' business; only an error that stops the check is shown.
  const { loadPlan } = await import("../plan/load.ts");
  const loaded = loadPlan(parentFile);
  if (!loaded.plan) {
    for (const d of loaded.diagnostics.filter((x) => x.severity === "error")) io.err(formatDiagnostic(d));
    io.err(`${parentFile}：上级计划有错误，无法对照；请先修正`);
    return false;
  }
  const parent = loaded.plan;
  const problems = checkParentOfText(plan, readFileSync(file, "utf8"), parent);
  for (const d of problems) io.err(formatDiagnostic(d));
  if (problems.length) io.err(`${file}：与上级计划不符 ${problems.length} 处`);
  return problems.length === 0;
}

/**
 * Loads a plan, printing every diagnostic; undefined when it has errors. The plan language (YAML parser,
 * schema validator) is loaded here, by the commands that read a plan, not at every start.
 */
export async function loadPlanReporting(file: string, io: Io): Promise<ResolvedPlan | undefined> {
  const [{ loadPlan }, { formatDiagnostic }] = await Promise.all([import("../plan/load.ts"), import("../plan/diagnostics.ts")]);
  const result = loadPlan(file);
  for (const d of result.diagnostics) io.err(formatDiagnostic(d));
  if (!result.plan) {
    const n = result.diagnostics.filter((d) => d.severity === "error").length;
    io.err(`${file}：${n} 个错误，未执行任何操作；请按以上提示修改计划文件后重试`);
  }
  return result.plan;
}

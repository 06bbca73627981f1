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

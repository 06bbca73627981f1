import type { DiagnosticSink } from "./diagnostics.ts";
import type { PlanSource } from "./source.ts";
import type { PlanInput } from "./types.ts";

/**
 * A draft's open questions (`todo:`) are errors until a person settles them: a campaign must not start
 * on a plan that still says "the document does not give this date". Kept apart from the resolver so the
 * rule stays one place and one function.
 */
export function checkTodos(input: PlanInput, source: PlanSource, sink: DiagnosticSink): void {
  for (const [i, t] of (input.todo ?? []).entries()) {
    const from = t.source ? `（${t.source}）` : "";
    const doc = t.document ? `；依据文件：${t.document}` : "";
    sink.error("UNRESOLVED_TODO", `待办未处理：${t.what}${from}${doc}；请核实后补全计划并删除这一条`, source.position(["todo", i]));
  }
}

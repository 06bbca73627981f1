import { formatDiagnostic } from "../../src/plan/diagnostics.ts";
import { loadPlanText } from "../../src/plan/load.ts";
import type { ResolvedPlan } from "../../src/plan/types.ts";
import { planText } from "./minimal-plan.ts";

export interface WindowPlanSpec {
  /** Deliverable lines (YAML flow maps, each starting with "  - "). */
  deliverables: string[];
  /** Steps of the default policy "standard" (YAML flow maps, each starting with "      - "). */
  steps: string[];
  /** Lines of a `calendar:` block (each indented by two spaces); none for the defaults. */
  calendar?: string[];
  /** The campaign's dates; one phase spans it all. Defaults: 2021-05-01 to 2021-10-31. */
  start?: string;
  end?: string;
}

/** The minimal plan with the given deliverables, ladder and calendar, on the cn calendar. */
export function windowPlanText(s: WindowPlanSpec): string {
  const start = s.start ?? "2021-05-01";
  const end = s.end ?? "2021-10-31";
  return planText(
    {
      6: `  start: ${start}`,
      7: `  end: ${end}`,
      20: `  - { id: all, name: 全程, start: ${start}, end: ${end} }`,
      21: [],
      25: s.deliverables,
      29: s.steps,
    },
    s.calendar?.length ? ["calendar:", ...s.calendar] : [],
  );
}

/** The resolved plan, or an error naming every diagnostic (a property's counterexample then shows why). */
export function windowPlan(s: WindowPlanSpec): ResolvedPlan {
  const text = windowPlanText(s);
  const r = loadPlanText("window.yaml", text);
  if (!r.plan) throw new Error(`${r.diagnostics.map(formatDiagnostic).join("\n")}\n${text}`);
  return r.plan;
}

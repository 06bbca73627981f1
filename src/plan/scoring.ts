import type { DiagnosticCode } from "./diagnostics.ts";
import { suggest } from "./schema.ts";
import type { PathSegment } from "./source.ts";
import type { ItemScoring, ItemScoringInput, PlanInput, ScoringRules } from "./types.ts";

type Report = (code: DiagnosticCode, message: string, path: PathSegment[], key?: boolean) => void;

const ZERO: ItemScoring = { onTime: 0, late: 0, overdue: 0, perLateDay: 0, perReturn: 0, waived: 0, itemMin: -Infinity, itemMax: Infinity };

/** One level of rules over the one below it: a key written here replaces that key, the others are kept. */
function over(below: ItemScoring, r: ItemScoringInput): ItemScoring {
  return {
    onTime: r.onTime ?? below.onTime,
    late: r.late ?? below.late,
    overdue: r.overdue ?? below.overdue,
    perLateDay: r.perLateDay ?? below.perLateDay,
    perReturn: r.perReturn ?? below.perReturn,
    waived: r.waived ?? below.waived,
    itemMin: r.item?.min ?? below.itemMin,
    itemMax: r.item?.max ?? below.itemMax,
  };
}

function checkBounds(min: number, max: number, path: PathSegment[], what: string, report: Report): void {
  if (min > max) report("SCHEMA_VALUE", `${what}的下限 ${min} 大于上限 ${max}；请调整 min 或 max`, path);
}

/**
 * The plan's `scoring:` section with every key filled in (see README, "What the office publishes").
 * Overrides name a deliverable or a task (they share one set of ids); an unknown id is reported at its key.
 */
export function resolveScoring(p: PlanInput, report: Report): ScoringRules | undefined {
  const s = p.scoring;
  if (!s) return undefined;
  const base = over(ZERO, s);
  checkBounds(base.itemMin, base.itemMax, ["scoring", "item"], "每项得分", report);
  const unitMin = s.unit?.min ?? -Infinity;
  const unitMax = s.unit?.max ?? Infinity;
  checkBounds(unitMin, unitMax, ["scoring", "unit"], "单位得分", report);
  const ids = [...(p.deliverables ?? []).map((d) => d.id), ...(p.tasks ?? []).map((t) => t.id)];
  const byId: Record<string, ItemScoring> = {};
  for (const [id, r] of Object.entries(s.deliverables ?? {})) {
    if (!ids.includes(id)) {
      report("UNKNOWN_REF", `考评规则中的“${id}”不是计划中的报送事项或任务${suggest(id, ids)}`, ["scoring", "deliverables", id], true);
      continue;
    }
    byId[id] = over(base, r);
    if (r.item) checkBounds(byId[id].itemMin, byId[id].itemMax, ["scoring", "deliverables", id, "item"], `“${id}”每项得分`, report);
  }
  return { base, byId, unitMin, unitMax };
}

import { formatInstant } from "../engine/calendar.ts";
import type { ItemScoring, ScoringRules } from "../plan/types.ts";
import type { ItemRecord, PublishedState } from "./items.ts";
import { PublishError } from "./source.ts";
import { statistics, type Statistics, type StatsLine } from "./stats.ts";

/** One unit's 考评 line: its statistics, the sum of its items' points and the score after the unit's bounds. */
export interface ScoreLine extends StatsLine {
  /** 1-based; units with equal scores share a rank (1, 1, 3). */
  rank: number;
  /** Sum of the unit's item scores, each already within the item bounds. */
  itemPoints: number;
  /** itemPoints kept within the unit bounds: what ranks. */
  score: number;
  /** True when the unit bounds changed the sum (a floor or a ceiling was reached). */
  bounded: boolean;
}

export interface Scores {
  campaign: string;
  title: string;
  asOf: string;
  /** The plan version whose rules were applied (the one in force at the instant). */
  planVersion: string;
  /** The rules applied, as written out (null: no bound). */
  rules: { base: RulesJson; byId: Record<string, RulesJson>; unitMin: number | null; unitMax: number | null };
  lines: ScoreLine[];
}

type RulesJson = Omit<ItemScoring, "itemMin" | "itemMax"> & { itemMin: number | null; itemMax: number | null };

const finite = (x: number) => (Number.isFinite(x) ? x : null);
const rulesJson = (r: ItemScoring): RulesJson => ({ ...r, itemMin: finite(r.itemMin), itemMax: finite(r.itemMax) });

/** Points are written to two decimals (0.5 a day); rounding each step keeps sums free of binary-float dust. */
const round2 = (x: number) => Math.round(x * 100) / 100 + 0;
const clamp = (x: number, min: number, max: number) => Math.min(max, Math.max(min, x));

/** The rules that apply to an item: its deliverable's (or task's) overrides, else the plan's. */
export function rulesFor(rules: ScoringRules, item: ItemRecord): ItemScoring {
  const a = item.assignment;
  return rules.byId[a.deliverable ?? ""] ?? rules.byId[a.task ?? ""] ?? rules.base;
}

/**
 * One item's points by its outcome at the instant: the outcome's points, per working day late (late and
 * overdue items), per return (every outcome but waived), then kept within the item bounds.
 * A pending item has no outcome points yet, only its returns.
 */
export function itemScore(r: ItemScoring, item: ItemRecord): number {
  if (item.outcome === "waived") return clamp(r.waived, r.itemMin, r.itemMax);
  let x = item.returns * r.perReturn;
  if (item.outcome === "onTime") x += r.onTime;
  else if (item.outcome === "late" || item.outcome === "overdue") x += r[item.outcome] + item.daysLate * r.perLateDay;
  return clamp(round2(x), r.itemMin, r.itemMax);
}

/**
 * The ranked 考评 table at the state's instant under the rules of the plan version in force then: a pure
 * function of the per-item records, so the same instant gives the same ranking live and replayed.
 * Ties keep the plan's order of units (a stable tiebreak anyone can check against the plan).
 * `byUnit` is the state's by-unit statistics when the caller already has them (the statistics table
 * carries the scores: one fold of the items for both).
 */
export function scores(state: PublishedState, byUnit: Statistics = statistics(state, "unit")): Scores {
  const rules = state.plan.scoring;
  if (!rules) throw new PublishError("NO_SCORING", "计划（当时生效的版本）没有考评规则；请在计划中加入 scoring: 段并 plan apply（见 README“What the office publishes”）");
  const points = new Map<string, number>();
  for (const item of state.items) points.set(item.assignment.unit, round2((points.get(item.assignment.unit) ?? 0) + itemScore(rulesFor(rules, item), item)));
  const order = [...state.plan.units.keys()];
  const lines = byUnit.lines.map((l): ScoreLine => {
    const itemPoints = points.get(l.key) ?? 0;
    const score = clamp(itemPoints, rules.unitMin, rules.unitMax);
    return { ...l, rank: 0, itemPoints, score, bounded: score !== itemPoints };
  });
  lines.sort((a, b) => b.score - a.score || order.indexOf(a.key) - order.indexOf(b.key));
  lines.forEach((l, i) => (l.rank = i > 0 && lines[i - 1]!.score === l.score ? lines[i - 1]!.rank : i + 1));
  const c = state.plan.campaign;
  return {
    campaign: c.id, 
    title: c.title,
    asOf: formatInstant(state.asOf, c.timezone),
    planVersion: state.plan.hash.slice(0, 12),
    rules: { base: rulesJson(rules.base), byId: Object.fromEntries(Object.entries(rules.byId).map(([k, v]) => [k, rulesJson(v)])), unitMin: finite(rules.unitMin), unitMax: finite(rules.unitMax) },
    lines,
  };
}

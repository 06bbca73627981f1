import type { PublishedState } from "./items.ts";
import { scores } from "./score.ts";
import { statistics, type Grouping, type Statistics } from "./stats.ts";

/**
 * The statistics as published (CLI, API, web page): by unit under a plan with `scoring:`, each unit's line
 * also carries its 考评 score and rank at the same instant, from the same statistics (no second fold).
 * The total line has no score: a campaign is not ranked against itself.
 */
export function publishedStatistics(state: PublishedState, by: Grouping): Statistics {
  const s = statistics(state, by);
  if (by !== "unit" || !state.plan.scoring) return s;
  const ranked = new Map(scores(state, s).lines.map((l) => [l.key, l]));
  return { ...s, lines: s.lines.map((l) => ({ ...l, score: ranked.get(l.key)!.score, rank: ranked.get(l.key)!.rank })) };
}

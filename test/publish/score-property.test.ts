import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadPlan } from "../../src/plan/load.ts";
import type { ItemScoring, ResolvedPlan, ScoringRules } from "../../src/plan/types.ts";
import { OUTCOMES, type ItemRecord, type PublishedState } from "../../src/publish/items.ts";
import { itemScore, rulesFor, scores } from "../../src/publish/score.ts";
import { planFile, PUBLISH_PLAN } from "./fixture.ts";

const plan: ResolvedPlan = loadPlan(planFile(PUBLISH_PLAN)).plan!;

/** Points in half-point steps, as plans write them. */
const points = fc.integer({ min: -20, max: 20 }).map((x) => x / 2);
/** Optional bounds, the lower never above the upper. */
const bounds = fc.tuple(fc.option(points, { nil: undefined }), fc.option(points, { nil: undefined })).map(([a, b]) => {
  const [min, max] = a !== undefined && b !== undefined && a > b ? [b, a] : [a, b];
  return { min: min ?? -Infinity, max: max ?? Infinity };
});
const itemRules = fc.record({ onTime: points, late: points, overdue: points, perLateDay: points, perReturn: points, waived: points, item: bounds }).map(
  ({ item, ...r }): ItemScoring => ({ ...r, itemMin: item.min, itemMax: item.max }),
);
const rules = fc.record({ base: itemRules, report: fc.option(itemRules, { nil: undefined }), unit: bounds }).map(
  ({ base, report, unit }): ScoringRules => ({ base, byId: report ? { report } : {}, unitMin: unit.min, unitMax: unit.max }),
);
/** How each of the plan's six items stands: any outcome, any working days late and returns. */
const standing = fc.array(fc.record({ outcome: fc.constantFrom(...OUTCOMES), daysLate: fc.integer({ min: 0, max: 40 }), returns: fc.integer({ min: 0, max: 4 }) }), {
  minLength: plan.assignments.length,
  maxLength: plan.assignments.length,
});

/** The items in any order, so the ranking cannot lean on the order they come in. */
const order = fc.shuffledSubarray([...plan.assignments.keys()], { minLength: plan.assignments.length, maxLength: plan.assignments.length });

function stateOf(r: ScoringRules, items: { outcome: ItemRecord["outcome"]; daysLate: number; returns: number }[], permutation: number[]): PublishedState {
  return {
    plan: { ...plan, scoring: r },
    asOf: plan.campaign.startAt,
    items: permutation.map((i) => ({ assignment: plan.assignments[i]!, row: {} as ItemRecord["row"], dueAt: plan.assignments[i]!.dueAt, submittedAt: null, extensions: 0, ...items[i]! })),
  } as unknown as PublishedState;
}

describe("考评 over any rules and any standing of the items", () => {
  it("keeps every item within its bounds and every unit within the unit's, and ranks by score then the plan's order", () => {
    fc.assert(
      fc.property(rules, standing, order, (r, items, permutation) => {
        const state = stateOf(r, items, permutation);
        const s = scores(state);
        const units = [...plan.units.keys()];
        const sums = new Map<string, number>();
        for (const item of state.items) {
          const ir = rulesFor(r, item);
          const x = itemScore(ir, item);
          expect(x).toBeGreaterThanOrEqual(ir.itemMin);
          expect(x).toBeLessThanOrEqual(ir.itemMax);
          sums.set(item.assignment.unit, (sums.get(item.assignment.unit) ?? 0) + x);
        }
        // Every unit that owes something is ranked exactly once.
        expect(s.lines.map((l) => l.key).sort()).toEqual([...sums.keys()].sort());
        for (const [i, l] of s.lines.entries()) {
          expect(l.score).toBeGreaterThanOrEqual(r.unitMin);
          expect(l.score).toBeLessThanOrEqual(r.unitMax);
          expect(l.itemPoints).toBeCloseTo(sums.get(l.key)!, 6);
          expect(l.bounded).toBe(l.score !== l.itemPoints);
          // Competition ranking: 1 + the number of units scoring strictly more.
          expect(l.rank).toBe(1 + s.lines.filter((m) => m.score > l.score).length);
          const prev = s.lines[i - 1];
          if (prev) {
            expect(prev.score).toBeGreaterThanOrEqual(l.score);
            if (prev.score === l.score) expect(units.indexOf(prev.key)).toBeLessThan(units.indexOf(l.key));
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});

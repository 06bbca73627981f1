import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { calendarOf } from "../../src/engine/calendar-of.ts";
import { buildSchedule, ladderSlots, ladderSlotsUncached } from "../../src/engine/schedule.ts";
import { loadPlan, loadPlanText } from "../../src/plan/load.ts";
import type { ResolvedPlan } from "../../src/plan/types.ts";
import { generatePlan } from "../../src/scale/generate.ts";

/**
 * The ladder's send times are memoised per calendar (src/engine/schedule.ts), since openings at run time
 * each build their own schedule; a schedule built through the memo must equal one built without it, for
 * any opening and deadline, on the first call and on every call that finds the memo filled.
 */
function plans(): ResolvedPlan[] {
  const national = loadPlanText("national-3k.yaml", generatePlan("3k").text).plan!;
  const chongqing = loadPlan("plans/chongqing-2021.yaml").plan!;
  return [national, chongqing];
}

describe("memoised ladder send times", () => {
  for (const plan of plans()) {
    const calendar = calendarOf(plan);
    const ctx = { calendar, sendAt: plan.calendar.sendAt, campaignEndAt: plan.campaign.endAt };
    const policies = [...plan.policies.values()];
    const span = plan.campaign.endAt - plan.campaign.startAt;
    it(`equal the unmemoised schedule for any opening and deadline (${plan.campaign.id})`, () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: policies.length - 1 }),
          fc.integer({ min: 0, max: span }),
          fc.integer({ min: 0, max: 60 * 86_400_000 }),
          fc.boolean(),
          fc.option(fc.integer({ min: 0, max: 10 * 86_400_000 }), { nil: undefined }),
          (p, open, lead, exactHours, ack) => {
            const opensAt = plan.campaign.startAt + open;
            const dueAt = opensAt + lead;
            const opts = { ...(exactHours ? { exactHours: true } : {}), ...(ack !== undefined ? { ack: { at: opensAt + ack, level: 1 } } : {}) };
            const plain = buildSchedule(ctx, policies[p]!, opensAt, dueAt, opts, ladderSlotsUncached);
            const first = buildSchedule(ctx, policies[p]!, opensAt, dueAt, opts);
            const again = buildSchedule(ctx, policies[p]!, opensAt, dueAt, opts);
            expect(first).toEqual(plain);
            expect(again).toEqual(plain);
          },
        ),
        { numRuns: 300 },
      );
    });
  }

  it("keeps one memo per calendar: another calendar with other holidays gets its own send times", () => {
    const plan = plans()[0]!;
    const a = calendarOf(plan);
    const b = calendarOf({ ...plan, calendar: { ...plan.calendar, holidays: [...plan.calendar.holidays, "2025-03-10"] } } as ResolvedPlan);
    const first = "2025-03-03";
    expect(ladderSlots(a, "09:00", first, 5, plan.campaign.endAt)).toEqual(ladderSlotsUncached(a, "09:00", first, 5, plan.campaign.endAt));
    expect(ladderSlots(b, "09:00", first, 5, plan.campaign.endAt)).toEqual(ladderSlotsUncached(b, "09:00", first, 5, plan.campaign.endAt));
    expect(ladderSlots(b, "09:00", first, 5, plan.campaign.endAt)).not.toEqual(ladderSlots(a, "09:00", first, 5, plan.campaign.endAt));
  });
});

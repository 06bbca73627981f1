import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Campaign } from "../../src/campaign/campaign.ts";
import { nextSummaryAt } from "../../src/daemon/campaign-slot.ts";
import { addDays, type EpochMs } from "../../src/engine/calendar.ts";
import { SqliteStore } from "../../src/store/sqlite.ts";
import { cst } from "../helpers.ts";
import { tempDir } from "../delivery/support.ts";

/**
 * The first instant after `now` at which queueDailySummary would queue a summary, by its own rules: a
 * working day's send time, not before the campaign starts, before a week past its end.
 */
function trueNext(c: Campaign, now: EpochMs): EpochMs {
  const { startAt, endAt } = c.plan.campaign;
  let date = c.calendar.dateOf(now);
  for (let d = 0; d < 40; d++, date = addDays(date, 1)) {
    if (!c.calendar.isWorkingDay(date)) continue;
    const at = Math.max(c.calendar.at(date, c.plan.calendar.sendAt), startAt);
    if (at >= endAt + 7 * 86_400_000) return Infinity;
    // Queued for the day the cycle runs in: a day that ends before the campaign starts has none.
    if (at > now && c.calendar.dateOf(at) === date) return at;
  }
  return Infinity;
}

describe("when a released campaign's daily summary is next due", () => {
  it("never later than the summary's own rules say, and always after now", async () => {
    const store = new SqliteStore(`${tempDir("next-summary")}/s.db`);
    const c = await Campaign.init(store, "plans/chongqing-2021.yaml", cst("2021-04-28T10:00"));
    const { startAt, endAt } = c.plan.campaign;
    try {
      fc.assert(
        fc.property(fc.integer({ min: startAt - 10 * 86_400_000, max: endAt + 10 * 86_400_000 }), (now) => {
          const next = nextSummaryAt(c, now);
          expect(next).toBeGreaterThan(now);
          expect(next).toBeLessThanOrEqual(trueNext(c, now));
        }),
        { numRuns: 2_000 },
      );
    } finally {
      await store.close();
    }
  });
});

import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Campaign } from "../../src/campaign/campaign.ts";
import { publishedAsOf } from "../../src/publish/source.ts";
import { statsSeries } from "../../src/publish/stats-series.ts";
import { statistics } from "../../src/publish/stats.ts";
import { cst } from "../helpers.ts";
import { initCampaign, playStory } from "./fixture.ts";

let c: Campaign;
let close: () => Promise<void>;
beforeAll(async () => {
  const r = await initCampaign();
  c = r.c;
  close = r.close;
  await playStory(c);
});
afterAll(() => close());

const at = (s: ReturnType<typeof statsSeries>, day: string) => s.days.indexOf(day);

describe("the statistics page's chart series", () => {
  it("counts overdue items at each working day's end from the items' due and hand-in instants", async () => {
    const s = statsSeries(await publishedAsOf(c, cst("2021-07-20T12:00")));
    const overdueOn = (day: string) => s.overdue[at(s, day)];
    // Working days only: the Dragon Boat holiday (06-12..14) and weekends are not sampled.
    expect(s.days).not.toContain("2021-06-14");
    expect(s.days).not.toContain("2021-06-19");
    expect(s.days.at(-1)).toBe("2021-07-20");
    expect(overdueOn("2021-06-11")).toBe(0);
    // South's report is past due from 06-15 until it is handed in again on 06-21; east's extended one from 06-25.
    expect(overdueOn("2021-06-15")).toBe(1);
    expect(overdueOn("2021-06-18")).toBe(1);
    expect(overdueOn("2021-06-21")).toBe(0);
    expect(overdueOn("2021-06-25")).toBe(1);
    expect(overdueOn("2021-07-15")).toBe(2);
    const report = s.cumulative.find((g) => g.key === "report")!;
    // East's deadline moved to 06-25: it is not due on 06-15.
    expect(report.due[at(s, "2021-06-15")]).toBe(2);
    expect(report.handedIn[at(s, "2021-06-15")]).toBe(1);
    expect(report.due.at(-1)).toBe(3);
    expect(report.handedIn.at(-1)).toBe(2);
    // North's waived summary is never due.
    expect(s.cumulative.find((g) => g.key === "summary")!.due.at(-1)).toBe(2);
  });

  it("sorts units by on-time rate, units with nothing due last", async () => {
    const s = statsSeries(await publishedAsOf(c, cst("2021-07-20T12:00")));
    const rates = s.rateByUnit.map((u) => u.onTimeRate);
    expect(rates).toEqual([...rates].sort((a, b) => (b ?? -1) - (a ?? -1)));
    expect(s.rateByUnit.map((u) => u.key)).toEqual(["north", "south", "east"]);
    const early = statsSeries(await publishedAsOf(c, cst("2021-06-01T12:00")));
    expect(early.rateByUnit.every((u) => u.onTimeRate === null)).toBe(true);
    expect(early.cumulative).toEqual([]);
  });

  it("ends, at any instant, on the statistics' overdue count", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: cst("2021-04-28T10:00"), max: cst("2021-07-20T12:00") }), async (t) => {
        const state = await publishedAsOf(c, t);
        const s = statsSeries(state);
        expect(s.overdue.at(-1)).toBe(statistics(state, "unit").total.overdue);
        expect(s.overdue.length).toBe(s.days.length);
      }),
      { numRuns: 25 },
    );
  });
});

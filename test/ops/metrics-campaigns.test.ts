import { describe, expect, it } from "vitest";
import { addCampaign } from "../../src/campaign/campaigns.ts";
import { HostMetrics } from "../../src/ops/metrics.ts";
import { openStore } from "../../src/store/open.ts";
import { cst } from "../helpers.ts";
import { otherCampaignPlan } from "../campaign/plans.ts";
import { tempDir } from "../delivery/support.ts";

describe("metrics of a store with several campaigns", () => {
  it("seeks the oldest unsent message in every campaign served, not the first only", async () => {
    const store = await openStore(`${tempDir("duban-metrics-campaigns-")}/s.db`);
    try {
      const first = await addCampaign(store, "plans/chongqing-2021.yaml", cst("2021-04-28T10:00"));
      const second = await addCampaign(store, otherCampaignPlan(), cst("2021-04-28T10:00"));
      // Only the second campaign has reminders waiting, due 2021-05-17 09:00.
      await second.tick(cst("2021-05-17T09:00"));
      const now = cst("2021-05-17T10:00");
      const metrics = new HostMetrics({ defaultMetrics: false });
      metrics.watch(first, () => now);
      expect(await metrics.oldestUnsentAgeSeconds()).toBe(0);
      metrics.watch(first, () => now, [first, second]);
      expect(await metrics.oldestUnsentAgeSeconds()).toBe(3600);
    } finally {
      await store.close();
    }
  });
});

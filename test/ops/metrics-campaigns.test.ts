import { describe, expect, it } from "vitest";
import { addCampaign } from "../../src/campaign/campaigns.ts";
import { HostMetrics } from "../../src/ops/metrics.ts";
import { openStore } from "../../src/store/open.ts";
import { cst } from "../helpers.ts";
import { otherCampaignPlan } from "../campaign/plans.ts";
import { tempDir } from "../delivery/support.ts";
import { parseScrape, sample } from "./prom.ts";

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
      const watched = [first, second].map((c) => ({ id: c.plan.campaign.id, store: c.store, campaign: c }));
      metrics.watch(first, () => now, watched);
      expect(await metrics.oldestUnsentAgeSeconds()).toBe(3600);

      // Outbox, log head and overdue items: one series per campaign, each read from its own log.
      const f = parseScrape((await metrics.scrape()).body);
      const [a, b] = [first.plan.campaign.id, second.plan.campaign.id];
      expect(sample(f, "duban_outbox_messages", { campaign: a, status: "pending" })).toBe(0);
      expect(sample(f, "duban_outbox_messages", { campaign: b, status: "pending" })).toBe((await second.store.outboxCounts()).pending);
      expect((await second.store.outboxCounts()).pending).toBeGreaterThan(0);
      expect(sample(f, "duban_log_head_seq", { campaign: a })).toBe((await first.store.head()).seq);
      expect(sample(f, "duban_log_head_seq", { campaign: b })).toBe((await second.store.head()).seq);
      expect((await second.store.head()).seq).not.toBe((await first.store.head()).seq);
      const overdueB = second.board(now).filter((r) => r.lateness === "overdue" || r.lateness === "escalated").length;
      expect(sample(f, "duban_overdue_items", { campaign: b })).toBe(overdueB);
    } finally {
      await store.close();
    }
  });
});

import { describe, expect, it } from "vitest";
import { notifiersFor } from "../../src/daemon/host.ts";
import { addCampaign, allCampaigns } from "../../src/campaign/campaigns.ts";
import { startStoreDaemon } from "../../src/daemon/store-daemon.ts";
import { openStore } from "../../src/store/open.ts";
import { cst } from "../helpers.ts";
import { otherCampaignPlan } from "../campaign/plans.ts";
import { startSmtp } from "../notifiers/fixtures.ts";
import { countById, deliveredIds, messageIdOf, tempDir, until } from "./support.ts";

describe("one daemon for every campaign of a store", () => {
  it("ticks and sends each campaign's reminders once, and takes up a campaign added while it runs", { timeout: 60_000 }, async () => {
    const db = `${tempDir("duban-store-daemon-")}/s.db`;
    const store = await openStore(db);
    const smtp = await startSmtp();
    const notifiers = notifiersFor({ smtpUrl: smtp.url, emlDir: "" }, {});
    try {
      await addCampaign(store, "plans/chongqing-2021.yaml", cst("2021-04-28T10:00"));
      await addCampaign(store, otherCampaignPlan(), cst("2021-04-28T10:00"));
      const now = cst("2021-05-17T09:00");
      const lines: { line: string; event?: string; campaign?: string }[] = [];
      const daemon = startStoreDaemon(store, notifiers, { log: (line, f) => lines.push({ line, event: f?.event, campaign: f?.campaign as string | undefined }), now: () => now, watchMs: 100 });
      try {
        const drained = async () => {
          const all = await allCampaigns(store);
          for (const { log } of all) {
            const c = await log.outboxCounts();
            if (c.pending > 0 || c.sent === 0) return false;
          }
          return true;
        };
        await until("both campaigns to send", drained, 30_000);
        expect(daemon.leading().sort()).toEqual(["cq-labour-intermediary-2021", "cq-wage-arrears-2021"]);
        // Added while it runs: picked up at the next look at the registry.
        await addCampaign(store, otherCampaignPlan("cq-winter-2021", "重庆市冬季根治欠薪行动"), cst("2021-04-28T10:00"));
        await until("the third campaign to send", async () => daemon.leading().length === 3 && (await drained()), 30_000);
      } finally {
        await daemon.stop();
      }
      expect(daemon.leaseState()).toBe("stopped");
      // Each campaign's messages arrived once, by Message-ID, and each went to its own chain. A unit owing
      // reminders in several campaigns at one send time got one message for them (a digest group): its rows
      // share the group's Message-ID, so the server holds one message per distinct Message-ID, fewer than rows.
      const counts = countById(smtp.received);
      const idOf = await messageIdOf(store);
      const ids = new Set<string>();
      let rows = 0;
      let inDigests = 0;
      for (const { record, log } of await allCampaigns(store)) {
        const outbox = await log.listOutbox({ limit: 1000 });
        const delivered = await deliveredIds(log);
        expect(outbox.length, record.id).toBeGreaterThan(0);
        for (const o of outbox) {
          const d = delivered.get(o.key)!;
          expect(d, o.key).toBeDefined();
          // Alone, a row keeps the Message-ID of its own key, as before digests.
          if (!d.digest) expect(d.messageId, o.key).toBe(idOf(o.key));
          else inDigests++;
          expect(counts.get(d.messageId), o.key).toBe(1);
          ids.add(d.messageId);
        }
        expect(outbox.every((o) => o.key.startsWith(`${record.id}/`) || o.channel !== "reminder"), record.id).toBe(true);
        rows += outbox.length;
        expect((await log.verify()).ok).toBe(true);
        expect(lines.some((l) => l.event === "leader" && l.campaign === record.id)).toBe(true);
      }
      expect(inDigests).toBeGreaterThan(0);
      expect(smtp.received).toHaveLength(ids.size);
      expect(ids.size).toBeLessThan(rows);
    } finally {
      await notifiers.close();
      await smtp.close();
      await store.close();
    }
  });
});

import { describe, expect, it } from "vitest";
import { addCampaign, allCampaigns } from "../../src/campaign/campaigns.ts";
import { CampaignCache, CampaignSlot } from "../../src/daemon/campaign-slot.ts";
import { runCycle } from "../../src/daemon/cycle.ts";
import { notifiersFor } from "../../src/daemon/host.ts";
import type { EpochMs } from "../../src/engine/calendar.ts";
import { openStore } from "../../src/store/open.ts";
import { chongqingInlined, cst, tempFile } from "../helpers.ts";
import { otherCampaignPlan } from "../campaign/plans.ts";
import { startSmtp } from "../notifiers/fixtures.ts";
import { countById, messageIdOf, runDuban, tempDir } from "./support.ts";

/**
 * The store daemon's slots (what startStoreDaemon runs each minute, src/daemon/campaign-slot.ts) with room
 * for one opened campaign beside two: each cycle of one releases the other, which must still tick and send
 * at its due time, once, and see a plan another process applied meanwhile.
 */
describe("a campaign released from memory between its cycles", () => {
  it("ticks and sends once at its due time, and picks up a plan applied by another process", { timeout: 90_000 }, async () => {
    const db = `${tempDir("released")}/s.db`;
    const store = await openStore(db);
    const smtp = await startSmtp();
    const notifiers = notifiersFor({ smtpUrl: smtp.url, emlDir: "" }, {});
    try {
      await addCampaign(store, "plans/chongqing-2021.yaml", cst("2021-04-28T10:00"));
      const otherFile = otherCampaignPlan();
      await addCampaign(store, otherFile, cst("2021-04-28T10:00"));
      const cache = new CampaignCache(1);
      const opened: string[] = [];
      const [a, b] = (await allCampaigns(store)).map(({ record, log }) => new CampaignSlot(record.id, log, cache, notifiers, { onOpen: (c) => opened.push(c.plan.campaign.id) }));
      const cycle = (s: CampaignSlot, at: EpochMs) => s.cycle(at, (o) => runCycle(o.campaign, o.dispatcher, at));

      const t0 = cst("2021-05-17T09:00");
      expect((await cycle(a!, t0))?.dispatch.sent).toBeGreaterThan(0);
      expect((await cycle(b!, t0))?.dispatch.sent).toBeGreaterThan(0);
      expect(cache.has(a!.id)).toBe(false);
      expect(cache.size).toBe(1);

      // A's next due instant is known without it in memory; the minute before it, nothing opens A.
      const t1 = a!.knownIdleUntil;
      expect(t1).toBeGreaterThan(t0);
      expect(t1).toBeLessThanOrEqual(cst("2021-05-18T09:00"));
      expect(await cycle(a!, t1 - 60_000)).toBeUndefined();
      expect(cache.has(a!.id)).toBe(false);
      const before = smtp.received.length;
      const r = await cycle(a!, t1);
      expect(r, "due at its instant").toBeDefined();
      expect(r!.dispatch.sent).toBeGreaterThan(0);
      expect(smtp.received.length).toBe(before + r!.dispatch.sent);
      // Once: the next minutes find nothing more to send.
      expect((await cycle(a!, t1 + 60_000))?.dispatch.sent ?? 0).toBe(0);
      await cycle(b!, t1);
      expect(cache.has(a!.id)).toBe(false);

      // Another process applies a plan to A that adds an item due today at 18:00, hours before anything A's
      // slot knew of: A's next minute must open it (the log moved) and learn the new schedule.
      const now = cst("2021-05-18T10:00");
      expect(t1).toBeLessThan(now);
      const text = chongqingInlined().replace(
        /^deliverables:\n/m,
        `deliverables:\n  - { id: urgent-return, title: 紧急情况统计表, phase: self-inspection, from: ["@districts"], due: 2021-05-18 }\n`,
      );
      expect(text).toContain("urgent-return");
      const apply = runDuban(["--db", db, "--campaign", a!.id, "--now", "2021-05-18T10:00", "plan", "apply", tempFile("chongqing-changed.yaml", text), "--yes"]);
      const done = await apply.exited;
      expect(done.code, apply.stderr()).toBe(0);
      const idle = a!.knownIdleUntil;
      expect(idle).toBeGreaterThan(now + 60_000);
      const picked = await cycle(a!, now + 60_000);
      expect(picked, "the plan change makes the released campaign due").toBeDefined();
      // It learnt the new item's deadline (18:00 today), which the old plan had nothing at, and records it then.
      expect(a!.knownIdleUntil).toBe(cst("2021-05-18T18:00"));
      expect(a!.knownIdleUntil).toBeLessThan(idle);
      await cycle(b!, now + 60_000);
      expect(await cycle(a!, cst("2021-05-18T17:59"))).toBeUndefined();
      const deadline = await cycle(a!, cst("2021-05-18T18:00"));
      expect(deadline?.events).toBeGreaterThan(0);
      const late = [];
      for await (const e of (await allCampaigns(store))[0]!.log.read({ fromSeq: deadline!.seq! - deadline!.events + 1 })) late.push(e);
      expect(late.filter((e) => e.assignment?.startsWith("urgent-return")).length).toBeGreaterThan(0);
      expect(late.every((e) => e.at === "2021-05-18T18:00:00+08:00" || e.actor.kind !== "engine")).toBe(true);

      // Every message of both campaigns reached the server exactly once, by Message-ID.
      const counts = countById(smtp.received);
      const idOf = await messageIdOf(store);
      let sent = 0;
      for (const { log } of await allCampaigns(store)) {
        for (const o of await log.listOutbox({ status: "sent", limit: 1000 })) {
          expect(counts.get(idOf(o.key)), o.key).toBe(1);
          sent++;
        }
        expect((await log.verify()).ok).toBe(true);
      }
      expect(smtp.received).toHaveLength(sent);
      // Each campaign's first open was announced once, however often it was opened again.
      expect(opened.sort()).toEqual(["cq-labour-intermediary-2021", "cq-wage-arrears-2021"]);
    } finally {
      await notifiers.close();
      await smtp.close();
      await store.close();
    }
  });
});

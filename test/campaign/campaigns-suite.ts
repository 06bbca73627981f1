import { afterEach, describe, expect, it } from "vitest";
import { Campaign } from "../../src/campaign/campaign.ts";
import { addCampaign, allCampaigns, campaignOf } from "../../src/campaign/campaigns.ts";
import { CampaignError } from "../../src/campaign/errors.ts";
import type { Actor } from "../../src/engine/types.ts";
import { openStore } from "../../src/store/open.ts";
import type { EventStore } from "../../src/store/store.ts";
import { cst } from "../helpers.ts";
import { otherCampaignPlan } from "./plans.ts";

const PLAN = "plans/chongqing-2021.yaml";
const CQ = "cq-labour-intermediary-2021";
const unit = (u: string): Actor => ({ kind: "unit", unit: u });

/**
 * Several campaigns in one store, the same on every backend. `spec()` gives a fresh store; `dropRegistry`
 * removes the registry table behind the store's back, leaving the store as a release without it wrote it.
 */
export function describeCampaignsSuite(name: string, spec: () => string, dropRegistry: (spec: string) => Promise<void>, opts: { skip?: boolean } = {}): void {
  describe.skipIf(opts.skip)(name, () => {
    const open: EventStore[] = [];
    afterEach(async () => {
      for (const s of open.splice(0)) await s.close();
    });
    const store = async (s: string) => {
      const st = await openStore(s);
      open.push(st);
      return st;
    };

    it("runs two campaigns side by side, each on its own chain, and opens the same plan again as it is", async () => {
      const s = spec();
      const root = await store(s);
      const other = otherCampaignPlan();
      const a = await addCampaign(root, PLAN, cst("2021-04-28T10:00"));
      const b = await addCampaign(root, other, cst("2021-04-28T10:00"));
      expect((await root.campaigns()).map((r) => r.id)).toEqual([CQ, "cq-wage-arrears-2021"]);
      expect((await a.step({ type: "submit", assignment: "implementation-plan/yuzhong", actor: unit("yuzhong") }, cst("2021-05-18T10:00"))).refused).toBeUndefined();
      await b.tick(cst("2021-05-21T09:30"));
      expect(a.row("implementation-plan/yuzhong")?.state).toBe("submitted");
      expect(b.row("implementation-plan/yuzhong")?.state).toBe("open");
      // Reopened from the store alone, each campaign finds its own log.
      const again = await store(s);
      const byId = new Map((await allCampaigns(again)).map((x) => [x.record.id, x.log]));
      const a2 = await Campaign.open(byId.get(CQ)!);
      const b2 = await Campaign.open(byId.get("cq-wage-arrears-2021")!);
      expect(a2.row("implementation-plan/yuzhong")?.state).toBe("submitted");
      expect(b2.plan.campaign.title).toBe("重庆市根治欠薪专项行动");
      expect((await byId.get(CQ)!.verify()).ok).toBe(true);
      expect((await byId.get("cq-wage-arrears-2021")!.verify()).ok).toBe(true);
      // The same plan version again is that campaign, opened.
      const same = await addCampaign(again, other, cst("2021-05-22T10:00"));
      expect(same.plan.hash).toBe(b2.plan.hash);
      expect((await again.campaigns()).length).toBe(2);
    });

    it("refuses a second campaign with the id of one in the store, and writes nothing", async () => {
      const s = spec();
      const root = await store(s);
      await addCampaign(root, PLAN, cst("2021-04-28T10:00"));
      const head = await root.head();
      // Another plan text under the same campaign id.
      const err = await addCampaign(root, "test/fixtures/other-plan.yaml", cst("2021-04-28T10:00")).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CampaignError);
      expect((err as CampaignError).code).toBe("CAMPAIGN_EXISTS");
      expect((err as CampaignError).message).toContain(`此存储中已有编号为 ${CQ} 的专项行动`);
      expect((await root.campaigns()).length).toBe(1);
      expect(await root.head()).toEqual(head);
    });

    it("asks which campaign when there are several and none is named, listing them", async () => {
      const root = await store(spec());
      await addCampaign(root, PLAN, cst("2021-04-28T10:00"));
      expect((await campaignOf(root, undefined)).record.id).toBe(CQ);
      await addCampaign(root, otherCampaignPlan(), cst("2021-04-28T10:00"));
      const err = await campaignOf(root, undefined).catch((e: unknown) => e);
      expect((err as CampaignError).code).toBe("CAMPAIGN_REQUIRED");
      expect((err as CampaignError).message).toContain(`此存储中有 2 个专项行动，请用 --campaign 指定其一`);
      expect((err as CampaignError).message).toContain("  cq-wage-arrears-2021");
      await expect(campaignOf(root, "nope")).rejects.toMatchObject({ code: "CAMPAIGN_UNKNOWN" });
      expect((await campaignOf(root, "cq-wage-arrears-2021")).record.prefix).toBe("c2_");
    });

    it("a refused init leaves no campaign behind", async () => {
      const root = await store(spec());
      await addCampaign(root, PLAN, cst("2021-04-28T10:00"));
      // The campaign ended months before: refused without --archive.
      await expect(addCampaign(root, otherCampaignPlan("cq-ended"), cst("2022-03-01T10:00"))).rejects.toMatchObject({ code: "CAMPAIGN_ENDED" });
      expect((await root.campaigns()).map((r) => r.id)).toEqual([CQ]);
    });

    it("opens a store written before the registry unchanged, lists its campaign and takes a second one", async () => {
      const s = spec();
      const old = await Campaign.init(await openStore(s), PLAN, cst("2021-04-28T10:00"));
      await old.step({ type: "submit", assignment: "implementation-plan/yuzhong", actor: unit("yuzhong") }, cst("2021-05-18T10:00"));
      const head = await old.store.head();
      await old.store.close();
      await dropRegistry(s);
      const root = await store(s);
      expect((await root.campaigns()).map((r) => [r.id, r.prefix])).toEqual([[CQ, ""]]);
      const c = await Campaign.open((await campaignOf(root, undefined)).log);
      expect(c.row("implementation-plan/yuzhong")?.state).toBe("submitted");
      await addCampaign(root, otherCampaignPlan(), cst("2021-05-19T10:00"));
      expect((await root.campaigns()).map((r) => [r.id, r.prefix])).toEqual([
        [CQ, ""],
        ["cq-wage-arrears-2021", "c2_"],
      ]);
      expect(await root.head()).toEqual(head);
      expect(await root.verify()).toMatchObject({ ok: true, count: head.seq });
    });
  });
}

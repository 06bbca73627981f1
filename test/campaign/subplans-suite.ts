import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Campaign } from "../../src/campaign/campaign.ts";
import { addCampaign } from "../../src/campaign/campaigns.ts";
import { CampaignError } from "../../src/campaign/errors.ts";
import { SubPlans } from "../../src/campaign/subplans.ts";
import type { Actor } from "../../src/engine/types.ts";
import { openStore } from "../../src/store/open.ts";
import type { EventStore } from "../../src/store/store.ts";
import { chongqingInlined, cst, tempFile } from "../helpers.ts";
import { otherCampaignPlan } from "./plans.ts";

export const CITY = "plans/chongqing-2021.yaml";
export const YUZHONG = "plans/chongqing-2021/districts/yuzhong.yaml";
export const JIANGBEI = "plans/chongqing-2021/districts/jiangbei.yaml";
const CQ = "cq-labour-intermediary-2021";
const YZ = "cq-labour-intermediary-2021-yuzhong";
const unit = (u: string): Actor => ({ kind: "unit", unit: u });

/**
 * A copy of 渝中区's sub-plan, edited, in a folder where its `from: ../../org/chongqing-hrss.yaml` still
 * finds the directory (copied beside it).
 */
export function yuzhongEdited(edit: (text: string) => string): string {
  const root = mkdtempSync(join(tmpdir(), "duban-subplan-"));
  mkdirSync(join(root, "org"));
  copyFileSync("plans/org/chongqing-hrss.yaml", join(root, "org", "chongqing-hrss.yaml"));
  mkdirSync(join(root, "p", "d"), { recursive: true });
  const before = readFileSync(YUZHONG, "utf8");
  const text = edit(before);
  if (text === before) throw new Error("the edit changed nothing: yuzhong.yaml moved on");
  const file = join(root, "p", "d", "yuzhong.yaml");
  writeFileSync(file, text);
  return file;
}

/** The city plan whose 专项整治具体实施方案 waits for the districts' sub-plans (requiresSubPlan). */
export function cityRequiringSubPlans(): string {
  const dir = mkdtempSync(join(tmpdir(), "duban-requires-"));
  const file = join(dir, "city.yaml");
  const text = chongqingInlined().replace("  - id: implementation-plan\n    title: 专项整治具体实施方案\n", "  - id: implementation-plan\n    title: 专项整治具体实施方案\n    requiresSubPlan: true\n");
  if (!text.includes("requiresSubPlan: true")) throw new Error("the city plan's implementation-plan moved");
  writeFileSync(file, text);
  return file;
}

/** Every item of 渝中区's sub-plan with a deadline handed in and accepted (the district summary by yuzhong, its recipient). */
export async function completeYuzhong(y: Campaign, at: string): Promise<void> {
  const streets = ["jiefangbei", "chaotianmen", "shangqingsi", "daping"];
  const items: [string, string, string][] = [
    ...streets.flatMap((s): [string, string, string][] => [
      [`agency-survey/${s}`, s, "yuzhong-market"],
      [`street-self-inspection/${s}`, s, "yuzhong-market"],
    ]),
    ["inspection-findings/yuzhong-inspection", "yuzhong-inspection", "yuzhong-market"],
    ["district-summary/yuzhong-market", "yuzhong-market", "yuzhong"],
  ];
  for (const [id, by, reviewer] of items) {
    expect((await y.step({ type: "submit", assignment: id, actor: unit(by) }, cst(at))).refused, id).toBeUndefined();
    expect((await y.step({ type: "accept", assignment: id, actor: unit(reviewer) }, cst(at))).refused, id).toBeUndefined();
  }
}

/** Sub-plans run beside their parent in one store, the same on every backend. */
export function describeSubPlansSuite(name: string, spec: () => string, opts: { skip?: boolean } = {}): void {
  describe.skipIf(opts.skip)(name, () => {
    const open: EventStore[] = [];
    afterEach(async () => {
      for (const s of open.splice(0)) await s.close();
    });
    const store = async () => {
      const st = await openStore(spec());
      open.push(st);
      return st;
    };
    const refusal = async (root: EventStore, file: string): Promise<CampaignError> => {
      const before = await root.campaigns();
      const err = await addCampaign(root, file, cst("2021-04-28T10:00")).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CampaignError);
      // Nothing written: no campaign registered, none of its tables kept.
      expect(await root.campaigns()).toEqual(before);
      return err as CampaignError;
    };

    it("adds a sub-plan under its parent, recording the parent in the registry", async () => {
      const root = await store();
      await addCampaign(root, CITY, cst("2021-04-28T10:00"));
      await addCampaign(root, otherCampaignPlan(), cst("2021-04-28T10:00"));
      await addCampaign(root, YUZHONG, cst("2021-04-28T10:00"));
      await addCampaign(root, JIANGBEI, cst("2021-04-28T10:00"));
      expect((await root.campaigns()).map((r) => [r.id, r.parent])).toEqual([
        [CQ, undefined],
        ["cq-wage-arrears-2021", undefined],
        [YZ, CQ],
        ["cq-labour-intermediary-2021-jiangbei", CQ],
      ]);
      const subs = await new SubPlans(root, CQ).all(cst("2021-05-13T10:00"));
      expect(subs.map((s) => [s.campaign, s.item ?? `unit:${s.unit}`, s.total])).toEqual([
        [YZ, "implementation-plan/yuzhong", 10],
        ["cq-labour-intermediary-2021-jiangbei", "unit:jiangbei", expect.any(Number)],
      ]);
      expect(await new SubPlans(root, "cq-wage-arrears-2021").all(cst("2021-05-13T10:00"))).toEqual([]);
    });

    it("refuses a sub-plan whose parent campaign is not in the store, and writes nothing", async () => {
      const root = await store();
      await addCampaign(root, otherCampaignPlan(), cst("2021-04-28T10:00"));
      const err = await refusal(root, YUZHONG);
      expect(err.code).toBe("PARENT_INVALID");
      expect(err.message).toMatch(new RegExp(`^${YUZHONG.replace(/[./]/g, "\\$&")}:\\d+:\\d+: error\\[PARENT_MISSING\\]: 上级专项行动“${CQ}”不在此存储中`));
      expect(err.message).toContain("此存储中的专项行动：cq-wage-arrears-2021");
      // An empty store too: nothing is left behind.
      const empty = await store();
      expect((await refusal(empty, YUZHONG)).code).toBe("PARENT_INVALID");
      expect((await empty.head()).seq).toBe(0);
    });

    it("refuses a sub-plan under an item another unit owes, or with a deadline outside the parent item's window, with every problem", async () => {
      const root = await store();
      await addCampaign(root, CITY, cst("2021-04-28T10:00"));
      const head = await root.head();
      const otherUnit = await refusal(root, yuzhongEdited((t) => t.replace("item: implementation-plan/yuzhong", "item: implementation-plan/jiangbei")));
      expect(otherUnit.code).toBe("PARENT_INVALID");
      expect(otherUnit.message).toMatch(/yuzhong\.yaml:\d+:\d+: error\[PARENT_UNIT\]: 上级事项“专项整治具体实施方案”（implementation-plan\/jiangbei）由“江北区人力社保局”（jiangbei）承办/);

      // The sub-plan's own window stretched to 05-31, so that only the parent's window is broken.
      const lateSummary = (t: string) => t.replace("  end: 2021-05-20\n  baseUrl", "  end: 2021-05-31\n  baseUrl").replace("    end: 2021-05-20\n    description", "    end: 2021-05-31\n    description").replace("    due: 2021-05-19\n", "    due: 2021-05-25\n");
      const late = await refusal(root, yuzhongEdited(lateSummary));
      expect(late.message).toMatch(/yuzhong\.yaml:\d+:\d+: error\[PARENT_WINDOW\]: “district-summary”（.+）的截止时间 2021-05-25 周二 18:00 晚于上级事项“专项整治具体实施方案”（implementation-plan\/yuzhong）的截止时间 2021-05-20 周四 18:00/);

      // Both at once: each reported, at its own line.
      const both = await refusal(root, yuzhongEdited((t) => lateSummary(t).replace("item: implementation-plan/yuzhong", "item: implementation-plan/jiangbei")));
      expect(both.message.match(/error\[PARENT_(UNIT|WINDOW)\]/g)).toEqual(["error[PARENT_UNIT]", "error[PARENT_WINDOW]"]);
      expect(await root.head()).toEqual(head);
    });

    it("refuses a new version of a sub-plan that no longer fits its parent, or names another parent campaign", async () => {
      const root = await store();
      await addCampaign(root, CITY, cst("2021-04-28T10:00"));
      await addCampaign(root, otherCampaignPlan(), cst("2021-04-28T10:00"));
      const y = await addCampaign(root, YUZHONG, cst("2021-04-28T10:00"));
      const head = await y.store.head();
      const stretch = (t: string) => t.replace("  end: 2021-05-20\n  baseUrl", "  end: 2021-05-31\n  baseUrl").replace("    end: 2021-05-20\n    description", "    end: 2021-05-31\n    description").replace("    due: 2021-05-19\n", "    due: 2021-05-25\n");
      const late = await y.applyPlan(yuzhongEdited(stretch), cst("2021-05-06T10:00"), { reopenSubmitted: false }).catch((e: unknown) => e);
      expect(late).toMatchObject({ code: "PARENT_INVALID" });
      expect((late as Error).message).toMatch(/error\[PARENT_WINDOW\]: “district-summary”/);
      const moved = await y.applyPlan(yuzhongEdited((t) => t.replace("  campaign: cq-labour-intermediary-2021\n  item", "  campaign: cq-wage-arrears-2021\n  item")), cst("2021-05-06T10:00"), { reopenSubmitted: false }).catch((e: unknown) => e);
      expect(moved).toMatchObject({ code: "PARENT_INVALID" });
      expect((moved as Error).message).toContain("上级专项行动不能通过 plan apply 改变");
      expect(await y.store.head()).toEqual(head);
      // A version that still fits goes through.
      const fits = await y.applyPlan(yuzhongEdited((t) => t.replace("    due: 2021-05-19\n", "    due: 2021-05-18\n")), cst("2021-05-06T10:00"), { reopenSubmitted: false });
      expect(fits.diff.moved.map((m) => m.id)).toEqual(["district-summary/yuzhong-market"]);
    });

    it("refuses a new version of the parent that its sub-plans no longer fit, naming each", async () => {
      const root = await store();
      const city = await addCampaign(root, CITY, cst("2021-04-28T10:00"));
      await addCampaign(root, YUZHONG, cst("2021-04-28T10:00"));
      await addCampaign(root, JIANGBEI, cst("2021-04-28T10:00"));
      const head = await city.store.head();
      // The districts' 实施方案 due on 05-14: 渝中区's sub-plan has deadlines up to 05-19.
      const earlier = chongqingInlined().replace(/(  - id: implementation-plan\n[\s\S]*?    due: )2021-05-20/, "$12021-05-14");
      const err = await city.applyPlan(tempFile("city.yaml", earlier), cst("2021-05-06T10:00"), { reopenSubmitted: false }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: "PARENT_INVALID" });
      const message = (err as Error).message;
      expect(message).toContain(`下级专项行动“渝中区劳务中介专项整治行动（自查阶段）”（${YZ}）：`);
      expect(message).toMatch(/error\[PARENT_WINDOW\]: “street-self-inspection”（[^\n]+）的截止时间 2021-05-17 周一 18:00 晚于上级事项“专项整治具体实施方案”（implementation-plan\/yuzhong）的截止时间 2021-05-14 周五 18:00/);
      expect(message).not.toContain("cq-labour-intermediary-2021-jiangbei");
      expect(await city.store.head()).toEqual(head);
    });

    it("holds the hand-in of a parent item that requires its sub-plan until the sub-plan is complete", async () => {
      const root = await store();
      const city = await addCampaign(root, cityRequiringSubPlans(), cst("2021-04-28T10:00"));
      const submit = { type: "submit" as const, assignment: "implementation-plan/yuzhong", actor: unit("yuzhong") };
      // No sub-plan yet: refused, as before any host filled the progress.
      expect((await city.step(submit, cst("2021-05-10T10:00"))).refused?.code).toBe("SUB_PLAN_INCOMPLETE");
      const y = await addCampaign(root, YUZHONG, cst("2021-05-10T10:00"));
      const incomplete = await city.step(submit, cst("2021-05-11T10:00"));
      expect(incomplete.refused?.message).toBe("“专项整治具体实施方案”须在下级实施方案完成后报送：下级专项行动“渝中区劳务中介专项整治行动（自查阶段）”已完成 0/10 项，尚未全部完成");
      await completeYuzhong(y, "2021-05-12T10:00");
      // Another district's item is not held by 渝中区's sub-plan: it has none, so it waits for its own.
      expect((await city.step({ ...submit, assignment: "implementation-plan/jiangbei", actor: unit("jiangbei") }, cst("2021-05-13T10:00"))).refused?.code).toBe("SUB_PLAN_INCOMPLETE");
      const done = await city.step(submit, cst("2021-05-13T10:00"));
      expect(done.refused).toBeUndefined();
      expect(city.row("implementation-plan/yuzhong")!.state).toBe("submitted");
    });
  });
}

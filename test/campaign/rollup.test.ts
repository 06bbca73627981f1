import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { BoardRow } from "../../src/campaign/board.ts";
import { Campaign } from "../../src/campaign/campaign.ts";
import { rollupChild, subPlanProgress, type ChildRollup } from "../../src/campaign/rollup.ts";
import type { StoredEvent } from "../../src/store/types.ts";
import { PROGRESS_STATES } from "../../src/model/states.ts";
import { openStore } from "../../src/store/open.ts";
import { chongqing, chongqingInlined, cst } from "../helpers.ts";

const YUZHONG = "plans/chongqing-2021/districts/yuzhong.yaml";
const unit = (u: string) => ({ kind: "unit" as const, unit: u });

/** 渝中区's example sub-plan run in a store of its own, a few streets at work by 2021-05-13. */
async function runYuzhong() {
  const store = await openStore(join(mkdtempSync(join(tmpdir(), "duban-rollup-")), "yuzhong.db"));
  const c = await Campaign.init(store, YUZHONG, cst("2021-04-28T10:00"));
  const act = async (input: Parameters<Campaign["step"]>[0], at: string) => {
    const r = await c.step(input, cst(at));
    expect(r.refused).toBeUndefined();
  };
  await act({ type: "submit", assignment: "agency-survey/jiefangbei", actor: unit("jiefangbei") }, "2021-05-11T10:00");
  await act({ type: "accept", assignment: "agency-survey/jiefangbei", actor: unit("yuzhong-market") }, "2021-05-12T09:30");
  await act({ type: "submit", assignment: "agency-survey/chaotianmen", actor: unit("chaotianmen") }, "2021-05-12T10:00");
  await act({ type: "waive", assignment: "street-self-inspection/daping", actor: unit("yuzhong-market"), note: "示例：并入解放碑街道报送" }, "2021-05-12T16:00");
  await c.tick(cst("2021-05-13T10:00"));
  const events: StoredEvent[] = [];
  for await (const e of store.read()) events.push(e);
  return { c, store, events, rows: c.board(cst("2021-05-13T10:00")) };
}

describe("a sub-plan's progress on its parent's row (rollupChild)", () => {
  it("counts the sub-plan's items with a deadline: done, handed in, overdue, and the last thing a person did", async () => {
    const { c, rows, events, store } = await runYuzhong();
    const r = rollupChild({ campaign: c.plan.campaign.id, title: c.plan.campaign.title }, rows, events);
    // 10 items to hand in (4 streets × 2 reports, the 监察支队's findings, the district's summary); the 6 task items
    // the plan tracks without a deadline are not hand-ins.
    expect(r).toEqual({
      campaign: "cq-labour-intermediary-2021-yuzhong",
      title: "渝中区劳务中介专项整治行动（自查阶段）",
      total: 10,
      done: 2,
      handedIn: 1,
      overdue: 2,
      lastActivity: "2021-05-12T16:00:00+08:00",
      complete: false,
    });
    // The engine's tick at 05-13 (overdue, reminders) is not activity; without the log, the board's last hand-in is.
    expect(events.at(-1)!.actor.kind).toBe("engine");
    expect(rollupChild({ campaign: "x", title: "x" }, rows).lastActivity).toBe("2021-05-12T10:00:00+08:00");
    await store.close();
  });

  it("is complete only when every item to hand in is done, never with nothing to do; withdrawn and untimed items do not count", () => {
    const row = (state: BoardRow["state"], extra: Partial<BoardRow> = {}): BoardRow => ({ id: `i${Math.random()}`, unit: "u", title: "t", state, lateness: "onTrack", late: false, level: 0, due: "2021-05-20T18:00:00+08:00", daysLate: 0, returns: 0, extensions: 0, ...extra });
    const child = { campaign: "c", title: "c" };
    expect(rollupChild(child, [row("accepted"), row("waived"), row("withdrawn"), row("open", { due: null })]).complete).toBe(true);
    expect(rollupChild(child, [row("accepted"), row("submitted")]).complete).toBe(false);
    expect(rollupChild(child, []).complete).toBe(false);
    expect(rollupChild(child, [row("open", { due: null })])).toMatchObject({ total: 0, complete: false });
    expect(rollupChild(child, [row("open", { late: true }), row("returned", { late: true }), row("submitted", { late: true })]).overdue).toBe(2);

    fc.assert(
      fc.property(fc.array(fc.record({ state: fc.constantFrom(...PROGRESS_STATES), late: fc.boolean(), timed: fc.boolean() }), { maxLength: 30 }), (xs) => {
        const r = rollupChild(child, xs.map((x) => row(x.state, { late: x.late, ...(x.timed ? {} : { due: null }) })));
        expect(r.done + r.handedIn).toBeLessThanOrEqual(r.total);
        expect(r.overdue).toBeLessThanOrEqual(r.total - r.done - r.handedIn);
        expect(r.complete).toBe(r.total > 0 && r.done === r.total);
      }),
    );
  });
});

describe("a parent item that requires its sub-plan's completion (requiresSubPlan)", () => {
  /** The city plan with 专项整治具体实施方案 set to wait for the districts' sub-plans. */
  async function city() {
    const dir = mkdtempSync(join(tmpdir(), "duban-requires-"));
    const file = join(dir, "city.yaml");
    const text = chongqingInlined().replace("  - id: implementation-plan\n    title: 专项整治具体实施方案\n", "  - id: implementation-plan\n    title: 专项整治具体实施方案\n    requiresSubPlan: true\n");
    expect(text).toContain("requiresSubPlan: true");
    writeFileSync(file, text);
    const store = await openStore(join(dir, "city.db"));
    return { c: await Campaign.init(store, file, cst("2021-04-28T10:00")), store };
  }
  const submit = (subPlans?: ChildRollup[]) => ({ type: "submit" as const, assignment: "implementation-plan/yuzhong", actor: unit("yuzhong"), ...(subPlans ? { subPlans: subPlanProgress(subPlans) } : {}) });

  it("refuses the hand-in while no sub-plan is known, or one is incomplete; takes it once complete; other items are not held", async () => {
    const { c, store } = await city();
    expect(c.plan.assignments.filter((a) => a.requiresSubPlan).map((a) => a.id)).toHaveLength(38);

    const none = await c.step(submit(), cst("2021-05-14T10:00"));
    expect(none.refused?.code).toBe("SUB_PLAN_INCOMPLETE");
    expect(none.refused?.message).toBe("“专项整治具体实施方案”须在下级实施方案完成后报送，但尚无挂在此事项下的下级专项行动；请先运行下级计划（parent.item: implementation-plan/yuzhong）");

    const child = await runYuzhong();
    const progress = rollupChild({ campaign: child.c.plan.campaign.id, title: child.c.plan.campaign.title }, child.rows, child.events);
    const incomplete = await c.step(submit([progress]), cst("2021-05-14T10:00"));
    expect(incomplete.refused?.code).toBe("SUB_PLAN_INCOMPLETE");
    expect(incomplete.refused?.message).toBe("“专项整治具体实施方案”须在下级实施方案完成后报送：下级专项行动“渝中区劳务中介专项整治行动（自查阶段）”已完成 2/10 项，尚未全部完成");
    await child.store.close();

    // Another item of the same unit is not held by the sub-plan.
    expect((await c.step({ type: "submit", assignment: "self-inspection-report/yuzhong", actor: unit("yuzhong") }, cst("2021-05-14T10:00"))).refused).toBeUndefined();
    const done = await c.step(submit([{ ...progress, done: 10, handedIn: 0, overdue: 0, complete: true }]), cst("2021-05-14T11:00"));
    expect(done.refused).toBeUndefined();
    expect(c.board(cst("2021-05-14T11:00")).find((r) => r.id === "implementation-plan/yuzhong")!.state).toBe("submitted");
    await store.close();
  });

  it("the shipped city plan does not set it: its districts hand in their 实施方案 as before", () => {
    expect(chongqing().assignments.some((a) => a.requiresSubPlan)).toBe(false);
  });
});

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Campaign } from "../../src/campaign/campaign.ts";
import { main } from "../../src/cli/main.ts";
import { openStore } from "../../src/store/open.ts";
import { captureIo, cst } from "../helpers.ts";

const PLAN = "plans/chongqing-2021.yaml";
// The same plan with both 06-15 deadlines moved to Friday 06-18.
const MOVED = "test/fixtures/chongqing-moved.yaml";

async function setUp() {
  const db = join(mkdtempSync(join(tmpdir(), "duban-apply-")), "c.db");
  const store = await openStore(db);
  const c = await Campaign.init(store, PLAN, cst("2021-04-28T10:00"));
  await c.step({ type: "submit", assignment: "progress-report/yuzhong", actor: { kind: "unit", unit: "yuzhong" } }, cst("2021-06-08T10:00"));
  await c.step({ type: "extend", assignment: "progress-report/fuling", actor: { kind: "unit", unit: "flow" }, until: cst("2021-06-25T18:00") }, cst("2021-06-09T10:00"));
  return { db, store, c };
}

const row = (c: Campaign, id: string, at: string) => c.board(cst(at)).find((r) => r.id === id)!;

describe("duban plan apply", () => {
  it("shows what moves and changes nothing without --yes", async () => {
    const { db, store } = await setUp();
    const head = await store.head();
    await store.close();
    const io = captureIo();
    const code = await main(["node", "duban", "--db", db, "--now", "2021-06-10T10:00+08:00", "plan", "apply", MOVED], io);
    expect(code).toBe(1);
    expect(io.stdout).toContain("截止时间变动：78 条");
    expect(io.stdout).toContain("阶段性集中整治工作推进情况：2021-06-15 周二 18:00 → 2021-06-18 周五 18:00");
    expect(io.stdout).toContain("1 条已批准延期，保留延期");
    expect(io.stderr).toContain("未执行");
    const again = await openStore(db);
    expect(await again.head()).toEqual(head);
    await again.close();
  });

  it("moves open items, keeps submitted ones and extensions, records why, and replays across versions", async () => {
    const { db, store, c } = await setUp();
    const { diff } = await c.applyPlan(MOVED, cst("2021-06-10T10:00"), { reopenSubmitted: false, note: "端午节后统一报送", actor: "liu-qingqing" });
    expect(diff.moved).toHaveLength(78);
    expect(row(c, "progress-report/wanzhou", "2021-06-16T10:00")).toMatchObject({ state: "open", due: "2021-06-18T18:00:00+08:00", late: false });
    expect(row(c, "progress-report/yuzhong", "2021-06-16T10:00")).toMatchObject({ state: "submitted", due: "2021-06-15T18:00:00+08:00" });
    expect(row(c, "progress-report/fuling", "2021-06-16T10:00")).toMatchObject({ state: "open", due: "2021-06-25T18:00:00+08:00" });
    // Nothing is overdue on the old date any more: no overdue event for the moved item on 06-15.
    const t = await c.tick(cst("2021-06-16T10:00"));
    expect(t.events.some((e) => e.type === "overdue" && e.assignment === "progress-report/wanzhou")).toBe(false);

    const change = (await c.history("progress-report/wanzhou")).length;
    expect(change).toBeGreaterThan(0);
    const events = [];
    for await (const e of store.read()) if (e.type === "planChanged") events.push(e);
    expect(events).toHaveLength(1);
    expect(events[0]!.payload).toMatchObject({ note: "端午节后统一报送", reopenSubmitted: false });
    expect(events[0]!.actor).toEqual({ kind: "person", person: "liu-qingqing", unit: "flow" });

    // A fresh process rebuilds the same state from the log, through both plan versions.
    const fresh = await Campaign.open(await openStore(db));
    expect(fresh.plan.hash).toBe(c.plan.hash);
    expect(fresh.board(cst("2021-06-16T10:00"))).toEqual(c.board(cst("2021-06-16T10:00")));
    // Before the change, the old deadline held.
    const before = await c.replayAsOf(cst("2021-06-09T12:00"));
    expect(before.assignments.find((a) => a.id === "progress-report/wanzhou")).toMatchObject({ state: "open", lateness: "dueSoon" });
    expect((await store.verify()).ok).toBe(true);
  });

  it("reopens submitted items only when asked to", async () => {
    const { c } = await setUp();
    await c.applyPlan(MOVED, cst("2021-06-10T10:00"), { reopenSubmitted: true });
    expect(row(c, "progress-report/yuzhong", "2021-06-16T10:00")).toMatchObject({ state: "returned", due: "2021-06-18T18:00:00+08:00" });
  });
});

import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Campaign } from "../../src/campaign/campaign.ts";
import type { Actor, OpenRequest } from "../../src/engine/types.ts";
import { openStore } from "../../src/store/open.ts";
import type { EventStore } from "../../src/store/store.ts";
import { cst } from "../helpers.ts";
import { kindsPlanFile } from "../items/kinds-plan.ts";

const office: Actor = { kind: "unit", unit: "hq" };
const north: Actor = { kind: "unit", unit: "north" };

const dubandan = (over: Partial<OpenRequest> = {}): OpenRequest => ({ kind: "dubandan", to: ["north"], title: "欠薪线索核查", fields: { basis: "领导批示" }, actor: office, ...over });
const rectify = (agency: string, to = ["north"]): OpenRequest => ({ kind: "rectify", to, title: `${agency}整改`, fields: { agency, problem: "未按规定公示收费标准" }, key: agency, actor: office });

/** Items opened at run time, through the library API, on every backend: `spec()` gives a fresh store. */
export function describeOpenedSuite(name: string, spec: () => string, opts: { skip?: boolean } = {}): void {
  describe.skipIf(opts.skip)(name, () => {
    const open: EventStore[] = [];
    afterEach(async () => {
      for (const s of open.splice(0)) await s.close();
    });
    async function store(s: string): Promise<EventStore> {
      const st = await openStore(s);
      open.push(st);
      return st;
    }
    const plan = kindsPlanFile();

    it("a 督办单's whole trail is in the log: opened, acknowledged, handed in, returned, handed in again, closed; history, replay and verify show it", async () => {
      const s = spec();
      const c = await Campaign.init(await store(s), plan, cst("2021-05-31T09:00"));
      const r = await c.openItem(dubandan({ note: "请于五个工作日内办结" }), cst("2021-06-01T10:00"));
      expect(r.refused).toBeUndefined();
      const id = r.id!;
      expect(id).toBe("dubandan-001");
      expect((await c.step({ type: "acknowledge", assignment: id, actor: north }, cst("2021-06-01T11:00"))).refused).toBeUndefined();
      await c.step({ type: "submit", assignment: id, actor: north, note: "已核查" }, cst("2021-06-03T10:00"));
      await c.step({ type: "return", assignment: id, actor: office, note: "请补充处理结果" }, cst("2021-06-04T10:00"));
      await c.step({ type: "submit", assignment: id, actor: north, note: "已补充" }, cst("2021-06-07T10:00"));
      await c.step({ type: "accept", assignment: id, actor: office, note: "销号" }, cst("2021-06-07T15:00"));
      const trail = (await c.history(id)).map((e) => [e.type, e.actor.kind === "engine" ? "engine" : (e.actor as { unit?: string }).unit]);
      expect(trail).toEqual([
        ["itemOpened", "hq"],
        ["acknowledged", "north"],
        ["dueSoon", "engine"],
        ["submitted", "north"],
        ["returned", "hq"],
        ["submitted", "north"],
        ["accepted", "hq"],
      ]);
      const opened = (await c.history(id))[0]!;
      expect(opened.payload).toMatchObject({ item: { id, unit: "north", dueAt: "2021-06-08T18:00:00+08:00", opensAt: "2021-06-01T10:00:00+08:00", opened: { kind: "dubandan", note: "请于五个工作日内办结" } } });
      // Replay from the log alone, at an instant in the middle of the trail, and after a restart.
      const asOf = await c.replayAsOf(cst("2021-06-04T12:00"));
      expect(asOf.assignments.find((a) => a.id === id)).toMatchObject({ state: "returned" });
      const before = await c.replayAsOf(cst("2021-06-01T09:00"));
      expect(before.assignments.find((a) => a.id === id)).toBeUndefined();
      const reopened = await Campaign.open(await store(s));
      expect(reopened.row(id)).toMatchObject({ state: "accepted", kind: "dubandan", title: "欠薪线索核查" });
      expect((await reopened.store.verify()).ok).toBe(true);
    });

    it("a refused opening writes nothing and says why in Chinese", async () => {
      const c = await Campaign.init(await store(spec()), plan, cst("2021-05-31T09:00"));
      await c.tick(cst("2021-06-01T10:00"));
      const head = await c.store.head();
      const r = await c.openItem(dubandan({ actor: north }), cst("2021-06-01T10:00"));
      expect(r.refused).toMatchObject({ code: "NOT_OPENER", message: "北区无权交办“督办单”：只有领导小组办公室可以" });
      expect(r.events).toEqual([]);
      expect((await c.store.head()).seq).toBe(head.seq);
    });

    it("openItems is all or nothing, and a second import of the same rows opens nothing new", async () => {
      const s = spec();
      const c = await Campaign.init(await store(s), plan, cst("2021-05-31T09:00"));
      await c.tick(cst("2021-06-01T10:00"));
      const head = await c.store.head();
      const bad = await c.openItems([rectify("甲中介"), { ...rectify("乙中介"), to: ["hq"] }, rectify("丙中介")], cst("2021-06-01T10:00"));
      expect(bad.refused.map((x) => [x.index, x.refusal.code])).toEqual([[1, "BAD_RECIPIENT"]]);
      expect(bad.opened).toEqual([]);
      expect((await c.store.head()).seq).toBe(head.seq);
      expect(c.board().filter((r) => r.kind === "rectify")).toEqual([]);

      const first = await c.openItems([rectify("甲中介"), rectify("乙中介", ["south", "north"]), rectify("丙中介")], cst("2021-06-01T10:00"));
      expect(first.opened).toEqual(["rectify-001", "rectify-002", "rectify-003"]);
      expect(first.skipped).toEqual([]);
      const again = await c.openItems([rectify("甲中介"), rectify("乙中介"), rectify("丁中介")], cst("2021-06-01T11:00"));
      expect(again.opened).toEqual(["rectify-004"]);
      expect(again.skipped).toEqual([0, 1]);
      // A joint item is one row with every member; each member hears of it in its own digest.
      const joint = c.row("rectify-002")!;
      expect([joint.unit, joint.members]).toEqual(["south", ["south", "north"]]);
      // Ten working days from Tuesday 06-01 is 06-16 (06-14 is the Dragon Boat Festival).
      const due = await c.tick(cst("2021-06-16T09:30"));
      const to = (u: string) => due.reminders.find((m) => m.recipient === u)?.items.map((i) => i.assignment).filter((a) => a.startsWith("rectify"));
      expect(to("south")).toEqual(["rectify-002"]);
      expect(to("north")).toEqual(["rectify-001", "rectify-002", "rectify-003", "rectify-004"]);
      // A restart keeps the keys: the same rows still open nothing.
      const reopened = await Campaign.open(await store(s));
      expect((await reopened.openItems([rectify("甲中介")], cst("2021-06-16T10:00"))).skipped).toEqual([0]);
    });

    it("a snapshot written before opened items went by column (version 3) restores to the state the log folds to, and the next one is version 4", async () => {
      const s = spec();
      const st = await store(s);
      const c = await Campaign.init(st, plan, cst("2021-05-31T09:00"), { snapshotEvery: 2 });
      await c.openItems([rectify("甲公司"), rectify("乙公司", ["south"]), rectify("丙公司")], cst("2021-06-01T10:00"));
      await c.openItem(dubandan({ note: "请于五个工作日内办结" }), cst("2021-06-01T10:30"));
      await c.step({ type: "acknowledge", assignment: "dubandan-001", actor: north }, cst("2021-06-01T11:00"));
      const snap = (await st.latestSnapshot())!;
      const v4 = JSON.parse(snap.data) as { version: number; openedItems?: unknown };
      expect(v4.version).toBe(4);
      // ASCII alone (the titles and fields as \u escapes): read and parsed as one-byte text.
      expect(snap.data).toMatch(/^[\x00-\x7f]*$/);
      expect(JSON.stringify(v4)).toContain("甲公司");
      // The same state as the version before wrote it: the opened items as objects, in their order.
      const { openedItems: _, ...rest } = v4;
      await st.putSnapshot(snap.seq, snap.planHash, JSON.stringify({ ...rest, version: 3, opened: c.views().views.flatMap((v) => (v.assignment.opened ? [v.assignment] : [])) }));
      expect(JSON.parse((await st.latestSnapshot())!.data).version).toBe(3);
      // Compared as values: items folded from the log come back with the log's canonical (sorted) key order.
      const show = (x: Campaign) => [x.views().campaign, x.views().views];
      const restored = await Campaign.open(await store(s), { snapshotEvery: 2 });
      const folded = await Campaign.open(await store(s), { snapshots: false });
      expect(show(restored)).toEqual(show(folded));
      expect(show(restored)).toEqual(show(c));
      const at = cst("2021-06-01T12:00");
      expect(await restored.replayAsOf(at)).toEqual(await folded.replayAsOf(at));
      // It goes on alike: a step on it writes the next snapshot, by column.
      for (const [a, t] of [["dubandan-001", "13:00"], ["rectify-001", "13:10"], ["rectify-003", "13:20"]] as const)
        expect((await restored.step({ type: "submit", assignment: a, actor: north }, cst(`2021-06-01T${t}`))).refused).toBeUndefined();
      expect(JSON.parse((await st.latestSnapshot())!.data).version).toBe(4);
    });

    it("a plan change carries opened items over as they are; one that drops a policy they run on is refused", async () => {
      const s = spec();
      const c = await Campaign.init(await store(s), plan, cst("2021-05-31T09:00"));
      const id = (await c.openItem(dubandan({ level: "特急" }), cst("2021-06-01T10:00"))).id!;
      await c.step({ type: "acknowledge", assignment: id, actor: north }, cst("2021-06-01T10:30"));
      const moved = join(dirname(plan), "moved.yaml");
      writeFileSync(moved, readFileSync(plan, "utf8").replace('"  - { id: report, title: 报告, phase: first, from: ["@districts"], due: 2021-06-15 }"', "").replace("due: 2021-06-15", "due: 2021-06-18"));
      const r = await c.applyPlan(moved, cst("2021-06-01T11:00"), { reopenSubmitted: false });
      expect(r.diff.removed).toEqual([]);
      expect(c.row(id)).toMatchObject({ state: "open", acknowledgedAt: "2021-06-01T10:30:00+08:00", kind: "dubandan" });
      const reopened = await Campaign.open(await store(s));
      expect(reopened.row(id)).toMatchObject({ state: "open", acknowledgedAt: "2021-06-01T10:30:00+08:00" });
      const dropped = join(dirname(plan), "dropped.yaml");
      writeFileSync(dropped, readFileSync(plan, "utf8").replace(/  urgent:\n    steps:\n.*\n.*\n/, "").replace("policy: urgent, due: +24h", "policy: standard, due: +24h").replace("    policy: urgent\n", "    policy: standard\n"));
      await expect(reopened.applyPlan(dropped, cst("2021-06-01T12:00"), { reopenSubmitted: false })).rejects.toThrow(/新计划删去了督办规则 urgent，但运行中交办的 1 项事项（dubandan-001）仍按它督办/);
    });
  });
}

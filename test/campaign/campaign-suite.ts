import { afterEach, describe, expect, it } from "vitest";
import { Campaign } from "../../src/campaign/campaign.ts";
import { checkOutbox } from "../../src/campaign/outbox-check.ts";
import type { Actor } from "../../src/engine/types.ts";
import { openStore } from "../../src/store/open.ts";
import type { EventStore } from "../../src/store/store.ts";
import { cst } from "../helpers.ts";

const PLAN = "plans/chongqing-2021.yaml";
const unit = (u: string): Actor => ({ kind: "unit", unit: u });

/** The same behaviour on every backend: `spec()` gives a fresh, empty store spec. */
export function describeCampaignSuite(name: string, spec: () => string, opts: { skip?: boolean } = {}): void {
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

    /** init; submits, a return, an acceptance and an extension with set clocks; a tick. */
    async function drill(s: string): Promise<Campaign> {
      const c = await Campaign.init(await store(s), PLAN, cst("2021-04-28T10:00"));
      const go = async (action: Parameters<Campaign["step"]>[0], at: string) => {
        const r = await c.step(action, cst(at), { clock: "set" });
        expect(r.refused).toBeUndefined();
      };
      await go({ type: "submit", assignment: "implementation-plan/yuzhong", actor: unit("yuzhong"), note: "见附件" }, "2021-05-18T10:00");
      await go({ type: "return", assignment: "implementation-plan/yuzhong", actor: unit("liu-qingqing"), note: "内容不全" }, "2021-05-19T10:00");
      await go({ type: "submit", assignment: "implementation-plan/fuling", actor: unit("fuling") }, "2021-05-21T10:00");
      await go({ type: "accept", assignment: "implementation-plan/fuling", actor: unit("flow") }, "2021-05-21T15:00");
      await go({ type: "extend", assignment: "progress-report/wanzhou", actor: unit("flow"), until: cst("2021-06-25T18:00"), note: "汛期" }, "2021-06-10T10:00");
      await c.tick(cst("2021-06-16T09:00"));
      return c;
    }

    it("steps() writes in one append the log the same steps write one by one, and says what each did", async () => {
      const batch = [
        { input: { type: "submit", assignment: "implementation-plan/yuzhong", actor: unit("yuzhong"), note: "见附件" }, now: cst("2021-05-18T10:00") },
        { input: { type: "return", assignment: "implementation-plan/yuzhong", actor: unit("liu-qingqing"), note: "内容不全" }, now: cst("2021-05-19T10:00") },
        // Refused (nobody handed it in): nothing of its own, but the deadlines up to its instant are still kept.
        { input: { type: "accept", assignment: "implementation-plan/wanzhou", actor: unit("flow") }, now: cst("2021-05-20T10:00") },
        { input: { type: "submit", assignment: "implementation-plan/fuling", actor: unit("fuling") }, now: cst("2021-05-21T10:00") },
        { input: { type: "accept", assignment: "implementation-plan/fuling", actor: unit("flow") }, now: cst("2021-05-21T15:00") },
        { input: { type: "tick" }, now: cst("2021-06-16T09:00") },
      ] as const satisfies readonly { input: Parameters<Campaign["step"]>[0]; now: number }[];
      const one = await Campaign.init(await store(spec()), PLAN, cst("2021-04-28T10:00"));
      const each = [];
      for (const b of batch) each.push(await one.step(b.input, b.now));
      const all = await Campaign.init(await store(spec()), PLAN, cst("2021-04-28T10:00"));
      const headBefore = (await all.store.head()).seq;
      const grouped = await all.steps(batch);
      expect(grouped).toEqual(each);
      expect(grouped[2]!.refused).toBeDefined();
      expect(grouped.map((r) => r.events.length).reduce((a, b) => a + b)).toBe((await all.store.head()).seq - headBefore);
      // The same events at the same instants chain to the same head; the same reminders are queued.
      expect(await all.store.head()).toEqual(await one.store.head());
      const queued = async (c: Campaign) => (await c.store.listOutbox({ limit: 10_000 })).map((o) => [o.key, o.eventSeq, o.dueAt]);
      expect(await queued(all)).toEqual(await queued(one));
      expect((await all.store.verify()).ok).toBe(true);
      expect(await checkOutbox(all.store)).toMatchObject({ ok: true });
      // A batch whose instants run back writes nothing.
      const head = await all.store.head();
      await expect(all.steps([{ input: { type: "tick" }, now: cst("2021-06-18T09:00") }, { input: { type: "tick" }, now: cst("2021-06-17T09:00") }])).rejects.toMatchObject({ code: "CLOCK_BEHIND" });
      expect(await all.store.head()).toEqual(head);
    });

    it("replays the drill to hand-checked states at three instants, from the log alone", async () => {
      const s = spec();
      await drill(s);
      const c = await Campaign.open(await store(s));
      const at = async (instant: string) => {
        const r = await c.replayAsOf(cst(instant));
        return (id: string) => r.assignments.find((a) => a.id === id)!;
      };
      const may18 = await at("2021-05-18T12:00");
      expect(may18("implementation-plan/yuzhong")).toMatchObject({ state: "submitted", late: false, level: 0 });
      expect(may18("implementation-plan/fuling")).toMatchObject({ state: "open", lateness: "dueSoon", late: false, level: 0 });

      const may25 = await at("2021-05-25T12:00");
      expect(may25("implementation-plan/yuzhong")).toMatchObject({ state: "returned", lateness: "escalated", late: true, level: 2 });
      // Submitted at 10:00 on 05-21, after the first escalation at 09:00: late, level 1, accepted.
      expect(may25("implementation-plan/fuling")).toMatchObject({ state: "accepted", late: true, level: 1 });

      const jun16 = await at("2021-06-16T08:00");
      expect(jun16("progress-report/wanzhou")).toMatchObject({ state: "open", lateness: "onTrack", late: false, level: 0 });
      expect(jun16("progress-report/yuzhong")).toMatchObject({ state: "open", lateness: "overdue", late: true, level: 0 });
      expect((await c.replayAsOf(cst("2021-06-16T09:00"))).assignments.find((a) => a.id === "progress-report/yuzhong")).toMatchObject({ level: 1 });
    });

    it("keeps each item's trail with actors and instants, and the log verifies", async () => {
      const s = spec();
      const c = await drill(s);
      const trail = await c.history("implementation-plan/yuzhong");
      const actions = trail.filter((e) => e.actor.kind !== "engine").map((e) => [e.type, e.at, e.actor, (e.payload as { note?: string }).note]);
      expect(actions).toEqual([
        ["submitted", "2021-05-18T10:00:00+08:00", { kind: "unit", unit: "yuzhong" }, "见附件"],
        ["returned", "2021-05-19T10:00:00+08:00", { kind: "person", person: "liu-qingqing", unit: "flow" }, "内容不全"],
      ]);
      // The hand-set clock is recorded with the events it produced.
      expect(trail.find((e) => e.type === "submitted")!.payload).toMatchObject({ clock: "set" });
      expect(trail.map((e) => e.type)).toContain("overdue");
      const v = await c.store.verify();
      expect(v.ok).toBe(true);
    });

    it("queues the reminders in the same append as the events that caused them", async () => {
      const s = spec();
      const c = await Campaign.init(await store(s), PLAN, cst("2021-04-28T10:00"));
      const r = await c.tick(cst("2021-05-17T09:00"));
      expect(r.reminders).toHaveLength(38);
      const queued = await c.store.listOutbox({ channel: "reminder" });
      expect(queued.map((q) => q.key).sort()).toEqual(r.reminders.map((x) => x.key).sort());
      const lastSeq = r.events.at(-1)!.seq;
      expect(queued.every((q) => q.eventSeq === lastSeq)).toBe(true);
      // A second tick at the same instant changes nothing and queues nothing.
      const again = await c.tick(cst("2021-05-17T09:00"));
      expect(again.events).toEqual([]);
      expect((await c.store.outboxCounts()).pending).toBe(38);
    });

    it("two writers on one store never both decide from the same state (the loser retries from the log)", async () => {
      const s = spec();
      const c1 = await Campaign.init(await store(s), PLAN, cst("2021-04-28T10:00"));
      const st2 = await store(s);
      const c2 = await Campaign.open(st2);
      const append = st2.append.bind(st2);
      let raced = false;
      // Just before c2 writes, c1 gets in first: c2's append must fail on the moved head and be redone.
      st2.append = async (...args) => {
        if (!raced) {
          raced = true;
          await c1.step({ type: "submit", assignment: "implementation-plan/yuzhong", actor: unit("yuzhong") }, cst("2021-05-18T10:00"));
        }
        return append(...args);
      };
      const r = await c2.step({ type: "submit", assignment: "implementation-plan/fuling", actor: unit("fuling") }, cst("2021-05-18T11:00"));
      expect(r.refused).toBeUndefined();
      const fresh = await Campaign.open(await store(s));
      const rows = fresh.board(cst("2021-05-18T12:00"));
      expect(rows.find((x) => x.id === "implementation-plan/yuzhong")!.state).toBe("submitted");
      expect(rows.find((x) => x.id === "implementation-plan/fuling")!.state).toBe("submitted");
      // Each time-based event was logged once, whoever wrote it.
      const opened: string[] = [];
      for await (const e of fresh.store.read()) if (e.type === "opened") opened.push(e.assignment!);
      expect(opened.length).toBe(new Set(opened).size);
      expect((await fresh.store.verify()).ok).toBe(true);
    });

    it("two processes initialising one store at once end with one campaign", async () => {
      const s = spec();
      const [a, b] = await Promise.all([Campaign.init(await store(s), PLAN, cst("2021-04-28T10:00")), Campaign.init(await store(s), PLAN, cst("2021-04-28T10:00"))]);
      expect(a.plan.hash).toBe(b.plan.hash);
      const inits = [];
      for await (const e of a.store.read()) if (e.type === "campaignInitialised") inits.push(e);
      expect(inits).toHaveLength(1);
    });

    it("refuses to init a store that already runs another plan version", async () => {
      const s = spec();
      await Campaign.init(await store(s), PLAN, cst("2021-04-28T10:00"));
      const again = await Campaign.init(await store(s), PLAN, cst("2021-04-29T10:00"));
      expect(again.plan.campaign.id).toBe("cq-labour-intermediary-2021");
      await expect(Campaign.init(await store(s), "test/fixtures/other-plan.yaml", cst("2021-04-29T10:00"))).rejects.toMatchObject({ code: "ALREADY_INITIALISED" });
    });
  });
}

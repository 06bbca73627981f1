import { afterAll, afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { logAccess } from "../../src/access/audit.ts";
import { openSidecar } from "../../src/access/open.ts";
import { addUser } from "../../src/access/users.ts";
import { Campaign } from "../../src/campaign/campaign.ts";
import type { Actor } from "../../src/engine/types.ts";
import { openStore } from "../../src/store/open.ts";
import type { EventStore } from "../../src/store/store.ts";
import { cst } from "../helpers.ts";
import { pgSchema, pgSpec, pgUnavailable } from "../pg.ts";

const PLAN = "plans/chongqing-2021.yaml";
const unit = (u: string): Actor => ({ kind: "unit", unit: u });
const dir = mkdtempSync(join(tmpdir(), "duban-clock-"));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Issue 11, section 1: the log's clock never runs back, on every backend. */
function clockSuite(name: string, spec: () => string, skip = false): void {
  describe.skipIf(skip)(name, () => {
    const open: EventStore[] = [];
    afterEach(async () => {
      for (const s of open.splice(0)) await s.close();
    });
    async function store(s: string): Promise<EventStore> {
      const st = await openStore(s);
      open.push(st);
      return st;
    }
    const behind = (last: string) => ({
      code: "CLOCK_BEHIND",
      message: expect.stringContaining(`早于此存储最后一条记录的时刻 ${last}，未记录任何内容`),
    });

    it("refuses a tick, an action and a plan change dated before the last event, naming it, and writes nothing", async () => {
      const s = spec();
      // The drill: init without --now stamps today; a tick in 2021 was accepted and hid the log from replays.
      // An office recording a finished campaign (--archive) must still not write into its past.
      const c = await Campaign.init(await store(s), PLAN, cst("2025-01-06T10:00"), { archive: true });
      const head = await c.store.head();
      await expect(c.tick(cst("2021-05-25T09:00"))).rejects.toMatchObject(behind("2025-01-06T10:00:00+08:00"));
      await expect(c.step({ type: "submit", assignment: "implementation-plan/yuzhong", actor: unit("yuzhong") }, cst("2021-05-18T10:00"))).rejects.toMatchObject(behind("2025-01-06T10:00:00+08:00"));
      await expect(c.applyPlan("test/fixtures/chongqing-moved.yaml", cst("2021-05-18T10:00"), { reopenSubmitted: false })).rejects.toMatchObject(behind("2025-01-06T10:00:00+08:00"));
      expect(await c.store.head()).toEqual(head);
      expect(await c.store.outboxCounts()).toEqual({ pending: 0, sent: 0, failed: 0 });
      // The message says what to do for a drill.
      await expect(c.tick(cst("2021-05-25T09:00"))).rejects.toThrow(/duban --db <新存储> --now <开始时刻> init <计划>/);
    });

    it("records an action at the instant it was taken, never moved to the engine's later clock", async () => {
      const s = spec();
      const c = await Campaign.init(await store(s), PLAN, cst("2021-04-28T10:00"));
      // A tick with nothing to record moves the engine's clock but writes nothing, so the log's last instant stays.
      await c.tick(cst("2021-05-10T09:30"));
      const r = await c.step({ type: "submit", assignment: "implementation-plan/yuzhong", actor: unit("yuzhong") }, cst("2021-05-10T09:00"));
      expect(r.refused).toBeUndefined();
      expect(r.events.find((e) => e.type === "submitted")!.at).toBe("2021-05-10T09:00:00+08:00");
      // And a later one from another process that looked at an older head is refused, not clamped.
      const other = await Campaign.open(await store(s));
      await expect(other.step({ type: "submit", assignment: "implementation-plan/fuling", actor: unit("fuling") }, cst("2021-05-10T08:00"))).rejects.toMatchObject({ code: "CLOCK_BEHIND" });
      expect((await c.store.head()).at).toBe("2021-05-10T09:00:00+08:00");
    });

    it("refuses access events and accounts dated before the last event, creating no account", async () => {
      const s = spec();
      const st = await store(s);
      const c = await Campaign.init(st, PLAN, cst("2021-04-28T10:00"));
      await c.tick(cst("2021-05-21T09:30"));
      const sidecar = await openSidecar(st);
      try {
        const head = await st.head();
        await expect(addUser(c, sidecar.access, { name: "late", unit: "yuzhong" }, cst("2021-05-01T10:00"))).rejects.toMatchObject({ code: "CLOCK_BEHIND" });
        expect(await sidecar.access.getUser("late")).toBeUndefined();
        await expect(logAccess(c, cst("2021-05-01T10:00"), "signedIn", { user: "x" })).rejects.toMatchObject({ code: "CLOCK_BEHIND" });
        expect(await st.head()).toEqual(head);
        await addUser(c, sidecar.access, { name: "ok", unit: "yuzhong" }, cst("2021-05-21T10:00"));
        await expect(c.step({ type: "submit", assignment: "implementation-plan/yuzhong", actor: unit("yuzhong") }, cst("2021-05-21T09:45"))).rejects.toMatchObject({ code: "CLOCK_BEHIND" });
      } finally {
        sidecar.close();
      }
    });

    it("logs the time-based events due before an access event first, so the next tick never writes into the past", async () => {
      const s = spec();
      const c = await Campaign.init(await store(s), PLAN, cst("2021-04-28T10:00"));
      // Nothing ticked since init; a sign-in on 05-21 (deadlines passed, escalations due) comes first.
      const [signIn] = await logAccess(c, cst("2021-05-21T10:00"), "signedIn", { user: "liu" }).then((e) => [e]);
      const before = [];
      for await (const e of c.store.read({ toSeq: signIn!.seq - 1 })) before.push(e);
      expect(before.some((e) => e.type === "overdue")).toBe(true);
      // A daemon coming back later has nothing left to stamp before the sign-in.
      const daemon = await Campaign.open(await store(s));
      await daemon.tick(cst("2021-05-21T10:05"));
      expect(await c.store.verify()).toMatchObject({ ok: true });
    });

    it("a store initialised after the campaign began records the missed deadlines when it learns of them, keeping their scheduled instants", async () => {
      const s = spec();
      const c = await Campaign.init(await store(s), PLAN, cst("2021-05-21T09:00"));
      await c.tick(cst("2021-05-21T09:00"));
      expect(await c.store.verify()).toMatchObject({ ok: true });
      const overdue = (await c.history("implementation-plan/yuzhong")).find((e) => e.type === "overdue")!;
      expect(overdue.at).toBe("2021-05-21T09:00:00+08:00");
      expect(overdue.payload).toMatchObject({ scheduledAt: "2021-05-20T18:00:00+08:00" });
      // Replays apply the scheduled instants: the same board as the engine that ran.
      const live = c.board(cst("2021-05-21T09:00")).map((r) => [r.id, r.state, r.lateness, r.level, r.daysLate]);
      const replayed = (await c.boardAsOf(cst("2021-05-21T09:00"))).rows.map((r) => [r.id, r.state, r.lateness, r.level, r.daysLate]);
      expect(replayed).toEqual(live);
      expect((await Campaign.open(await store(s))).board(cst("2021-05-21T09:00")).map((r) => [r.id, r.state, r.lateness, r.level, r.daysLate])).toEqual(live);
    });

    it("replay before the first event says when the store begins", async () => {
      const s = spec();
      const c = await Campaign.init(await store(s), PLAN, cst("2021-04-28T10:00"));
      await expect(c.replayAsOf(cst("2021-04-01T09:00"))).rejects.toMatchObject({
        code: "BEFORE_FIRST_EVENT",
        message: "此存储的记录始于 2021-04-28T10:00:00+08:00，2021-04-01T09:00:00+08:00 早于它，没有可回放的状态；请回放 2021-04-28T10:00:00+08:00 及以后的时刻",
      });
      expect((await c.replayAsOf(cst("2021-04-28T10:00"))).assignments.length).toBe(c.plan.assignments.length);
    });

    it("boardAsOf gives the states and lateness of one instant", async () => {
      const s = spec();
      const c = await Campaign.init(await store(s), PLAN, cst("2021-04-28T10:00"));
      await c.tick(cst("2021-06-16T10:00"));
      await c.tick(cst("2021-09-01T10:00"));
      const then = await c.boardAsOf(cst("2021-06-16T10:00"));
      const now = c.board(cst("2021-06-16T10:00"));
      const id = "progress-report/yuzhong";
      // The final state reached a higher level later; the board of 06-16 shows what it was on 06-16.
      expect(now.find((r) => r.id === id)!.level).toBeGreaterThan(then.rows.find((r) => r.id === id)!.level);
      expect(then.rows.find((r) => r.id === id)).toMatchObject((await c.replayAsOf(cst("2021-06-16T10:00"))).assignments.find((a) => a.id === id)!);
    });
  });
}

clockSuite("the log's clock on SQLite", () => join(dir, `c${++n}.db`));
clockSuite("the log's clock on PostgreSQL", () => pgSpec(pgSchema()), Boolean(pgUnavailable));

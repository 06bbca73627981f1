import { describe, expect, it } from "vitest";
import { Campaign } from "../../src/campaign/campaign.ts";
import { openStore } from "../../src/store/open.ts";
import type { EventStore } from "../../src/store/store.ts";
import { startSmtp } from "../notifiers/fixtures.ts";
import { cst } from "../helpers.ts";
import { pgSchema, pgSpec, pgUnavailable } from "../pg.ts";
import { countById, runNode, until, type Child, messageIdOf } from "./support.ts";

const PLAN = "plans/chongqing-2021.yaml";
/** Messages the leader gets through before the server starts holding transactions. */
const LEADER_SENDS = 20;

function daemon(db: string, now: string, smtpUrl: string): Child {
  return runNode(["--import", "tsx", "test/delivery/fixtures/daemon.ts", "--db", db, "--now", now, "--standby-poll-ms", "200"], { DUBAN_SMTP_URL: smtpUrl });
}

describe.skipIf(pgUnavailable)("two daemons on one PostgreSQL store", () => {
  it("the standby takes over when the leader is killed with SIGKILL, and every reminder arrives once", { timeout: 45_000 }, async () => {
    const db = pgSpec(pgSchema());
    const store: EventStore = await openStore(db);
    try {
      // 38 reminders of 5月17日 queued without sending; the leader's tick on 5月21日 adds 39 and the summary.
      const campaign = await Campaign.init(store, PLAN, cst("2021-04-28T10:00"));
      await campaign.tick(cst("2021-05-17T09:00"));

      // The server lets the leader's first messages through, then holds every transaction at MAIL FROM
      // until the test opens the gate (after the kill), so nothing is in flight when the leader dies.
      let mailFroms = 0;
      let gateOpen = false;
      const held: (() => void)[] = [];
      const smtp = await startSmtp({
        onMailFrom: () => (gateOpen || ++mailFroms <= LEADER_SENDS ? Promise.resolve() : new Promise<void>((r) => held.push(r))),
      });
      try {
        const leader = daemon(db, "2021-05-21T09:00:00+08:00", smtp.url);
        await until("the first daemon to lead", () => /leader: /.test(leader.stderr()));
        // The second daemon's clock is 5 minutes later: past the 2-minute lease on the leader's claims.
        const standby = daemon(db, "2021-05-21T09:05:00+08:00", smtp.url);
        await until("the second daemon to stand by", () => /standby: /.test(standby.stderr()));

        await until("the leader's first messages", async () => smtp.received.length === LEADER_SENDS && (await store.outboxCounts()).sent === LEADER_SENDS);
        expect(held.length).toBeGreaterThan(0);
        expect(standby.stderr()).not.toMatch(/leader: /);
        const total = (await store.listOutbox({ limit: 1000 })).length;
        expect(total).toBe(38 + 39 + 1);

        leader.proc.kill("SIGKILL");
        expect((await leader.exited).signal).toBe("SIGKILL");
        gateOpen = true;
        for (const r of held.splice(0)) r();

        await until("the standby to take over", () => /leader: /.test(standby.stderr()), 10_000);
        await until("the outbox to drain", async () => (await store.outboxCounts()).sent === total, 20_000);
        expect(await store.outboxCounts()).toEqual({ pending: 0, sent: total, failed: 0 });

        // Counted at the server by Message-ID: each queued message exactly once.
        const counts = countById(smtp.received);
        expect(smtp.received).toHaveLength(total);
        const idOf = await messageIdOf(store);
        for (const o of await store.listOutbox({ limit: 1000 })) expect(counts.get(idOf(o.key)), o.key).toBe(1);

        const delivered: string[] = [];
        for await (const e of store.read()) if (e.type === "delivered") delivered.push((e.payload as { key: string }).key);
        expect(delivered).toHaveLength(total);
        expect(new Set(delivered).size).toBe(total);
        expect(await store.verify()).toMatchObject({ ok: true });

        // The leader never stood by; the standby stood by until the leader was gone.
        expect(leader.stderr()).not.toMatch(/standby: /);
        const s = standby.stderr();
        expect(s.indexOf("standby: ")).toBeLessThan(s.indexOf("leader: "));
        expect(s).toMatch(/catch-up cycle at=2021-05-21T09:05:00\+08:00 events=0 queued=0 sent=\d+ retrying=0 failed=0/);

        standby.proc.kill("SIGTERM");
        expect((await standby.exited).code, standby.stderr()).toBe(0);
        expect(standby.stderr()).toMatch(/stopped/);
      } finally {
        await smtp.close();
      }
    } finally {
      await store.close();
    }
  });
});

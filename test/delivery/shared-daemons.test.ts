import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { addCampaign, allCampaigns } from "../../src/campaign/campaigns.ts";
import { openStore } from "../../src/store/open.ts";
import { cst, tempFile } from "../helpers.ts";
import { startSmtp } from "../notifiers/fixtures.ts";
import { pgSchema, pgSpec, pgUnavailable } from "../pg.ts";
import { countById, deliveredIds, messageIdOf, runNode, tempDir, until, type Child } from "./support.ts";

const CAMPAIGNS = 30;
const DAEMONS = 3;
/** Standby poll and registry watch of each daemon: the lease period a dead daemon's campaigns wait at most. */
const POLL_MS = 300;

const small = readFileSync("test/fixtures/small-campaign.yaml", "utf8");
const planOf = (i: number) => {
  const id = `small-${String(i).padStart(2, "0")}`;
  return { id, file: tempFile(`${id}.yaml`, small.replace("id: small-01", `id: ${id}`).replace("title: 小专项行动01", `title: 小专项行动${String(i).padStart(2, "0")}`)) };
};

/** The campaigns a daemon leads now, from its log: its last leader/handover line for each. */
function held(d: Child): Set<string> {
  const mine = new Set<string>();
  for (const line of d.stderr().split("\n")) {
    const lead = /leader: 本进程持有租约，负责 (\S+) 的计时与发送/.exec(line)?.[1];
    const gone = /handover: .*交出 (\S+)，/.exec(line)?.[1];
    if (lead) mine.add(lead);
    if (gone) mine.delete(gone);
  }
  return mine;
}

describe.skipIf(pgUnavailable)("three daemons sharing the campaigns of one PostgreSQL store", () => {
  it("spread 30 campaigns, send each reminder once, and take a killed daemon's campaigns over", { timeout: 120_000 }, async () => {
    const db = pgSpec(pgSchema());
    const store = await openStore(db);
    const smtp = await startSmtp();
    const nowFile = join(tempDir("duban-shared-"), "now");
    writeFileSync(nowFile, "2021-06-15T09:30:00+08:00");
    const daemons: Child[] = [];
    try {
      for (let i = 0; i < DAEMONS; i++) daemons.push(runNode(["--import", "tsx", "test/delivery/fixtures/store-daemon.ts", "--db", db, "--now-file", nowFile, "--poll-ms", String(POLL_MS)], { DUBAN_SMTP_URL: smtp.url }));
      const me = await store.joinDaemons();
      await until("the three daemons to be up", async () => (await me.count()) === DAEMONS + 1, 60_000, 100);
      await me.leave();

      // Campaigns added while the daemons run, as an office adds them.
      const ids: string[] = [];
      for (let i = 1; i <= CAMPAIGNS; i++) {
        const p = planOf(i);
        ids.push(p.id);
        await addCampaign(store, p.file, cst("2021-04-28T10:00"));
      }
      const logs = async () => new Map((await allCampaigns(store)).map((x) => [x.record.id, x.log]));
      const drained = async (which: readonly string[], day: string) => {
        const byId = await logs();
        for (const id of which) {
          const log = byId.get(id)!;
          const c = await log.outboxCounts();
          if (c.pending > 0 || c.failed > 0) return false;
          if (!(await log.listOutbox({ limit: 100 })).some((o) => o.status === "sent" && o.dueAt.startsWith(day))) return false;
        }
        return true;
      };
      await until("every campaign's reminders of 6月15日", () => drained(ids, "2021-06-15"), 60_000, 200);
      // Spread evenly: each daemon leads its share, and every campaign has one leader.
      await until("an even spread", () => daemons.every((d) => held(d).size === CAMPAIGNS / DAEMONS), 20_000, 100);
      const union = new Set(daemons.flatMap((d) => [...held(d)]));
      expect(union.size).toBe(CAMPAIGNS);

      // The next working day's reminders fall due, and one daemon dies at once.
      const victim = daemons[0]!;
      const orphans = [...held(victim)];
      writeFileSync(nowFile, "2021-06-16T09:30:00+08:00");
      const killedAt = Date.now();
      victim.proc.kill("SIGKILL");
      expect((await victim.exited).signal).toBe("SIGKILL");
      const survivors = daemons.slice(1);
      await until("the orphans to be taken over", () => orphans.every((id) => survivors.some((d) => held(d).has(id))), 15_000, 20);
      const pickUpMs = Date.now() - killedAt;
      console.log(`shared daemons: ${orphans.length} campaigns of the killed daemon taken over in ${pickUpMs} ms (poll ${POLL_MS} ms)`);
      await until("the survivors to share evenly", () => survivors.every((d) => held(d).size === CAMPAIGNS / 2), 15_000, 50);
      // The survivors' own campaigns move on at the next minute; the orphans' at their takeover.
      await until("the orphans' reminders of 6月16日", () => drained(orphans, "2021-06-16"), 30_000, 200);

      for (const d of survivors) d.proc.kill("SIGTERM");
      for (const d of survivors) expect((await d.exited).code, d.stderr()).toBe(0);

      // Counted at the server by Message-ID: every message recorded as sent arrived exactly once. A unit owing
      // reminders in several campaigns one daemon leads got them in one message (a digest group): its rows share
      // that message's Message-ID; a row alone keeps its own key's.
      const counts = countById(smtp.received);
      const idOf = await messageIdOf(store);
      const messageIds = new Set<string>();
      for (const [id, log] of await logs()) {
        const delivered = await deliveredIds(log);
        for (const o of await log.listOutbox({ status: "sent", limit: 1000 })) {
          const d = delivered.get(o.key);
          expect(d, `${id} ${o.key}`).toBeDefined();
          if (!d!.digest) expect(d!.messageId, `${id} ${o.key}`).toBe(idOf(o.key));
          expect(counts.get(d!.messageId), `${id} ${o.key}`).toBe(1);
          messageIds.add(d!.messageId);
        }
        expect((await log.verify()).ok, id).toBe(true);
      }
      expect(smtp.received).toHaveLength(messageIds.size);
      expect([...counts.values()].every((n) => n === 1)).toBe(true);
    } finally {
      for (const d of daemons) if (d.proc.exitCode === null && d.proc.signalCode === null) d.proc.kill("SIGKILL");
      await smtp.close();
      await store.close();
    }
  });
});

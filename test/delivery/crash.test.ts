import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Campaign } from "../../src/campaign/campaign.ts";
import { main } from "../../src/cli/main.ts";
import { openStore } from "../../src/store/open.ts";
import type { OutboxItem } from "../../src/store/types.ts";
import { startSmtp } from "../notifiers/fixtures.ts";
import { captureIo, cst } from "../helpers.ts";
import { countById, runDuban, tempDir, until, messageIdOf } from "./support.ts";

const PLAN = "plans/chongqing-2021.yaml";
/** nodemailer's pool size in the email notifier (its default): at most one message per connection is between "accepted" and "recorded". */
const SMTP_CONNECTIONS = 5;

async function outbox(db: string): Promise<OutboxItem[]> {
  const store = await openStore(db);
  try {
    return await store.listOutbox({ limit: 100_000 });
  } finally {
    await store.close();
  }
}

describe("a daemon killed with SIGKILL while dispatching", () => {
  const dir = tempDir("crash");
  const db = join(dir, "duban.db");
  // A slow server: it records a message when the data is complete, then takes a while to say 250.
  // From the `holdFrom`-th message on it records but does not answer at all, so the kill lands while
  // messages are in the window the design admits: accepted by the server, not yet recorded as sent.
  let holdFrom = Infinity;
  let seen = 0;
  const held: string[] = [];
  const release: (() => void)[] = [];
  const smtpReady = startSmtp({
    beforeReply: (mail) => {
      if (++seen < holdFrom) return new Promise((r) => setTimeout(r, 3));
      held.push(mail.messageId!);
      return new Promise((r) => release.push(r));
    },
  });
  afterAll(async () => (await smtpReady).close());

  it("restarts and delivers every reminder; only messages in flight at the kill arrive twice, with the same Message-ID", { timeout: 45_000 }, async () => {
    const smtp = await smtpReady;

    // ~500 reminders queued by ticking the Chongqing plan across working-day send slots without dispatching.
    const store = await openStore(db);
    const campaign = await Campaign.init(store, PLAN, cst("2021-04-28T10:00"));
    let day = cst("2021-05-17T09:00");
    let last = day;
    for (;;) {
      if (campaign.calendar.isWorkingDay(campaign.calendar.dateOf(day))) {
        await campaign.tick(day);
        last = day;
        if ((await store.outboxCounts()).pending >= 500) break;
      }
      day += 86_400_000;
    }
    await store.close();
    const firstNow = new Date(last + 60_000).toISOString();
    // The claims of the killed run are leased for 2 min (the dispatcher's default): the restart comes 5 min later.
    const restartNow = new Date(last + 6 * 60_000).toISOString();

    const env = { DUBAN_SMTP_URL: smtp.url };
    // Weeks of backlog are stale by the daemon's default rules; this test is about delivering all of it once.
    const queued = (await outbox(db)).length;
    expect(queued).toBeGreaterThanOrEqual(500);
    // Kill it when about half has arrived.
    holdFrom = Math.floor(queued / 2) + 13;
    const first = runDuban(["--db", db, "--now", firstNow, "run", "--once", "--catch-up", "all"], env);
    await until("half the reminders at the server", () => smtp.received.length >= holdFrom || first.proc.exitCode !== null, 30_000, 2);
    // Let the other pooled connections run into the held reply too.
    await until("the pool to stall", () => held.length >= SMTP_CONNECTIONS, 300, 5).catch(() => {});
    first.proc.kill("SIGKILL");
    const exit = await first.exited;
    holdFrom = Infinity;
    for (const r of release.splice(0)) r();
    expect(exit.signal, `the run finished before the kill:\n${first.stderr()}`).toBe("SIGKILL");

    // The state the crash left: what the store recorded as sent, what was claimed but not settled.
    const atKill = await outbox(db);
    const total = atKill.length;
    expect(total).toBeGreaterThanOrEqual(500);
    const arrivedAtKill = countById(smtp.received);
    const idOf = await messageIdOf(db);
    const sentAtKill = new Set(atKill.filter((o) => o.status === "sent").map((o) => idOf(o.key)));
    const claimedAtKill = new Set(atKill.filter((o) => o.status === "pending" && o.attempts > 0).map((o) => idOf(o.key)));
    expect(atKill.some((o) => o.status === "failed")).toBe(false);
    expect(sentAtKill.size).toBeGreaterThan(0);
    expect(sentAtKill.size).toBeLessThan(total);
    // Recorded as sent implies it reached the server, once; whatever reached the server had been claimed.
    for (const id of sentAtKill) expect(arrivedAtKill.get(id), id).toBe(1);
    for (const id of arrivedAtKill.keys()) expect(sentAtKill.has(id) || claimedAtKill.has(id), id).toBe(true);
    // In flight at the kill: accepted by the server, not recorded as sent. The design resends exactly these.
    const inFlight = [...arrivedAtKill.keys()].filter((id) => !sentAtKill.has(id));
    expect(inFlight.length).toBeLessThanOrEqual(SMTP_CONNECTIONS);
    expect(held.length).toBeGreaterThanOrEqual(1);
    for (const id of held) expect(inFlight).toContain(id);
    // The dispatcher claims only its window, the pool's messages and as many queued behind them: the crash
    // leaves no more leased than that (with a claim of 50 for a pool of 5, up to 45 never-attempted
    // messages waited out the lease). Only the pool's can have reached the server (inFlight above).
    expect(claimedAtKill.size).toBeLessThanOrEqual(2 * SMTP_CONNECTIONS);

    const second = runDuban(["--db", db, "--now", restartNow, "run", "--once", "--catch-up", "all"], env);
    const done = await second.exited;
    expect(done.code, second.stderr()).toBe(0);
    expect(second.stderr()).toMatch(/once at=\S+ events=0 queued=0 sent=\d+ retrying=0 failed=0/);

    const after = await outbox(db);
    expect(after).toHaveLength(total);
    expect(after.filter((o) => o.status !== "sent")).toEqual([]);

    // Counted at the server by Message-ID: everything arrived; twice only for the in-flight ones.
    const counts = countById(smtp.received);
    for (const o of after) expect(counts.get(idOf(o.key)), o.key).toBeGreaterThanOrEqual(1);
    expect(counts.size).toBe(total);
    const twice = [...counts].filter(([, n]) => n > 1).map(([id]) => id).sort();
    expect([...counts.values()].every((n) => n <= 2)).toBe(true);
    expect(twice).toEqual([...inFlight].sort());
    expect(smtp.received.length).toBe(total + inFlight.length);

    // The log: one `delivered` per message, whatever the crash, and the chain verifies.
    const store2 = await openStore(db);
    const delivered = new Map<string, number>();
    for await (const e of store2.read()) {
      if (e.type !== "delivered") continue;
      const key = (e.payload as { key: string }).key;
      delivered.set(key, (delivered.get(key) ?? 0) + 1);
    }
    await store2.close();
    expect(delivered.size).toBe(total);
    expect([...delivered.values()].every((n) => n === 1)).toBe(true);

    const io = captureIo();
    expect(await main(["node", "duban", "--db", db, "verify"], io), io.stderr).toBe(0);
    expect(io.stdout).toMatch(/^完整：\d+ 条事件/);
  });
});

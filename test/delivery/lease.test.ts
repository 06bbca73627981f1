import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createNotifiers } from "../../notifiers/index.ts";
import { startSmtp } from "../notifiers/fixtures.ts";
import { Campaign } from "../../src/campaign/campaign.ts";
import { Dispatcher } from "../../src/dispatch/dispatcher.ts";
import { openStore } from "../../src/store/open.ts";
import { cst } from "../helpers.ts";
import { countById, tempDir, until } from "./support.ts";

async function deliveredCount(c: Campaign): Promise<Map<string, number>> {
  const n = new Map<string, number>();
  for await (const e of c.store.read()) if (e.type === "delivered") n.set((e.payload as { key: string }).key, (n.get((e.payload as { key: string }).key) ?? 0) + 1);
  return n;
}

async function queued(dir: string) {
  const db = join(tempDir(dir), "c.db");
  const store = await openStore(db);
  const c = await Campaign.init(store, "plans/chongqing-2021.yaml", cst("2021-04-28T10:00"));
  await c.tick(cst("2021-05-17T09:00"));
  expect((await store.outboxCounts()).pending).toBe(38);
  return { db, store, c };
}

describe("a send that outlives its lease", () => {
  it("keeps its lease while in flight: a second dispatcher after the first lease would have run out sends each message once", { timeout: 30_000 }, async () => {
    const { db, store, c } = await queued("lease-renew");
    const LEASE = 1000;
    // The second dispatcher's campaign is opened first: rebuilding it blocks this process's event loop,
    // which two daemons (two processes) never do to each other.
    const c2 = await Campaign.open(await openStore(db));
    // The server stalls the first dispatcher's first two messages (its whole pool) for several leases,
    // until the second dispatcher has sent everything else. Its window also holds the two queued behind them.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let stalled = 0;
    const smtp = await startSmtp({ beforeReply: () => (++stalled <= 2 ? held : Promise.resolve()) });
    const logs: string[] = [];
    const t1 = cst("2021-05-17T09:01");
    const started = Date.now();
    const first = new Dispatcher(c, createNotifiers({ email: { url: smtp.url, maxConnections: 2 } }), { leaseMs: LEASE, log: (l) => logs.push(l) });
    const running = first.dispatchDue(t1);
    await until("the first two messages to stall at the server", () => smtp.received.length >= 2);
    // Wait on the condition the test is about: the first claim's lease would have run out three times over.
    await until("three leases to pass", () => Date.now() - started > 3 * LEASE);

    // Another dispatcher on its own connection, on the same clock (the first's plus the time that passed).
    const n2 = createNotifiers({ email: { url: smtp.url, maxConnections: 2 } });
    const r2 = await new Dispatcher(c2, n2, { leaseMs: LEASE }).dispatchDue(t1 + (Date.now() - started));
    expect(r2).toEqual({ sent: 34, retrying: 0, failed: 0 });
    release();
    const r1 = await running;
    // The first dispatcher sent the stalled two and the two queued behind them (its window of twice the
    // pool, leases renewed all along); the rest went to the second meanwhile.
    expect(r1.sent).toBe(4);
    expect(logs.filter((l) => /lease lost|already settled/.test(l))).toEqual([]);

    expect(await store.outboxCounts()).toEqual({ pending: 0, sent: 38, failed: 0 });
    const counts = countById(smtp.received);
    expect(counts.size).toBe(38);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    const delivered = await deliveredCount(c);
    expect(delivered.size).toBe(38);
    expect([...delivered.values()].every((n) => n === 1)).toBe(true);
    expect((await store.verify()).ok).toBe(true);
    await n2.close();
    await smtp.close();
  });

  it("is fenced when its lease was taken over anyway: the stale holder's settle is refused and the log records each message once", { timeout: 30_000 }, async () => {
    const { db, store, c } = await queued("lease-fence");
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let holding = true;
    const smtp = await startSmtp({ beforeReply: () => (holding ? held : Promise.resolve()) });
    const logs: string[] = [];
    // A 1 ms lease cannot be renewed in time (renewals run every few milliseconds at best): it runs out at once.
    const first = new Dispatcher(c, createNotifiers({ email: { url: smtp.url, maxConnections: 2 } }), { leaseMs: 1, log: (l) => logs.push(l) });
    const running = first.dispatchDue(cst("2021-05-17T09:01"));
    await until("the first dispatcher's messages to stall at the server", () => smtp.received.length >= 2);

    const c2 = await Campaign.open(await openStore(db));
    holding = false;
    const second = new Dispatcher(c2, createNotifiers({ email: { url: smtp.url, maxConnections: 2 } }), { leaseMs: 60_000 });
    const r2 = await second.dispatchDue(cst("2021-05-17T09:02"));
    release();
    const r1 = await running;

    expect(r2.sent + r1.sent).toBe(38);
    expect(await store.outboxCounts()).toMatchObject({ pending: 0, sent: 38, failed: 0 });
    // Without renewal the stalled ones may arrive twice (same Message-ID); the first says what happened.
    const counts = countById(smtp.received);
    expect(counts.size).toBe(38);
    expect([...counts.values()].every((n) => n <= 2)).toBe(true);
    expect(logs.some((l) => /^(lease lost|already settled elsewhere) /.test(l))).toBe(true);
    const delivered = await deliveredCount(c);
    expect(delivered.size).toBe(38);
    expect([...delivered.values()].every((n) => n === 1)).toBe(true);
    expect((await store.verify()).ok).toBe(true);
    await smtp.close();
  });
});

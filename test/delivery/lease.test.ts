import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createNotifiers } from "../../notifiers/index.ts";
import { startSmtp } from "../notifiers/fixtures.ts";
import { Campaign } from "../../src/campaign/campaign.ts";
import { Dispatcher } from "../../src/dispatch/dispatcher.ts";
import { openStore } from "../../src/store/open.ts";
import { cst } from "../helpers.ts";
import { countById, tempDir, until } from "./support.ts";

describe("a send that outlives its lease", () => {
  it("is taken over by another dispatcher; the first records nothing twice and keeps going", async () => {
    const db = join(tempDir("duban-lease-"), "c.db");
    const store = await openStore(db);
    const c = await Campaign.init(store, "plans/chongqing-2021.yaml", cst("2021-04-28T10:00"));
    await c.tick(cst("2021-05-17T09:00"));
    const queued = (await store.outboxCounts()).pending;
    expect(queued).toBe(38);

    // The server holds the first dispatcher's replies until the second one has sent everything.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let holding = true;
    const smtp = await startSmtp({ beforeReply: () => (holding ? held : Promise.resolve()) });
    const logs: string[] = [];
    const first = new Dispatcher(c, createNotifiers({ email: { url: smtp.url, maxConnections: 2 } }), { leaseMs: 1, log: (l) => logs.push(l) });
    const running = first.dispatchDue(cst("2021-05-17T09:01"));
    // Wait for the condition, not for a time: a message at the server means the first has claimed its batch
    // (with a 1 ms lease, so it is up for grabs) and holds a send in flight. On a loaded machine that can
    // take far longer than any fixed sleep; the claim is all the messages at once or a pool's worth, either way.
    await until("the first dispatcher's first message to reach the server", () => smtp.received.length > 0);

    const c2 = await Campaign.open(await openStore(db));
    holding = false;
    const second = new Dispatcher(c2, createNotifiers({ email: { url: smtp.url, maxConnections: 2 } }), { leaseMs: 60_000 });
    const r2 = await second.dispatchDue(cst("2021-05-17T09:02"));
    release();
    const r1 = await running;

    expect(r2.sent + r1.sent).toBeGreaterThanOrEqual(queued);
    expect(await store.outboxCounts()).toMatchObject({ pending: 0, sent: queued, failed: 0 });
    // Each message arrived, with one Message-ID each; the ones the first had in flight may arrive twice.
    const counts = countById(smtp.received);
    expect(counts.size).toBe(queued);
    expect([...counts.values()].every((n) => n <= 2)).toBe(true);
    // The first dispatcher said what happened instead of failing its loop.
    expect(logs.some((l) => l.startsWith("already settled elsewhere"))).toBe(true);
    let delivered = 0;
    for await (const e of store.read()) if (e.type === "delivered") delivered++;
    expect(delivered).toBe(queued);
    expect((await store.verify()).ok).toBe(true);
    await smtp.close();
  });
});

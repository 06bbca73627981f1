import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createNotifiers } from "../../notifiers/index.ts";
import { Campaign } from "../../src/campaign/campaign.ts";
import { main } from "../../src/cli/main.ts";
import { runCycle, type CycleReport } from "../../src/daemon/cycle.ts";
import { Dispatcher } from "../../src/dispatch/dispatcher.ts";
import { openStore } from "../../src/store/open.ts";
import type { StoredEvent } from "../../src/store/types.ts";
import { json, startHttp, startSmtp } from "../notifiers/fixtures.ts";
import { captureIo, cst } from "../helpers.ts";
import { countById, tempDir, messageIdOf } from "./support.ts";

const PLAN = "plans/chongqing-2021.yaml";
const MIN = 60_000;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(dataCode: () => number | undefined) {
  const smtp = await startSmtp({ dataCode });
  const notifiers = createNotifiers({ email: { url: smtp.url } });
  const db = join(tempDir("outage"), "duban.db");
  const store = await openStore(db);
  cleanups.push(() => smtp.close(), () => store.close(), () => notifiers.close());
  const campaign = await Campaign.init(store, PLAN, cst("2021-04-28T10:00"));
  return { smtp, notifiers, db, store, campaign };
}

async function log(campaign: Campaign): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  for await (const e of campaign.store.read()) out.push(e);
  return out;
}

describe("an SMTP outage", () => {
  it("temporary refusals (421, then 451) are retried after the backoff until every reminder has arrived exactly once", async () => {
    // The server refuses every message while `refusing` holds a code, and accepts once it is cleared.
    let refusing: number | undefined = 421;
    const { smtp, notifiers, campaign } = await setup(() => refusing);
    const dispatcher = new Dispatcher(campaign, notifiers); // backoff 1 min, doubling
    const t0 = cst("2021-05-21T09:00");
    const reports: CycleReport[] = [];
    const cycleAt = async (offsetMs: number) => reports.push(await runCycle(campaign, dispatcher, t0 + offsetMs));

    await cycleAt(0); // first attempt: 421
    const due = (await campaign.store.listOutbox({ limit: 1000 })).length;
    expect(due).toBe(40); // 38 districts, the office's escalation, the daily summary
    expect(reports[0]!.dispatch).toEqual({ sent: 0, retrying: due, failed: 0 });

    await cycleAt(30_000); // before the first retry is due: nothing is claimed
    expect(reports[1]!.dispatch).toEqual({ sent: 0, retrying: 0, failed: 0 });

    refusing = 451;
    await cycleAt(1 * MIN + 1_000); // second attempt, 1 min later: 451
    expect(reports[2]!.dispatch).toEqual({ sent: 0, retrying: due, failed: 0 });

    refusing = undefined;
    await cycleAt(2 * MIN + 30_000); // the second retry waits 2 min: not yet
    expect(reports[3]!.dispatch).toEqual({ sent: 0, retrying: 0, failed: 0 });
    expect(smtp.received).toHaveLength(0);

    await cycleAt(3 * MIN + 2_000); // third attempt: accepted
    expect(reports[4]!.dispatch).toEqual({ sent: due, retrying: 0, failed: 0 });
    await cycleAt(10 * MIN);
    expect(reports[5]!.dispatch).toEqual({ sent: 0, retrying: 0, failed: 0 });

    const outbox = await campaign.store.listOutbox({ limit: 1000 });
    expect(await campaign.store.outboxCounts()).toEqual({ pending: 0, sent: due, failed: 0 });
    expect(outbox.every((o) => o.attempts === 3)).toBe(true);

    // Counted at the server, by Message-ID: each queued message exactly once.
    const counts = countById(smtp.received);
    expect(counts.size).toBe(due);
    const idOf = await messageIdOf(campaign.store);
    for (const o of outbox) expect(counts.get(idOf(o.key)), o.key).toBe(1);

    const events = await log(campaign);
    const retries = events.filter((e) => e.type === "deliveryRetry");
    expect(retries).toHaveLength(2 * due);
    const codes = retries.map((e) => e.payload as { code: string; channel: string; error: string; attempt: number; final: boolean });
    expect(codes.every((p) => p.code === "SMTP_TEMPORARY" && p.channel === "email" && p.final === false)).toBe(true);
    expect(codes.filter((p) => p.attempt === 1).every((p) => p.error.includes("421"))).toBe(true);
    expect(codes.filter((p) => p.attempt === 2).every((p) => p.error.includes("451"))).toBe(true);
    expect(events.filter((e) => e.type === "deliveryFailed")).toHaveLength(0);
    expect(events.filter((e) => e.type === "delivered")).toHaveLength(due);
    expect(await campaign.store.verify()).toMatchObject({ ok: true });
  });

  it("a permanent 550 refusal fails after one attempt and shows in `duban status --json`", async () => {
    let code: number | undefined = 550;
    const { smtp, notifiers, campaign, db } = await setup(() => code);
    const dispatcher = new Dispatcher(campaign, notifiers);
    const r = await runCycle(campaign, dispatcher, cst("2021-05-21T09:00"));
    expect(r.dispatch).toEqual({ sent: 0, retrying: 0, failed: 40 });

    // Nothing is tried again, however late it gets.
    code = undefined;
    const later = await runCycle(campaign, dispatcher, cst("2021-05-21T18:00"));
    expect(later.dispatch).toEqual({ sent: 0, retrying: 0, failed: 0 });
    expect(smtp.received).toHaveLength(0);

    const outbox = await campaign.store.listOutbox({ limit: 1000 });
    expect(outbox.every((o) => o.status === "failed" && o.attempts === 1)).toBe(true);
    expect(outbox[0]!.lastError).toMatch(/^SMTP_REJECTED: .*550/);
    const events = await log(campaign);
    const failed = events.filter((e) => e.type === "deliveryFailed");
    expect(failed).toHaveLength(40);
    expect(failed.every((e) => (e.payload as { final: boolean; attempt: number; code: string }).final && (e.payload as { attempt: number }).attempt === 1)).toBe(true);
    expect(events.filter((e) => e.type === "deliveryRetry" || e.type === "delivered")).toHaveLength(0);

    const io = captureIo();
    expect(await main(["node", "duban", "--db", db, "status", "--json"], io)).toBe(0);
    const status = JSON.parse(io.stdout) as { outbox: { pending: number; sent: number; failed: number; failures: { key: string; attempts: number; error: string }[] } };
    expect(status.outbox).toMatchObject({ pending: 0, sent: 0, failed: 40 });
    expect(status.outbox.failures).toHaveLength(40);
    expect(status.outbox.failures.every((f) => f.attempts === 1 && f.error.startsWith("SMTP_REJECTED"))).toBe(true);
  });

  it("a chat-robot outage is retried without sending the office's email again", async () => {
    // The office (flow) has an email address and the WeCom robot cq-office-wecom in the plan; the robot is down, mail is up.
    let robotDown = true;
    const http = await startHttp((_hit, res) => (robotDown ? json(res, 503, { errcode: -1, errmsg: "system busy" }) : json(res, 200, { errcode: 0, errmsg: "ok" })));
    cleanups.push(() => http.close());
    const smtp = await startSmtp();
    const notifiers = createNotifiers({ email: { url: smtp.url }, webhooks: [{ id: "cq-office-wecom", kind: "wecom", url: `${http.base}/cgi-bin/webhook/send?key=k` }] });
    const store = await openStore(join(tempDir("robot"), "duban.db"));
    cleanups.push(() => smtp.close(), () => store.close(), () => notifiers.close());
    const campaign = await Campaign.init(store, PLAN, cst("2021-04-28T10:00"));
    const dispatcher = new Dispatcher(campaign, notifiers);
    const t0 = cst("2021-05-21T09:00");

    const first = await runCycle(campaign, dispatcher, t0);
    // The office's escalation and its daily summary wait for the robot; the 38 districts (email only) went out.
    expect(first.dispatch).toEqual({ sent: 38, retrying: 2, failed: 0 });
    const officeKeys = (await campaign.store.listOutbox({ status: "pending" })).map((o) => o.key).sort();
    expect(officeKeys).toEqual(["cq-labour-intermediary-2021/flow/2021-05-21T09:00:00+08:00", "cq-labour-intermediary-2021/summary/2021-05-21"]);

    await runCycle(campaign, dispatcher, t0 + 1 * MIN + 1_000); // still down
    robotDown = false;
    const last = await runCycle(campaign, dispatcher, t0 + 4 * MIN);
    expect(last.dispatch).toEqual({ sent: 2, retrying: 0, failed: 0 });
    expect(await campaign.store.outboxCounts()).toEqual({ pending: 0, sent: 40, failed: 0 });

    // The robot got each of the office's messages once it was back; the mailbox got each exactly once.
    const counts = countById(smtp.received);
    expect(counts.size).toBe(40);
    const idOf = await messageIdOf(campaign.store);
    for (const key of officeKeys) expect(counts.get(idOf(key)), key).toBe(1);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    // Each refused round tried the robot once, not once a message (the other waited for its own retry); then each once.
    expect(http.hits).toHaveLength(2 * 1 + 2);

    // The log says what went out where: the retries record that the mail was already delivered.
    const events = await log(campaign);
    const retries = events.filter((e) => e.type === "deliveryRetry").map((e) => e.payload as { key: string; channel: string; deliveredVia?: string[] });
    expect(retries).toHaveLength(4);
    expect(retries.every((p) => p.channel === "wecom" && p.deliveredVia?.join() === "email")).toBe(true);
    for (const key of officeKeys) {
      const d = events.filter((e) => e.type === "delivered" && (e.payload as { key: string }).key === key);
      expect(d).toHaveLength(1);
      expect((d[0]!.payload as { channels: string[] }).channels.sort()).toEqual(["email", "wecom"]);
      expect((d[0]!.payload as { robots: string[] }).robots).toEqual(["cq-office-wecom"]);
    }
  });
});

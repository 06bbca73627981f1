import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createNotifiers, messageIdFromKey } from "../../notifiers/index.ts";
import { Campaign } from "../../src/campaign/campaign.ts";
import { main } from "../../src/cli/main.ts";
import { runCycle, type CycleReport } from "../../src/daemon/cycle.ts";
import { Dispatcher, type DispatchOptions } from "../../src/dispatch/dispatcher.ts";
import { openStore } from "../../src/store/open.ts";
import type { StoredEvent } from "../../src/store/types.ts";
import { startSmtp } from "../notifiers/fixtures.ts";
import { captureIo, cst } from "../helpers.ts";
import { countById, parseAll, tempDir } from "./support.ts";

const PLAN = "plans/chongqing-2021.yaml";
const MIN = 60_000;
const OFFICE_ESCALATION = "cq-labour-intermediary-2021/flow/2021-05-21T09:00:00+08:00";
const FRIDAY_SUMMARY = "cq-labour-intermediary-2021/summary/2021-05-21";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/**
 * A real SMTP relay that answers 421 while the (fake) clock is inside its outage, and the daemon's
 * cycle run on that clock: only the clock is faked, the dispatcher takes `now`.
 */
async function relayDown(until: number, opts: DispatchOptions = {}) {
  let clock = 0;
  const smtp = await startSmtp({ dataCode: () => (clock < until ? 421 : undefined) });
  // A relay that answers 421 closes the connection; a wider pool (and so window) keeps the many failed rounds quick.
  const notifiers = createNotifiers({ email: { url: smtp.url, maxConnections: 20 } });
  const db = join(tempDir("horizon"), "duban.db");
  const store = await openStore(db);
  cleanups.push(() => smtp.close(), () => store.close(), () => notifiers.close());
  const campaign = await Campaign.init(store, PLAN, cst("2021-04-28T10:00"));
  const dispatcher = new Dispatcher(campaign, notifiers, opts);
  const reports: CycleReport[] = [];
  const cycles = async (from: number, to: number, every: number) => {
    for (let t = from; t <= to; t += every) {
      clock = t;
      reports.push(await runCycle(campaign, dispatcher, t));
    }
  };
  return { smtp, db, store, campaign, reports, cycles };
}

async function log(campaign: Campaign): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  for await (const e of campaign.store.read()) out.push(e);
  return out;
}

describe("an SMTP relay that is down for hours", () => {
  it("down 09:00-11:30 (longer than 8 attempts at 60 s doubling): nothing is failed, every message arrives once when it is back", { timeout: 60_000 }, async () => {
    const { smtp, store, campaign, reports, cycles } = await relayDown(cst("2021-05-21T11:30"));
    // The daemon's cycle every minute, from the send time to past the relay's return.
    await cycles(cst("2021-05-21T09:00"), cst("2021-05-21T12:10"), MIN);
    const outbox = await store.listOutbox({ limit: 1000 });
    expect(outbox).toHaveLength(40); // 38 districts' digests, the office's level-1 escalation, the 日报
    expect(await store.outboxCounts()).toEqual({ pending: 0, sent: 40, failed: 0 });
    expect(reports.reduce((n, r) => n + r.dispatch.failed, 0)).toBe(0);
    // The first attempt after 11:30 is the hourly one at 12:03 (the ninth): today's code gave up at the eighth, 11:03.
    const sentAt = [...new Set(outbox.map((o) => o.sentAt))];
    expect(sentAt).toEqual(["2021-05-21T12:03:00+08:00"]);
    expect(outbox.every((o) => o.attempts === 9)).toBe(true);
    const counts = countById(smtp.received);
    expect(counts.size).toBe(40);
    for (const o of outbox) expect(counts.get(messageIdFromKey(o.key)), o.key).toBe(1);
    expect(counts.get(messageIdFromKey(OFFICE_ESCALATION))).toBe(1);
    expect(counts.get(messageIdFromKey(FRIDAY_SUMMARY))).toBe(1);
    // Each retry says until when it will be retried: the same hour of the next working day (Monday).
    const retries = (await log(campaign)).filter((e) => e.type === "deliveryRetry").map((e) => e.payload as { retryUntil: string; final: boolean });
    expect(retries).toHaveLength(8 * 40);
    expect(new Set(retries.map((p) => p.retryUntil))).toEqual(new Set(["2021-05-24T09:00:00+08:00"]));
  });

  it("down past the horizon: failed at the same hour of the next working day, listed in the summary and by `outbox list --failed`, sent again by `outbox retry` with the same Message-ID", { timeout: 120_000 }, async () => {
    // Friday 09:00 to Monday 10:00; the horizon of Friday's messages is Monday 09:00.
    const { smtp, db, store, campaign, cycles } = await relayDown(cst("2021-05-24T10:00"), { backoffMs: 10 * MIN, maxBackoffMs: 24 * 60 * MIN });
    // Fewer, longer retries than the default keep the weekend short; the last one falls on the horizon.
    await cycles(cst("2021-05-21T09:00"), cst("2021-05-24T10:30"), 30 * MIN);
    const failed = await store.listOutbox({ status: "failed", limit: 1000 });
    expect(failed).toHaveLength(40);
    expect(failed.every((f) => f.key.endsWith("/2021-05-21T09:00:00+08:00") || f.key === FRIDAY_SUMMARY)).toBe(true);
    expect(failed.map((f) => f.key)).toContain(OFFICE_ESCALATION);
    expect(failed.every((f) => f.retryUntil === "2021-05-24T09:00:00+08:00")).toBe(true);
    expect(failed[0]!.lastError).toMatch(/^SMTP_TEMPORARY: .*421.*（已重试至 2021-05-24 周一 09:00 仍未送达）$/);
    const finals = (await log(campaign)).filter((e) => e.type === "deliveryFailed");
    expect(finals).toHaveLength(40);
    expect(finals.every((e) => e.at === "2021-05-24T09:00:00+08:00")).toBe(true);
    // Nothing of Friday reached the relay; Monday's messages went out once it was back.
    expect(smtp.received.some((m) => failed.some((f) => messageIdFromKey(f.key) === m.messageId))).toBe(false);
    expect((await store.outboxCounts()).pending).toBe(0);

    // Monday's 日报 lists every message given up on.
    const mail = await parseAll(smtp.received);
    const monday = mail.find((m) => m.key === "cq-labour-intermediary-2021/summary/2021-05-24")!;
    expect(monday.parsed.text).toContain("40条消息发送失败");
    expect(monday.parsed.text).toContain(`（${OFFICE_ESCALATION}）`);

    const list = captureIo();
    expect(await main(["node", "duban", "--db", db, "outbox", "list", "--failed"], list), list.stderr).toBe(0);
    expect(list.stdout).toContain("发送失败 40");
    expect(list.stdout.split("\n").filter((l) => l.startsWith("  发送失败  "))).toHaveLength(40);
    expect(list.stdout).toContain(`发送失败  ${OFFICE_ESCALATION}  收件：领导小组办公室`);

    // Refusals change nothing: a key that is not failed, no key at all.
    const pendingKey = (await store.listOutbox({ status: "sent", limit: 1 }))[0]!.key;
    const refused = captureIo();
    expect(await main(["node", "duban", "--db", db, "--now", "2021-05-24T10:40:00+08:00", "outbox", "retry", OFFICE_ESCALATION, pendingKey, "--as", "liu-qingqing"], refused)).toBe(1);
    expect(refused.stderr).toContain(`“${pendingKey}”当前为已送达，只有发送失败的消息可以重发；未做任何改动`);
    const none = captureIo();
    expect(await main(["node", "duban", "--db", db, "outbox", "retry", "--as", "liu-qingqing"], none)).toBe(2);
    expect(none.stderr).toMatch(/请列出要重发的消息 key/);
    // Only the office decides to send again what the dispatcher gave up on.
    const district = captureIo();
    const head = await store.head();
    expect(await main(["node", "duban", "--db", db, "--now", "2021-05-24T10:41:00+08:00", "outbox", "retry", "--all", "--as", "yuzhong"], district)).toBe(1);
    expect(district.stderr).toContain("--as yuzhong：只有领导小组办公室（其所在单位、办公室主任或组长）可以重发失败的消息；未记录任何内容");
    expect((await store.head()).seq).toBe(head.seq);
    expect(await store.outboxCounts()).toMatchObject({ failed: 40 });

    const retry = captureIo();
    expect(await main(["node", "duban", "--db", db, "--now", "2021-05-24T10:45:00+08:00", "outbox", "retry", "--all", "--as", "liu-qingqing", "--note", "邮件服务器恢复"], retry), retry.stderr).toBe(0);
    expect(retry.stdout).toMatch(/^已重新排队 40 条消息（第 \d+ 条事件）/);
    const events = await log(campaign);
    const retried = events.filter((e) => e.type === "outboxRetried");
    expect(retried).toHaveLength(1);
    expect(retried[0]).toMatchObject({ at: "2021-05-24T10:45:00+08:00", actor: { kind: "person", person: "liu-qingqing", unit: "flow" }, payload: { count: 40, note: "邮件服务器恢复" } });
    expect(((retried[0]!.payload as { keys: string[] }).keys).sort()).toEqual(failed.map((f) => f.key).sort());

    await cycles(cst("2021-05-24T10:46"), cst("2021-05-24T10:46"), MIN);
    expect(await store.outboxCounts()).toMatchObject({ pending: 0, failed: 0 });
    const counts = countById(smtp.received);
    for (const f of failed) expect(counts.get(messageIdFromKey(f.key)), f.key).toBe(1);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(await store.verify()).toMatchObject({ ok: true });
  });
});

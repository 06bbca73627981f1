import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNotifiers, type NotifierSet } from "../../notifiers/index.ts";
import { Campaign } from "../../src/campaign/campaign.ts";
import { runCycle, type CycleReport } from "../../src/daemon/cycle.ts";
import { Dispatcher } from "../../src/dispatch/dispatcher.ts";
import { openStore } from "../../src/store/open.ts";
import type { EventStore } from "../../src/store/store.ts";
import type { StoredEvent } from "../../src/store/types.ts";
import { startSmtp, type SmtpFixture } from "../notifiers/fixtures.ts";
import { cst } from "../helpers.ts";
import { countById, parseAll, tempDir, toAddress, type Mail, messageIdOf } from "./support.ts";

const PLAN = "plans/chongqing-2021.yaml";
const CAMPAIGN = "cq-labour-intermediary-2021";
const SLOT_17 = "2021-05-17T09:00:00+08:00";
const SLOT_27 = "2021-05-27T09:00:00+08:00";
const ITEMS = ["专项整治具体实施方案", "人力资源服务机构、劳务派遣机构自查自纠情况"];

/**
 * The Chongqing campaign on a real SQLite file, dispatched through the SMTP notifier to a real
 * smtp-server: on 5月17日 (3 working days before the self-inspection deadline) and on 5月27日
 * (five working days late, every slot in between collapsed into one digest per recipient).
 */
describe("reminders through a real SMTP server", () => {
  const dir = tempDir("smtp");
  let smtp: SmtpFixture;
  let notifiers: NotifierSet;
  let store: EventStore;
  let campaign: Campaign;
  const cycles: Record<string, CycleReport[]> = { [SLOT_17]: [], [SLOT_27]: [] };
  let mails: Mail[];
  /** What reached the server during the cycles at each send time. */
  const sentAt: Record<string, Mail[]> = {};
  let events: StoredEvent[];

  beforeAll(async () => {
    smtp = await startSmtp();
    notifiers = createNotifiers({ email: { url: smtp.url } });
    store = await openStore(join(dir, "duban.db"));
    campaign = await Campaign.init(store, PLAN, cst("2021-04-28T10:00"));
    const dispatcher = new Dispatcher(campaign, notifiers);
    const bounds: [string, number, number][] = [];
    for (const slot of [SLOT_17, SLOT_27]) {
      const from = smtp.received.length;
      // Twice at the same instant: a restarted daemon, or two cron firings in one minute.
      cycles[slot]!.push(await runCycle(campaign, dispatcher, Date.parse(slot)));
      cycles[slot]!.push(await runCycle(campaign, dispatcher, Date.parse(slot)));
      bounds.push([slot, from, smtp.received.length]);
    }
    mails = await parseAll(smtp.received);
    for (const [slot, from, to] of bounds) sentAt[slot] = mails.slice(from, to);
    events = [];
    for await (const e of store.read()) events.push(e);
  });

  afterAll(async () => {
    await notifiers?.close();
    await store?.close();
    await smtp?.close();
  });

  const digestsAt = (slot: string) => sentAt[slot]!.filter((m) => m.kind === "reminder" || m.kind === "escalation");
  const one = (slot: string, address: string) => {
    const found = digestsAt(slot).filter((m) => toAddress(m) === address);
    expect(found, `${address} at ${slot}`).toHaveLength(1);
    return found[0]!;
  };

  it("the second cycle at the same instant queues and sends nothing", () => {
    for (const slot of [SLOT_17, SLOT_27]) {
      const [first, second] = cycles[slot]!;
      expect(first!.dispatch).toMatchObject({ retrying: 0, failed: 0 });
      expect(first!.dispatch.sent).toBeGreaterThan(0);
      expect(first!.summaryQueued).toBe(true);
      expect(second).toMatchObject({ events: 0, queued: 0, summaryQueued: false, dispatch: { sent: 0, retrying: 0, failed: 0 } });
    }
  });

  it("sends exactly one digest per recipient per send time, to the unit's address", async () => {
    for (const slot of [SLOT_17, SLOT_27]) {
      const digests = digestsAt(slot);
      const recipients = digests.map(toAddress);
      expect(new Set(recipients).size, slot).toBe(recipients.length);
    }
    // 5月17日: the 38 districts, nobody else (nothing is late yet).
    const may17 = digestsAt(SLOT_17).map(toAddress);
    expect(may17).toHaveLength(38);
    expect(may17).toContain("yuzhong@example.gov.cn");
    expect(may17.every((a) => campaign.plan.groups.get("districts")!.members.includes(a.split("@")[0]!))).toBe(true);
    // 5月27日: the 38 districts again, the office (level 2) and the group leader (level 3).
    const may27 = digestsAt(SLOT_27).map(toAddress);
    expect(may27).toHaveLength(40);
    expect(may27).toEqual(expect.arrayContaining(["yuzhong@example.gov.cn", "flow@example.gov.cn", "he-zhenguo@example.gov.cn"]));
    // Every message the server took was addressed at the SMTP level to the unit in To:.
    for (const m of mails) expect(m.envelopeTo).toContain(toAddress(m));
  });

  it("reads as Chinese and lists the unit's items", () => {
    const ahead = one(SLOT_17, "yuzhong@example.gov.cn");
    expect(ahead.parsed.subject).toBe("【督办提醒】2项报送事项 5月20日（周四）18:00 到期");
    expect(ahead.parsed.text).toContain("渝中区人力社保局：");
    for (const [i, title] of ITEMS.entries()) expect(ahead.parsed.text).toContain(`${i + 1}. 【黄灯】${title}`);
    expect(ahead.parsed.text).toContain("还有3个工作日");
    expect(ahead.parsed.text).not.toContain("阶段性集中整治工作推进情况");

    const late = one(SLOT_27, "yuzhong@example.gov.cn");
    expect(late.parsed.subject).toMatch(/^【逾期督办】2项报送事项 已逾期5个工作日/);
    for (const title of ITEMS) expect(late.parsed.text).toContain(title);
    expect(late.parsed.text).toContain("已逾期5个工作日");

    const leader = one(SLOT_27, "he-zhenguo@example.gov.cn");
    expect(leader.kind).toBe("escalation");
    expect(leader.parsed.subject).toMatch(/^【逾期督办·三级】/);
    expect(leader.parsed.text).toContain("何振国");
    for (const title of ITEMS) expect(leader.parsed.text).toContain(title);
    expect(leader.parsed.text).toContain("各区县（自治县）人力社保部门（38）");

    const office = one(SLOT_27, "flow@example.gov.cn");
    expect(office.kind).toBe("escalation");
    expect(office.parsed.subject).toMatch(/^【逾期督办·二级】/);
  });

  it("carries the Message-ID derived from the outbox key, and every queued message arrived once", async () => {
    const outbox = await store.listOutbox({ limit: 10_000 });
    expect(outbox.length).toBe(mails.length);
    expect(outbox.every((o) => o.status === "sent")).toBe(true);
    const idOf = await messageIdOf(store);
    for (const m of mails) {
      expect(m.parsed.messageId).toBe(idOf(m.key));
      expect(outbox.some((o) => o.key === m.key)).toBe(true);
    }
    const counts = countById(smtp.received);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(counts.size).toBe(outbox.length);
    expect(one(SLOT_17, "yuzhong@example.gov.cn").key).toBe(`${CAMPAIGN}/yuzhong/${SLOT_17}`);
    expect(one(SLOT_27, "yuzhong@example.gov.cn").key).toBe(`${CAMPAIGN}/yuzhong/${SLOT_27}`);
  });

  it("logs one `delivered` event per message, with the channel", async () => {
    const delivered = events.filter((e) => e.type === "delivered");
    expect(delivered).toHaveLength(mails.length);
    const byKey = new Map(delivered.map((e) => [(e.payload as { key: string }).key, e.payload as { key: string; recipient: string; messageId: string; channels: string[]; subject: string }]));
    expect(byKey.size).toBe(mails.length);
    for (const m of mails) {
      const p = byKey.get(m.key)!;
      expect(p, m.key).toBeDefined();
      expect(p.channels).toEqual(["email"]);
      expect(p.messageId).toBe(m.parsed.messageId);
      expect(p.subject).toBe(m.parsed.subject);
    }
    expect(byKey.get(`${CAMPAIGN}/yuzhong/${SLOT_17}`)!.recipient).toBe("yuzhong");
    expect(events.some((e) => e.type === "deliveryRetry" || e.type === "deliveryFailed")).toBe(false);
  });

  it("sends the office's daily summary once per day, with the log head it was written at", async () => {
    const summaries = mails.filter((m) => m.kind === "summary");
    expect(summaries.map((m) => m.key).sort()).toEqual([`${CAMPAIGN}/summary/2021-05-17`, `${CAMPAIGN}/summary/2021-05-27`]);
    for (const s of summaries) {
      expect(toAddress(s)).toBe("flow@example.gov.cn");
      expect(s.parsed.subject).toMatch(/^【督办日报】重庆市劳务中介专项整治行动 2021年5月(17|27)日/);
      const m = /日志头：第(\d+)条 ([0-9a-f]{64})/.exec(s.parsed.text ?? "");
      expect(m, "head line").not.toBeNull();
      const [, seq, hash] = m!;
      // The hash is that of the event with that seq, and the log verifies against it as an anchor.
      expect(events.find((e) => e.seq === Number(seq))?.hash).toBe(hash);
      expect(await store.verify({ head: hash!, allowLater: true })).toMatchObject({ ok: true });
    }
    const may27 = summaries.find((m) => m.key.endsWith("2021-05-27"))!;
    expect(may27.parsed.subject).toContain("76项逾期");
    expect(await store.verify()).toMatchObject({ ok: true });
  });
});

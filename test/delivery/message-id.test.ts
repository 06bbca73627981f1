import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createNotifiers, messageIdFromKey, senderDomain } from "../../notifiers/index.ts";
import { Campaign } from "../../src/campaign/campaign.ts";
import { runCycle } from "../../src/daemon/cycle.ts";
import { Dispatcher } from "../../src/dispatch/dispatcher.ts";
import { openStore } from "../../src/store/open.ts";
import { startSmtp, type SmtpFixture } from "../notifiers/fixtures.ts";
import { cst } from "../helpers.ts";
import { tempDir } from "./support.ts";

const PLAN = "plans/chongqing-2021.yaml";
const FROM = "重庆市人力社保局督办系统 <duban@rsj.cq.gov.cn>";
const ID = /^<[0-9a-f]{32}\.[0-9a-f]{16}@rsj\.cq\.gov\.cn>$/;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** One dispatch at 5月21日 09:00 of the Chongqing campaign on `db` (a fresh store the first time). */
async function dispatchOnce(db: string, smtp: SmtpFixture, init: boolean): Promise<void> {
  const store = await openStore(db);
  const notifiers = createNotifiers({ email: { url: smtp.url, from: FROM } });
  try {
    const campaign = init ? await Campaign.init(store, PLAN, cst("2021-04-28T10:00")) : await Campaign.open(store);
    await runCycle(campaign, new Dispatcher(campaign, notifiers), cst("2021-05-21T09:00") + (init ? 0 : 5 * 60_000));
  } finally {
    await notifiers.close();
    await store.close();
  }
}

describe("Message-IDs unique per deployment", () => {
  it("two stores of one campaign (production and a staging copy) never send the same Message-ID; both carry the sender's domain", async () => {
    const smtp = await startSmtp();
    cleanups.push(() => smtp.close());
    await dispatchOnce(join(tempDir("mid-prod"), "duban.db"), smtp, true);
    const production = smtp.received.splice(0).map((m) => m.messageId!);
    await dispatchOnce(join(tempDir("mid-staging"), "duban.db"), smtp, true);
    const staging = smtp.received.map((m) => m.messageId!);
    expect(production).toHaveLength(40);
    expect(staging).toHaveLength(40);
    expect([...production, ...staging].every((id) => ID.test(id))).toBe(true);
    expect(production.filter((id) => staging.includes(id))).toEqual([]);
  });

  it("one store sends the same Message-ID on a retry after a restart", async () => {
    // The first attempt reaches the server, which then answers 451: retried five minutes later by a new process.
    let refuse = true;
    const smtp = await startSmtp({ beforeReply: async () => (refuse ? Promise.reject(Object.assign(new Error("try later"), { responseCode: 451 })) : undefined) });
    cleanups.push(() => smtp.close());
    const db = join(tempDir("mid-restart"), "duban.db");
    await dispatchOnce(db, smtp, true);
    const first = smtp.received.splice(0).map((m) => m.messageId!);
    expect(first).toHaveLength(40);
    refuse = false;
    await dispatchOnce(db, smtp, false);
    const again = smtp.received.map((m) => m.messageId!);
    expect(again.sort()).toEqual(first.sort());
    const store = await openStore(db);
    cleanups.push(() => store.close());
    expect(await store.outboxCounts()).toEqual({ pending: 0, sent: 40, failed: 0 });
  });

  it("builds <hash.store@domain> from the key, the sender's domain and the store id", () => {
    expect(senderDomain(FROM)).toBe("rsj.cq.gov.cn");
    expect(senderDomain("duban@Example.ORG")).toBe("example.org");
    expect(senderDomain("督办系统")).toBeUndefined();
    const id = messageIdFromKey("cq/yuzhong/k", { domain: "rsj.cq.gov.cn", store: "0123456789abcdef" });
    expect(id).toMatch(ID);
    expect(messageIdFromKey("cq/yuzhong/k", { domain: "rsj.cq.gov.cn", store: "fedcba9876543210" })).not.toBe(id);
    expect(createNotifiers({ emlDir: "/tmp/x" }).senderDomain).toBe("localhost");
  });
});

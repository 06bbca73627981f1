import { afterEach, describe, expect, it } from "vitest";
import { simpleParser, type AddressObject } from "mailparser";
import { buildRawMessage, createEmailNotifier, messageIdFromKey, type Notifier } from "../../notifiers/index.ts";
import { closedPort, sampleMessage, startSmtp, type SmtpFixture } from "./fixtures.ts";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

async function setup(hooks?: Parameters<typeof startSmtp>[0], maxConnections?: number): Promise<{ smtp: SmtpFixture; email: Notifier }> {
  const smtp = await startSmtp(hooks);
  const email = createEmailNotifier({ url: smtp.url, timeoutMs: 5_000, ...(maxConnections ? { maxConnections } : {}) });
  cleanups.push(() => smtp.close(), () => email.close!());
  return { smtp, email };
}

function addresses(a: AddressObject | AddressObject[] | undefined): string[] {
  return (Array.isArray(a) ? a : a ? [a] : []).flatMap((o) => o.value.map((v) => `${v.name} <${v.address}>`));
}

describe("email notifier against a real SMTP server", () => {
  it("delivers a readable Chinese message with the given Message-ID, text and html", async () => {
    const { smtp, email } = await setup();
    const msg = sampleMessage();
    const result = await email.send(msg);
    expect(result).toMatchObject({ ok: true, channel: "email" });
    expect(smtp.received).toHaveLength(1);
    const got = smtp.received[0]!;
    expect(got.envelopeTo.sort()).toEqual(["duban@rsj.example.gov.cn", "rsj@yuzhong.example.gov.cn"]);
    const parsed = await simpleParser(got.raw);
    expect(parsed.subject).toBe("【督办提醒】渝中区人力社保局：具体实施方案 5月20日（周四）到期");
    expect(parsed.messageId).toBe(msg.messageId);
    expect(addresses(parsed.to)).toEqual(["渝中区人力社保局 <rsj@yuzhong.example.gov.cn>"]);
    expect(addresses(parsed.cc)).toEqual(["市人力社保局 <duban@rsj.example.gov.cn>"]);
    expect(parsed.from?.value[0]).toMatchObject({ name: "督办系统", address: "duban@localhost" });
    expect(parsed.text?.trim()).toBe(msg.text);
    expect(parsed.html).toContain("<b>5月20日（周四）</b>");
    expect(parsed.date?.toISOString()).toBe("2021-05-21T01:00:00.000Z");
    // The SMTP path sends exactly the bytes the .eml path writes.
    expect(got.raw.equals(await buildRawMessage(msg))).toBe(true);
  });

  it("uses the configured From", async () => {
    const smtp = await startSmtp();
    const email = createEmailNotifier({ url: smtp.url, from: "渝中区督办办 <duban@yuzhong.example.gov.cn>" });
    cleanups.push(() => smtp.close(), () => email.close!());
    expect((await email.send(sampleMessage())).ok).toBe(true);
    const parsed = await simpleParser(smtp.received[0]!.raw);
    expect(parsed.from?.value[0]).toMatchObject({ name: "渝中区督办办", address: "duban@yuzhong.example.gov.cn" });
  });

  it("sends 50 messages through the pool", async () => {
    const { smtp, email } = await setup(undefined, 3);
    const msgs = Array.from({ length: 50 }, (_, i) =>
      sampleMessage({ messageId: messageIdFromKey(`campaign-1/yuzhong/step-${i}`), cc: [] }),
    );
    const results = await Promise.all(msgs.map((m) => email.send(m)));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(smtp.received).toHaveLength(50);
    const ids = await Promise.all(smtp.received.map(async (r) => (await simpleParser(r.raw)).messageId));
    expect(new Set(ids)).toEqual(new Set(msgs.map((m) => m.messageId)));
  });

  it.each([
    ["451 on RCPT TO", { rcptCode: () => 451 }],
    ["421 on RCPT TO", { rcptCode: () => 421 }],
    ["451 after DATA", { dataCode: () => 451 }],
  ])("a temporary refusal (%s) is retryable", async (_label, hooks) => {
    const { email } = await setup(hooks);
    const result = await email.send(sampleMessage({ cc: [] }));
    expect(result).toMatchObject({ ok: false, channel: "email", retryable: true, code: "SMTP_TEMPORARY" });
  });

  it("a 550 recipient rejection is not retryable", async () => {
    const { email } = await setup({ rcptCode: () => 550 });
    const result = await email.send(sampleMessage({ cc: [] }));
    expect(result).toMatchObject({ ok: false, retryable: false, code: "SMTP_REJECTED" });
    if (!result.ok) expect(result.error).toContain("550");
  });

  it("a 554 after DATA is not retryable", async () => {
    const { email } = await setup({ dataCode: () => 554 });
    expect(await email.send(sampleMessage())).toMatchObject({ ok: false, retryable: false, code: "SMTP_REJECTED" });
  });

  it("the main recipient refused while the copy went out: failed, not retryable", async () => {
    const { smtp, email } = await setup({ rcptCode: (a) => (a.startsWith("rsj@") ? 550 : undefined) });
    const result = await email.send(sampleMessage());
    expect(result).toMatchObject({ ok: false, retryable: false, code: "SMTP_REJECTED" });
    expect(smtp.received).toHaveLength(1);
  });

  it("a refused copy still counts as delivered, with a note", async () => {
    const { email } = await setup({ rcptCode: (a) => (a.startsWith("duban@") ? 550 : undefined) });
    const result = await email.send(sampleMessage());
    expect(result).toMatchObject({ ok: true });
    if (result.ok) expect(result.detail).toContain("duban@rsj.example.gov.cn");
  });

  it("connection refused is retryable", async () => {
    const port = await closedPort();
    const email = createEmailNotifier({ url: `smtp://127.0.0.1:${port}`, timeoutMs: 2_000 });
    cleanups.push(() => email.close!());
    expect(await email.send(sampleMessage())).toMatchObject({ ok: false, retryable: true, code: "SMTP_CONNECTION" });
  });

  it("a recipient without email is a permanent failure, not a crash", async () => {
    const { smtp, email } = await setup();
    const msg = sampleMessage({ to: { id: "jiangbei", name: "江北区人力社保局" } });
    expect(await email.send(msg)).toMatchObject({ ok: false, retryable: false, code: "NO_RECIPIENT" });
    expect(smtp.received).toHaveLength(0);
  });

  it("rejects a malformed URL at construction without echoing it", () => {
    expect(() => createEmailNotifier({ url: "not a url :secret@" })).toThrow(expect.objectContaining({ code: "NOTIFIER_CONFIG" }));
    try {
      createEmailNotifier({ url: "http://user:hunter2@host" });
    } catch (err) {
      expect((err as Error).message).not.toContain("hunter2");
    }
  });
});

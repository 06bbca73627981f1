import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { simpleParser } from "mailparser";
import { buildRawMessage, createEmailNotifier, createEmlFileNotifier } from "../../notifiers/index.ts";
import { sampleMessage, startSmtp } from "./fixtures.ts";

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "duban-eml-"));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const shortHash = (id: string) => createHash("sha256").update(id).digest("hex").slice(0, 8);

describe("eml file notifier", () => {
  it("creates the folder and writes a file a mail client can read", async () => {
    const dir = join(root, "out", "mail");
    const msg = sampleMessage();
    const result = await createEmlFileNotifier({ dir }).send(msg);
    expect(result).toMatchObject({ ok: true, channel: "eml" });
    const files = await readdir(dir);
    expect(files).toEqual([`2021-05-21_0900_yuzhong_${shortHash(msg.messageId)}.eml`]);
    if (result.ok) expect(result.providerId).toBe(join(dir, files[0]!));
    const parsed = await simpleParser(await readFile(join(dir, files[0]!)));
    expect(parsed.subject).toBe(msg.subject);
    expect(parsed.messageId).toBe(msg.messageId);
    expect(parsed.text?.trim()).toBe(msg.text);
    expect(parsed.html).toContain("请抓紧办理");
  });

  it("names files by the campaign clock (Asia/Shanghai) whatever the ISO offset", async () => {
    await createEmlFileNotifier({ dir: root }).send(sampleMessage({ date: "2021-05-21T01:00:00Z" }));
    expect((await readdir(root))[0]).toMatch(/^2021-05-21_0900_yuzhong_[0-9a-f]{8}\.eml$/);
  });

  it("is idempotent by Message-ID, even when a retry carries another date or races", async () => {
    const eml = createEmlFileNotifier({ dir: root });
    const msg = sampleMessage();
    await eml.send(msg);
    const again = await eml.send({ ...msg, date: "2021-05-24T09:00:00+08:00" });
    expect(again).toMatchObject({ ok: true, detail: "文件已存在，未重复写入" });
    const other = sampleMessage({ messageId: "<another@duban>" });
    await Promise.all([eml.send(other), eml.send(other), eml.send(other)]);
    // A fresh notifier (a restarted process) sees the files already written.
    await createEmlFileNotifier({ dir: root }).send(msg);
    const files = await readdir(root);
    expect(files).toHaveLength(2);
    expect(files.every((f) => f.endsWith(".eml"))).toBe(true); // no temp files left behind
  });

  it("a different message sharing the short hash gets a longer name instead of being skipped", async () => {
    const msg = sampleMessage();
    const squatter = join(root, `2020-01-01_0000_other_${shortHash(msg.messageId)}.eml`);
    await writeFile(squatter, "Message-ID: <someone-else@duban>\r\nSubject: x\r\n\r\nbody\r\n");
    const result = await createEmlFileNotifier({ dir: root }).send(msg);
    expect(result.ok).toBe(true);
    const files = (await readdir(root)).sort();
    expect(files).toHaveLength(2);
    expect(files).toContain(`2021-05-21_0900_yuzhong_${createHash("sha256").update(msg.messageId).digest("hex").slice(0, 16)}.eml`);
  });

  it("writes exactly the bytes the email path sends", async () => {
    const msg = sampleMessage();
    await createEmlFileNotifier({ dir: root }).send(msg);
    const file = await readFile(join(root, (await readdir(root))[0]!));
    expect(file.equals(await buildRawMessage(msg))).toBe(true);

    const smtp = await startSmtp();
    const email = createEmailNotifier({ url: smtp.url });
    try {
      expect((await email.send(msg)).ok).toBe(true);
      expect(smtp.received[0]!.raw.equals(file)).toBe(true);
    } finally {
      await email.close!();
      await smtp.close();
    }
  });

  it("makes the folder again when it was removed after the first message", async () => {
    const dir = join(root, "out");
    const eml = createEmlFileNotifier({ dir });
    expect(await eml.send(sampleMessage())).toMatchObject({ ok: true });
    await rm(dir, { recursive: true });
    const other = sampleMessage({ messageId: "<another@duban>" });
    expect(await eml.send(other)).toMatchObject({ ok: true });
    expect(await readdir(dir)).toEqual([expect.stringMatching(new RegExp(`_${shortHash(other.messageId)}\\.eml$`))]);
  });

  it("reports a folder it cannot write as a failure, not an exception", async () => {
    const blocker = join(root, "not-a-dir");
    await writeFile(blocker, "");
    const result = await createEmlFileNotifier({ dir: blocker }).send(sampleMessage());
    expect(result).toMatchObject({ ok: false, channel: "eml", code: "FILE_WRITE", retryable: false });
  });

  it("rejects an unknown time zone at construction", () => {
    expect(() => createEmlFileNotifier({ dir: root, timeZone: "Mars/Olympus" })).toThrow(
      expect.objectContaining({ code: "NOTIFIER_CONFIG" }),
    );
  });

  it("reports an unparseable date as an invalid message", async () => {
    const result = await createEmlFileNotifier({ dir: root }).send(sampleMessage({ date: "5月21日" }));
    expect(result).toMatchObject({ ok: false, code: "INVALID_MESSAGE", retryable: false });
  });
});

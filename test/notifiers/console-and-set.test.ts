import { afterEach, describe, expect, it } from "vitest";
import { PassThrough, Writable } from "node:stream";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createConsoleNotifier, createNotifiers, messageIdFromKey } from "../../notifiers/index.ts";
import { sampleMessage, startSmtp } from "./fixtures.ts";

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

function collect(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on("data", (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString("utf8") };
}

describe("console notifier", () => {
  it("prints a compact Chinese block", async () => {
    const out = collect();
    const result = await createConsoleNotifier({ stream: out.stream }).send(sampleMessage());
    expect(result).toEqual({ ok: true, channel: "console" });
    const text = out.text();
    expect(text).toContain("收件：渝中区人力社保局（yuzhong）");
    expect(text).toContain("抄送：市人力社保局（shi-rsj）");
    expect(text).toContain("主题：【督办提醒】渝中区人力社保局：具体实施方案 5月20日（周四）到期");
    expect(text).toContain("请抓紧办理");
  });

  it("turns a failing stream into a failure result", async () => {
    const broken = new Writable({ write: (_c, _e, cb) => cb(new Error("EPIPE")) });
    broken.on("error", () => {});
    expect(await createConsoleNotifier({ stream: broken }).send(sampleMessage())).toMatchObject({
      ok: false,
      code: "CONSOLE_WRITE",
    });
  });
});

describe("messageIdFromKey", () => {
  it("is stable per key and distinct across keys", () => {
    const a = messageIdFromKey("campaign/yuzhong/plan/2021-05-20/remind-1");
    expect(a).toMatch(/^<[0-9a-f]{32}@duban>$/);
    expect(messageIdFromKey("campaign/yuzhong/plan/2021-05-20/remind-1")).toBe(a);
    expect(messageIdFromKey("campaign/yuzhong/plan/2021-05-20/remind-2")).not.toBe(a);
  });
});

describe("createNotifiers", () => {
  it("builds only the configured channels and closes them", async () => {
    const dir = await mkdtemp(join(tmpdir(), "duban-set-"));
    const smtp = await startSmtp();
    cleanups.push(() => rm(dir, { recursive: true, force: true }), () => smtp.close());
    const out = collect();
    const set = createNotifiers({
      email: { url: smtp.url, from: "督办系统 <duban@example.gov.cn>", maxConnections: 2 },
      emlDir: dir,
      webhooks: [{ id: "w", kind: "json", url: "http://127.0.0.1/unused" }],
      console: true,
      consoleStream: out.stream,
    });
    expect(set.notifiers.map((n) => n.channel)).toEqual(["email", "eml", "webhook", "console"]);
    const msg = sampleMessage();
    const [email, eml, webhook, consoleResult] = await Promise.all(set.notifiers.map((n) => n.send(msg)));
    expect(email?.ok && eml?.ok && consoleResult?.ok).toBe(true);
    // The sample recipient names no webhook, so none is called.
    expect(webhook).toMatchObject({ ok: false, code: "NO_RECIPIENT" });
    expect(smtp.received).toHaveLength(1);
    // The .eml file takes the email From, so both channels hold the same bytes.
    const [file] = await readdir(dir);
    expect((await readFile(join(dir, file!))).equals(smtp.received[0]!.raw)).toBe(true);
    await set.close();
    await set.close();
  });

  it("an empty config builds an empty set", async () => {
    const set = createNotifiers({});
    expect(set.notifiers).toHaveLength(0);
    expect(set.get("email")).toBeUndefined();
    await set.close();
  });
});

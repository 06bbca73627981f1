import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createHmac } from "node:crypto";
import type { ServerResponse } from "node:http";
import { createWebhookNotifier, type OutgoingMessage, type WebhookEndpoint } from "../../notifiers/index.ts";
import { closedPort, json, sampleMessage, startHttp, type HttpFixture, type HttpHit } from "./fixtures.ts";

type Handler = (hit: HttpHit, res: ServerResponse) => void;
const routes = new Map<string, Handler>();
let http: HttpFixture;

beforeAll(async () => {
  http = await startHttp((hit, res) => {
    const path = new URL(hit.url, "http://x").pathname;
    (routes.get(path) ?? ((_h, r) => json(r, 404, { error: "no route" })))(hit, res);
  });
});
afterAll(() => http.close());
beforeEach(() => {
  routes.clear();
  http.hits.length = 0;
});

const ok: Handler = (_hit, res) => json(res, 200, { errcode: 0, errmsg: "ok" });
const hitsTo = (path: string) => http.hits.filter((h) => h.url.startsWith(path));

function to(...webhooks: string[]): Pick<OutgoingMessage, "to"> {
  return { to: { id: "yuzhong", name: "渝中区人力社保局", webhooks } };
}

describe("webhook notifier against a real HTTP server", () => {
  it("posts the WeCom group robot markdown shape", async () => {
    routes.set("/cgi-bin/webhook/send", ok);
    const notifier = createWebhookNotifier({
      endpoints: [{ id: "yz-wecom", kind: "wecom", url: `${http.base}/cgi-bin/webhook/send?key=693a91f6` }],
    });
    const result = await notifier.send(sampleMessage({ ...to("yz-wecom"), markdown: "## 督办提醒\n> 5月20日（周四）到期" }));
    expect(result).toMatchObject({ ok: true, channel: "webhook" });
    expect(http.hits).toHaveLength(1);
    expect(http.hits[0]!.url).toBe("/cgi-bin/webhook/send?key=693a91f6");
    expect(http.hits[0]!.headers["content-type"]).toContain("application/json");
    expect(JSON.parse(http.hits[0]!.body)).toEqual({
      msgtype: "markdown",
      markdown: { content: "## 督办提醒\n> 5月20日（周四）到期" },
    });
  });

  it("falls back to subject + text and keeps WeCom content within 4096 bytes", async () => {
    routes.set("/wecom", ok);
    const notifier = createWebhookNotifier({ endpoints: [{ id: "w", kind: "wecom", url: `${http.base}/wecom?key=k` }] });
    await notifier.send(sampleMessage({ ...to("w"), messageId: "<short@duban>" }));
    await notifier.send(sampleMessage({ ...to("w"), messageId: "<long@duban>", text: "督办".repeat(2000) }));
    const [short, long] = http.hits.map((h) => JSON.parse(h.body).markdown.content as string);
    expect(short).toBe(`**${sampleMessage().subject}**\n\n${sampleMessage().text}`);
    expect(Buffer.byteLength(long!, "utf8")).toBeLessThanOrEqual(4096);
    expect(long).toContain("已截断");
  });

  it("posts the DingTalk markdown shape with a 加签 signature the receiver can verify", async () => {
    const secret = "SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd";
    routes.set("/robot/send", ok);
    const notifier = createWebhookNotifier({
      endpoints: [{ id: "yz-ding", kind: "dingtalk", url: `${http.base}/robot/send?access_token=tok123`, secret }],
    });
    const before = Date.now();
    const msg = sampleMessage(to("yz-ding"));
    expect((await notifier.send(msg)).ok).toBe(true);
    const hit = http.hits[0]!;
    expect(JSON.parse(hit.body)).toEqual({
      msgtype: "markdown",
      markdown: { title: msg.subject, text: `**${msg.subject}**\n\n${msg.text}` },
    });
    const query = new URL(hit.url, "http://x").searchParams;
    expect(query.get("access_token")).toBe("tok123");
    const timestamp = Number(query.get("timestamp"));
    expect(timestamp).toBeGreaterThanOrEqual(before);
    expect(timestamp).toBeLessThanOrEqual(Date.now());
    const expected = createHmac("sha256", secret).update(`${timestamp}\n${secret}`).digest("base64");
    expect(query.get("sign")).toBe(expected);
    // On the wire the base64 is percent-encoded, as DingTalk requires.
    const rawSign = /[?&]sign=([^&]*)/.exec(hit.url)![1]!;
    expect(rawSign).toBe(encodeURIComponent(expected));
  });

  it("sends DingTalk unsigned when no secret is configured", async () => {
    routes.set("/robot/send", ok);
    const notifier = createWebhookNotifier({
      endpoints: [{ id: "d", kind: "dingtalk", url: `${http.base}/robot/send?access_token=t` }],
    });
    await notifier.send(sampleMessage(to("d")));
    expect(http.hits[0]!.url).toBe("/robot/send?access_token=t");
  });

  it("posts the generic JSON shape with an HMAC signature header", async () => {
    routes.set("/hook", (_hit, res) => {
      res.writeHead(204);
      res.end();
    });
    const secret = "s3cret";
    const notifier = createWebhookNotifier({
      endpoints: [
        { id: "signed", kind: "json", url: `${http.base}/hook?n=1`, secret },
        { id: "plain", kind: "json", url: `${http.base}/hook?n=2` },
      ],
    });
    const msg = sampleMessage(to("signed", "plain"));
    expect(await notifier.send(msg)).toMatchObject({ ok: true });
    const signed = http.hits.find((h) => h.url.endsWith("n=1"))!;
    const plain = http.hits.find((h) => h.url.endsWith("n=2"))!;
    expect(JSON.parse(signed.body)).toEqual({
      messageId: msg.messageId,
      to: { id: "yuzhong", name: "渝中区人力社保局" },
      subject: msg.subject,
      text: msg.text,
    });
    const hex = createHmac("sha256", secret).update(signed.body).digest("hex");
    expect(signed.headers["x-duban-signature"]).toBe(`sha256=${hex}`);
    expect(plain.headers["x-duban-signature"]).toBeUndefined();
  });

  it.each([
    ["errcode 93000 (bad key)", (r: ServerResponse) => json(r, 200, { errcode: 93000, errmsg: "invalid webhook url" }), false, "WEBHOOK_ERRCODE"],
    ["errcode 310000 (bad sign)", (r: ServerResponse) => json(r, 200, { errcode: 310000, errmsg: "sign not match" }), false, "WEBHOOK_ERRCODE"],
    ["errcode 45009 (rate limit)", (r: ServerResponse) => json(r, 200, { errcode: 45009, errmsg: "api freq out of limit" }), true, "ROBOT_RATE_LIMITED"],
    ["errcode -1 (system busy)", (r: ServerResponse) => json(r, 200, { errcode: -1, errmsg: "system busy" }), true, "WEBHOOK_ERRCODE"],
    // A proxy's login page answering 200: nothing reached the group (42 of 42 counted as delivered before).
    ["HTTP 200 with an HTML page", (r: ServerResponse) => (r.writeHead(200, { "content-type": "text/html" }), r.end("<html><body>请登录上网认证系统</body></html>")), true, "ROBOT_BAD_ANSWER"],
    ["HTTP 200 with JSON that is not the robot's answer", (r: ServerResponse) => json(r, 200, { status: "ok" }), true, "ROBOT_BAD_ANSWER"],
    ["HTTP 200 with an empty body", (r: ServerResponse) => (r.writeHead(200), r.end()), true, "ROBOT_BAD_ANSWER"],
    ["HTTP 500", (r: ServerResponse) => json(r, 500, { error: "boom" }), true, "WEBHOOK_HTTP"],
    ["HTTP 429", (r: ServerResponse) => json(r, 429, { error: "slow down" }), true, "WEBHOOK_HTTP"],
    ["HTTP 400", (r: ServerResponse) => json(r, 400, { error: "bad request" }), false, "WEBHOOK_HTTP"],
  ])("%s → failure with the right retryability", async (_label, respond, retryable, code) => {
    routes.set("/fail", (_hit, res) => respond(res));
    const notifier = createWebhookNotifier({ endpoints: [{ id: "f", kind: "wecom", url: `${http.base}/fail?key=k` }] });
    const result = await notifier.send(sampleMessage(to("f")));
    expect(result).toMatchObject({ ok: false, channel: "webhook", retryable, code });
  });

  it("a slow server times out as a retryable failure", async () => {
    routes.set("/slow", (_hit, res) => {
      setTimeout(() => json(res, 200, { errcode: 0 }), 3_000).unref();
    });
    const notifier = createWebhookNotifier({
      endpoints: [{ id: "slow", kind: "json", url: `${http.base}/slow` }],
      timeoutMs: 300,
    });
    const started = Date.now();
    const result = await notifier.send(sampleMessage(to("slow")));
    expect(result).toMatchObject({ ok: false, retryable: true, code: "WEBHOOK_TIMEOUT" });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("an unreachable endpoint is a retryable network failure", async () => {
    const port = await closedPort();
    const notifier = createWebhookNotifier({ endpoints: [{ id: "down", kind: "json", url: `http://127.0.0.1:${port}/x` }] });
    expect(await notifier.send(sampleMessage(to("down")))).toMatchObject({
      ok: false,
      retryable: true,
      code: "WEBHOOK_NETWORK",
    });
  });

  it("on retry after a partial failure, skips the endpoints that already took the message", async () => {
    let failNext = true;
    routes.set("/a", ok);
    routes.set("/b", (_hit, res) => {
      if (failNext) {
        failNext = false;
        return json(res, 503, { error: "busy" });
      }
      ok(_hit, res);
    });
    const notifier = createWebhookNotifier({
      endpoints: [
        { id: "a", kind: "wecom", url: `${http.base}/a?key=1` },
        { id: "b", kind: "wecom", url: `${http.base}/b?key=2` },
      ],
    });
    const msg = sampleMessage(to("a", "b"));
    const first = await notifier.send(msg);
    expect(first).toMatchObject({ ok: false, retryable: true, code: "WEBHOOK_HTTP" });
    if (!first.ok) expect(first.error).toContain("b：HTTP 503");
    expect(await notifier.send(msg)).toMatchObject({ ok: true });
    expect(hitsTo("/a")).toHaveLength(1);
    expect(hitsTo("/b")).toHaveLength(2);
  });

  it("reports recipients without webhooks or with unknown ids as permanent failures", async () => {
    const notifier = createWebhookNotifier({ endpoints: [{ id: "a", kind: "json", url: `${http.base}/a` }] });
    expect(await notifier.send(sampleMessage(to()))).toMatchObject({ ok: false, retryable: false, code: "NO_RECIPIENT" });
    expect(await notifier.send(sampleMessage(to("a", "ghost")))).toMatchObject({
      ok: false,
      retryable: false,
      code: "UNKNOWN_WEBHOOK",
    });
    expect(http.hits).toHaveLength(0);
  });

  it("rejects bad endpoint configuration up front", () => {
    const bad: WebhookEndpoint[][] = [
      [{ id: "x", kind: "json", url: "http://a" }, { id: "x", kind: "json", url: "http://b" }],
      [{ id: "w", kind: "wecom", url: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", secret: "s" }],
      [{ id: "f", kind: "json", url: "ftp://host/x" }],
      [{ id: "k", kind: "slack" as "json", url: "https://host/x" }],
    ];
    for (const endpoints of bad) {
      expect(() => createWebhookNotifier({ endpoints })).toThrow(expect.objectContaining({ code: "NOTIFIER_CONFIG" }));
    }
  });
});

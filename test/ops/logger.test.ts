import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createHostLogger, scrub, secretsOf } from "../../src/ops/logger.ts";

function capture(level: "debug" | "info", format: "json" | "pretty" = "json", secrets: string[] = []) {
  const lines: string[] = [];
  const logger = createHostLogger({ level, format, write: (l) => lines.push(l), tty: false, secrets, base: { role: "run" } });
  return { lines, logger };
}

const token = fc.stringMatching(/^[A-Za-z0-9_-]{12,40}$/);

describe("the host log", () => {
  it("writes one JSON line per fact, at the level asked, with the facts as fields", () => {
    const { lines, logger } = capture("info");
    logger.log("sent k to=yuzhong", { event: "sent", item: "k", messageId: "<a@b>", channel: "email", durationMs: 12 });
    logger.log("quiet", { level: "debug", event: "x" });
    logger.log("cycle failed: 本轮未完成", { level: "error", event: "cycle-failed", code: "CLOCK_BEHIND" });
    expect(lines).toHaveLength(2);
    const [sent, failed] = lines.map((l) => JSON.parse(l));
    expect(sent).toMatchObject({ level: 30, name: "duban", role: "run", event: "sent", item: "k", messageId: "<a@b>", channel: "email", durationMs: 12, msg: "sent k to=yuzhong" });
    expect(sent.time).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(failed).toMatchObject({ level: 50, code: "CLOCK_BEHIND", msg: "cycle failed: 本轮未完成" });
  });

  it("is a readable line on a terminal, in the plan's language", () => {
    const { lines, logger } = capture("info", "pretty");
    logger.log("leader: 本进程持有租约，负责 cq 的计时与发送", { event: "leader", campaign: "cq" });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\[\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}\] INFO: leader: 本进程持有租约，负责 cq 的计时与发送 \{.*"event":"leader"/);
    expect(() => JSON.parse(lines[0]!)).toThrow();
  });

  it("never writes a robot's token or secret, nor a password in a URL, wherever they appear in a line", () => {
    fc.assert(
      fc.property(token, token, token, fc.constantFrom("access_token", "key", "sign", "token"), (tok, secret, password, param) => {
        const robot = `https://oapi.dingtalk.com/robot/send?${param}=${tok}`;
        const feishu = `https://open.feishu.cn/open-apis/bot/v2/hook/${secret}`;
        const { lines, logger } = capture("debug", "json", secretsOf({ smtpUrl: `smtp://duban:${password}@relay:25`, webhooks: [{ url: robot, secret }, { url: feishu }] }));
        logger.log(`retry k WEBHOOK_HTTP: request to ${robot} failed; ${feishu}; smtp://duban:${password}@relay:25 refused`, { event: "retry", error: `at ${robot}`, nested: { url: robot, list: [secret] } });
        const text = lines.join("");
        return !text.includes(tok) && !text.includes(secret) && !text.includes(password);
      }),
      { numRuns: 200 },
    );
  });

  it("hides contact addresses below debug, the plan's and any other; keeps Message-IDs", () => {
    const info = capture("info");
    info.logger.hideContacts(["yuzhong@example.gov.cn", "13800138000"]);
    info.logger.log("FAILED k SMTP_REJECTED: 550 <yuzhong@example.gov.cn> unknown; also x.y@other.org; call 13800138000; id=<0123456789abcdef0123@duban.example.gov.cn>", { event: "failed", addresses: ["yuzhong@example.gov.cn"] });
    const line = JSON.parse(info.lines[0]!);
    expect(line.msg).toBe("FAILED k SMTP_REJECTED: 550 <<联系方式已隐去>> unknown; also <邮箱已隐去>; call <联系方式已隐去>; id=<0123456789abcdef0123@duban.example.gov.cn>");
    expect(line.addresses).toBeUndefined();
    const debug = capture("debug");
    debug.logger.hideContacts(["yuzhong@example.gov.cn"]);
    debug.logger.log("FAILED k: 550 <yuzhong@example.gov.cn>", { addresses: ["yuzhong@example.gov.cn"] });
    expect(JSON.parse(debug.lines[0]!)).toMatchObject({ msg: "FAILED k: 550 <yuzhong@example.gov.cn>", addresses: ["yuzhong@example.gov.cn"] });
  });

  it("scrub leaves a line without secrets or contacts as it was", () => {
    fc.assert(fc.property(fc.string().filter((s) => !s.includes("@") && !/[?&](access_token|key|sign|token|secret|timestamp)=/.test(s) && !/1[3-9]\d{9}/.test(s) && !s.includes("://")), (s) => scrub(s, [], false) === s));
  });
});

import { mkdtempSync, writeFileSync } from "node:fs";
import { createHmac } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildWebhookRequest, resolveRobotSecrets, robotDigests, secretEnvName } from "../../notifiers/index.ts";
import { sampleMessage } from "./fixtures.ts";

describe("robot secrets, never in the plan", () => {
  const dir = mkdtempSync(join(tmpdir(), "duban-robot-config-"));
  const robots = join(dir, "robots.json");

  it("come from DUBAN_ROBOT_SECRET_<ID> first, then secretFile (relative to the robots file)", () => {
    writeFileSync(join(dir, "lark.secret"), "from-file\n");
    const out = resolveRobotSecrets(
      [
        { id: "cq-lark", kind: "feishu", url: "https://open.feishu.cn/open-apis/bot/v2/hook/x", secretFile: "lark.secret" },
        { id: "cq-ding", kind: "dingtalk", url: "https://oapi.dingtalk.com/robot/send?access_token=t", signed: true, secretFile: "lark.secret" },
        { id: "cq-wecom", kind: "wecom", url: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k" },
      ],
      { DUBAN_ROBOT_SECRET_CQ_DING: "from-env" },
      robots,
    );
    expect(out.map((e) => e.secret)).toEqual(["from-file", "from-env", undefined]);
    expect(out[0]).not.toHaveProperty("secretFile");
    expect(secretEnvName("cq-ding.2")).toBe("DUBAN_ROBOT_SECRET_CQ_DING_2");
  });

  it("a robot that must sign and has none is refused with every such robot named, in one error", () => {
    let err: Error | undefined;
    try {
      resolveRobotSecrets(
        [
          { id: "a", kind: "feishu", url: "https://open.feishu.cn/x" },
          { id: "b", kind: "dingtalk", url: "https://oapi.dingtalk.com/x", signed: true },
          { id: "c", kind: "dingtalk", url: "https://oapi.dingtalk.com/x" },
          { id: "d", kind: "feishu", url: "https://open.feishu.cn/x", secretFile: "missing.secret" },
        ],
        {},
        robots,
      );
    } catch (e) {
      err = e as Error;
    }
    expect((err as { code?: string })?.code).toBe("NOTIFIER_CONFIG");
    const lines = err!.message.split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe("群机器人 a：飞书群机器人须签名校验，但没有密钥；请设置环境变量 DUBAN_ROBOT_SECRET_A，或在机器人配置中给出 secretFile");
    expect(lines[1]).toContain("群机器人 b：钉钉群机器人已设为加签");
    expect(lines[2]).toMatch(/^群机器人 d：无法读取密钥文件 .*missing\.secret（ENOENT）$/);
  });
});

describe("Feishu/Lark and digests", () => {
  it("signs a Feishu post as the robot verifies it: HMAC-SHA256 keyed by timestamp + \\n + secret over nothing, base64", () => {
    const now = Date.parse("2021-05-21T09:00:00.750+08:00");
    const req = buildWebhookRequest({ id: "f", kind: "feishu", url: "https://open.feishu.cn/open-apis/bot/v2/hook/h", secret: "s3cr3t" }, sampleMessage({ markdown: "**提醒**" }), now);
    const body = JSON.parse(req.body) as { timestamp: string; sign: string; msg_type: string; card: { elements: { tag: string; content: string }[] } };
    expect(body.timestamp).toBe(String(Math.floor(now / 1000)));
    expect(body.sign).toBe(createHmac("sha256", `${body.timestamp}\ns3cr3t`).update("").digest("base64"));
    expect(body.msg_type).toBe("interactive");
    expect(body.card.elements[0]).toEqual({ tag: "markdown", content: "**提醒**" });
  });

  it("a digest lists each waiting message by recipient and subject, split to fit the robot's size", () => {
    const many = Array.from({ length: 60 }, (_, i) => sampleMessage({ messageId: `<m${i}@x>`, to: { id: `u${i}`, name: `第${i}区人力社保局` } }));
    const wecom = robotDigests("wecom", many);
    expect(wecom.length).toBeGreaterThan(1);
    expect(wecom.flatMap((d) => d.members)).toEqual(many);
    for (const d of wecom) expect(Buffer.byteLength(d.message.markdown!, "utf8")).toBeLessThanOrEqual(4096);
    expect(wecom[0]!.message.markdown).toContain(`1. 第0区人力社保局：${many[0]!.subject}`);
    expect(robotDigests("dingtalk", many)).toHaveLength(1);
  });
});

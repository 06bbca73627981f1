import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { chongqingInlined } from "../helpers.ts";
import { openStore } from "../../src/store/open.ts";
import type { StoredEvent } from "../../src/store/types.ts";
import { startSmtp } from "../notifiers/fixtures.ts";
import { startRobotPeer } from "../notifiers/robot-peer.ts";
import { countById, messageIdOf, runDuban, tempDir } from "./support.ts";

const SECRET = "SEC0d1c2b3a4f5e6d7c8b9a0f1e2d3c4b5a6f7e8d9c0b1a2f3e4d5c6b7a8f9e0d1c";
const MIN = 60_000;

describe("`duban run --once` passes, one process each, while a DingTalk robot blocks for 10 minutes", () => {
  const dir = tempDir("once-robot");
  const db = join(dir, "duban.db");
  // The Chongqing plan with every district also on one DingTalk group robot.
  const plan = join(dir, "plan.yaml");
  writeFileSync(
    plan,
    chongqingInlined().replace(/(kind: district, contacts: \{ email: \[[^\]]+\])/g, "$1, webhooks: [cq-districts-ding]"),
  );
  // The robot is shared with another system: it takes 13 of our posts a minute, then blocks for 10 minutes
  // (DingTalk's rule). It checks the 加签 signature and keeps time by the signed timestamp (the --now clock).
  let now = Date.parse("2021-05-21T09:00:00+08:00");
  const robotReady = startRobotPeer({ kind: "dingtalk", perMinute: 13, blockMs: 10 * MIN, secret: SECRET, clock: () => now });
  const officeReady = startRobotPeer({ kind: "wecom", perMinute: 20, clock: () => now });
  const smtpReady = startSmtp();
  afterAll(async () => {
    await (await robotReady).close();
    await (await officeReady).close();
    await (await smtpReady).close();
  });

  it("mails each reminder once at 09:00 and posts each to the robot once, never into its block, across five processes", { timeout: 90_000 }, async () => {
    const [robot, office, smtp] = [await robotReady, await officeReady, await smtpReady];
    const hooks = join(dir, "robots.json");
    // No secret in this file: it comes from the environment, DUBAN_ROBOT_SECRET_<ID>.
    writeFileSync(
      hooks,
      JSON.stringify([
        { id: "cq-districts-ding", kind: "dingtalk", url: robot.url, signed: true },
        { id: "cq-office-wecom", kind: "wecom", url: office.url },
      ]),
    );
    const env = { DUBAN_SMTP_URL: smtp.url, DUBAN_WEBHOOKS: hooks, DUBAN_ROBOT_SECRET_CQ_DISTRICTS_DING: SECRET };
    const passes = ["2021-05-21T09:00:00+08:00", "2021-05-21T09:01:30+08:00", "2021-05-21T09:10:30+08:00", "2021-05-21T09:15:00+08:00", "2021-05-21T09:21:00+08:00"];
    const mailsAfter: number[] = [];
    for (const [i, at] of passes.entries()) {
      now = Date.parse(at);
      const run = runDuban(["--db", db, "--now", at, "run", "--once", ...(i === 0 ? ["--plan", plan] : [])], env);
      expect((await run.exited).code, run.stderr()).toBe(0);
      mailsAfter.push(smtp.received.length);
    }
    // The robot's block held up no mail: all 40 went at 09:00.
    expect(mailsAfter[0]).toBe(40);
    expect(robot.duringBlock()).toBe(0);
    expect(robot.mostIn(MIN)).toBeLessThanOrEqual(20);

    const store = await openStore(db);
    try {
      const outbox = await store.listOutbox({ limit: 1000 });
      expect(outbox).toHaveLength(40); // 38 districts, the office's escalation, the 日报
      expect(await store.outboxCounts()).toEqual({ pending: 0, sent: 40, failed: 0 });
      const counts = countById(smtp.received);
      expect(counts.size).toBe(40);
      const idOf = await messageIdOf(store);
      for (const o of outbox) expect(counts.get(idOf(o.key)), o.key).toBe(1);
      // Each district reached the group once: alone (its salutation) or as one line of a digest.
      const plan = chongqingInlined();
      const names = [...plan.matchAll(/name: ([^,]+), [^\n]*kind: district/g)].map((m) => m[1]!);
      expect(names).toHaveLength(38);
      for (const name of names) {
        const seen = robot.accepted().reduce((n, t) => n + (t.match(new RegExp(`(^|\\n)(\\d+\\. )?${name}：`, "g"))?.length ?? 0), 0);
        expect(seen, name).toBe(1);
      }

      const events: StoredEvent[] = [];
      for await (const e of store.read()) events.push(e);
      const retries = events.filter((e) => e.type === "deliveryRetry").map((e) => e.payload as { channel: string; code: string; deliveredVia?: string[]; nextAttemptAt: string });
      expect(retries.length).toBeGreaterThan(0);
      expect(retries.every((p) => p.channel === "dingtalk" && p.deliveredVia?.includes("email"))).toBe(true);
      expect(retries.some((p) => p.code === "ROBOT_RATE_LIMITED")).toBe(true);
      const delivered = events.filter((e) => e.type === "delivered").map((e) => e.payload as { recipient: string; channels: string[] });
      expect(delivered).toHaveLength(40);
      expect(delivered.filter((p) => p.recipient !== "flow").every((p) => [...p.channels].sort().join() === "dingtalk,email")).toBe(true);
    } finally {
      await store.close();
    }
  });

  it("a signed robot without its secret is refused at start, in Chinese, before anything is sent", { timeout: 30_000 }, async () => {
    const smtp = await smtpReady;
    const before = smtp.received.length;
    const hooks = join(dir, "robots-nosecret.json");
    writeFileSync(hooks, JSON.stringify([{ id: "cq-districts-ding", kind: "dingtalk", url: "https://oapi.dingtalk.com/robot/send?access_token=t", signed: true }, { id: "lark-office", kind: "feishu", url: "https://open.feishu.cn/open-apis/bot/v2/hook/x" }]));
    const fresh = join(tempDir("once-robot-nosecret"), "duban.db");
    const run = runDuban(["--db", fresh, "--now", "2021-05-21T09:00:00+08:00", "run", "--once", "--plan", plan], { DUBAN_SMTP_URL: smtp.url, DUBAN_WEBHOOKS: hooks });
    expect((await run.exited).code).toBe(1);
    expect(run.stderr()).toContain("群机器人 cq-districts-ding：钉钉群机器人已设为加签（signed: true），但没有密钥；请设置环境变量 DUBAN_ROBOT_SECRET_CQ_DISTRICTS_DING");
    expect(run.stderr()).toContain("群机器人 lark-office：飞书群机器人须签名校验");
    expect(run.stderr()).not.toMatch(/\n\s+at /);
    expect(smtp.received.length).toBe(before);
  });
});

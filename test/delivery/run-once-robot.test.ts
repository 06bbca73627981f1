import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openStore } from "../../src/store/open.ts";
import type { StoredEvent } from "../../src/store/types.ts";
import { json, startHttp, startSmtp } from "../notifiers/fixtures.ts";
import { countById, runDuban, tempDir, messageIdOf } from "./support.ts";

/** What a DingTalk robot takes per minute in this test before it answers "send too fast" (errcode 130101). */
const ROBOT_LIMIT = 13;

describe("`duban run --once` passes a minute apart while a chat robot is over its limit", () => {
  const dir = tempDir("once-robot");
  const db = join(dir, "duban.db");
  // The Chongqing plan with every district also on one DingTalk group robot.
  const plan = join(dir, "plan.yaml");
  writeFileSync(
    plan,
    readFileSync("plans/chongqing-2021.yaml", "utf8").replace(/(kind: district, contacts: \{ email: \[[^\]]+\])/g, "$1, webhooks: [cq-districts-ding]"),
  );
  let taken = 0;
  const accepted: string[] = [];
  const robotReady = startHttp((hit, res) => {
    if (hit.url.startsWith("/office")) return json(res, 200, { errcode: 0, errmsg: "ok" });
    if (++taken > ROBOT_LIMIT) return json(res, 200, { errcode: 130101, errmsg: "send too fast, exceed 20 times per minute" });
    accepted.push(JSON.parse(hit.body).markdown.text as string);
    json(res, 200, { errcode: 0, errmsg: "ok" });
  });
  const smtpReady = startSmtp();
  afterAll(async () => {
    await (await robotReady).close();
    await (await smtpReady).close();
  });

  it("mails each reminder exactly once and posts each to the robot once, across three processes", { timeout: 60_000 }, async () => {
    const robot = await robotReady;
    const smtp = await smtpReady;
    const hooks = join(dir, "webhooks.json");
    writeFileSync(
      hooks,
      JSON.stringify([
        { id: "cq-districts-ding", kind: "dingtalk", url: `${robot.base}/robot/send?access_token=t` },
        { id: "cq-office-wecom", kind: "wecom", url: `${robot.base}/office?key=k` },
      ]),
    );
    const env = { DUBAN_SMTP_URL: smtp.url, DUBAN_WEBHOOKS: hooks };
    // 09:00, then after the first retry (1 min) and the second (2 min more); the robot's minute starts afresh each time.
    const passes = ["2021-05-21T09:00:00+08:00", "2021-05-21T09:01:30+08:00", "2021-05-21T09:04:00+08:00"];
    for (const [i, now] of passes.entries()) {
      taken = 0;
      const run = runDuban(["--db", db, "--now", now, "run", "--once", ...(i === 0 ? ["--plan", plan] : [])], env);
      expect((await run.exited).code, run.stderr()).toBe(0);
    }

    const store = await openStore(db);
    try {
      const outbox = await store.listOutbox({ limit: 1000 });
      expect(outbox).toHaveLength(40); // 38 districts, the office's escalation, the 日报
      expect(await store.outboxCounts()).toEqual({ pending: 0, sent: 40, failed: 0 });
      // Each message reached the mailbox once (the same Message-ID never twice), whatever the robot did.
      const counts = countById(smtp.received);
      expect(counts.size).toBe(40);
      const idOf = await messageIdOf(store);
      for (const o of outbox) expect(counts.get(idOf(o.key)), o.key).toBe(1);
      // And each district's reminder reached the robot once: 13, 13, then the last 12.
      expect(accepted).toHaveLength(38);
      expect(new Set(accepted).size).toBe(38);

      const events: StoredEvent[] = [];
      for await (const e of store.read()) events.push(e);
      const retries = events.filter((e) => e.type === "deliveryRetry").map((e) => e.payload as { channel: string; code: string; deliveredVia?: string[] });
      expect(retries).toHaveLength(25 + 12);
      expect(retries.every((p) => p.channel === "webhook" && p.code === "WEBHOOK_ERRCODE" && p.deliveredVia?.join() === "email")).toBe(true);
      const delivered = events.filter((e) => e.type === "delivered").map((e) => e.payload as { channels: string[] });
      expect(delivered).toHaveLength(40);
      expect(delivered.every((p) => [...p.channels].sort().join() === "email,webhook")).toBe(true);
    } finally {
      await store.close();
    }
  });
});

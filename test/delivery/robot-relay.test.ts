import { afterEach, describe, expect, it } from "vitest";
import { createWebhookNotifier } from "../../notifiers/index.ts";
import { RobotRelay, type RobotWaiting } from "../../src/dispatch/robots.ts";
import { sampleMessage } from "../notifiers/fixtures.ts";
import { startRobotPeer, type RobotPeer } from "../notifiers/robot-peer.ts";

const T0 = Date.parse("2021-05-21T09:00:00+08:00");
const MIN = 60_000;
const peers: RobotPeer[] = [];
afterEach(async () => {
  for (const p of peers.splice(0)) await p.close();
});

/** `n` units' reminders, all for one robot. */
function waiting(n: number): RobotWaiting[] {
  return Array.from({ length: n }, (_, i) => ({
    id: i + 1,
    endpoints: ["r"],
    msg: sampleMessage({ messageId: `<m${i}@x>`, to: { id: `u${i}`, name: `第${i + 1}街道办事处` }, subject: `【逾期督办】2项报送事项 已逾期1个工作日`, markdown: `第${i + 1}街道办事处：\n\n“具体实施方案”已逾期1个工作日。` }),
  }));
}

describe("RobotRelay: many units on one robot", () => {
  for (const kind of ["wecom", "dingtalk"] as const) {
    it(`${kind}: 150 units go out in one minute within 20 posts, each once, the digest split to the robot's size`, async () => {
      let now = T0;
      const peer = await startRobotPeer({ kind, perMinute: 20, blockMs: kind === "dingtalk" ? 10 * MIN : 0, clock: () => now });
      peers.push(peer);
      const robots = createWebhookNotifier({ endpoints: [{ id: "r", kind, url: peer.url }] });
      const relay = new RobotRelay(robots, "Asia/Shanghai");
      const queue = waiting(150);
      const out = await relay.flush(queue, () => now);
      expect(peer.posts.every((p) => p.accepted)).toBe(true);
      expect(peer.posts.length).toBeLessThanOrEqual(20);
      expect([...out.values()].every((m) => m.get("r")!.result.ok)).toBe(true);
      for (const q of queue) {
        const seen = peer.accepted().reduce((n, t) => n + (t.match(new RegExp(`(^|\\n)(\\d+\\. )?${q.msg.to.name}：`, "g"))?.length ?? 0), 0);
        expect(seen, q.msg.to.name).toBe(1);
      }
      if (kind === "wecom") for (const t of peer.accepted()) expect(Buffer.byteLength(t, "utf8")).toBeLessThanOrEqual(4096);
      // The next minute's first cycle still finds the bucket spent until the minute is over.
      now = T0 + 30_000;
      const again = await relay.flush(waiting(3), () => now);
      expect([...again.values()].every((m) => m.get("r")!.result.ok === false && (m.get("r")!.result as { retryAt?: number }).retryAt! >= T0 + MIN)).toBe(true);
      expect(peer.posts.length).toBeLessThanOrEqual(20);
    });
  }
});

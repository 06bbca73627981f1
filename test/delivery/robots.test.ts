import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createNotifiers, type RobotNotifier, type WebhookEndpoint } from "../../notifiers/index.ts";
import { Campaign } from "../../src/campaign/campaign.ts";
import { runCycle, type CycleReport } from "../../src/daemon/cycle.ts";
import { Dispatcher } from "../../src/dispatch/dispatcher.ts";
import { openStore } from "../../src/store/open.ts";
import type { StoredEvent } from "../../src/store/types.ts";
import { startSmtp } from "../notifiers/fixtures.ts";
import { startRobotPeer, type RobotPeer, type RobotPeerOptions } from "../notifiers/robot-peer.ts";
import { chongqingInlined, cst } from "../helpers.ts";
import { countById, messageIdOf, tempDir } from "./support.ts";

const MIN = 60_000;
const T0 = cst("2021-05-21T09:00");
const SECRET = "SEC9f2c4e1d0b8a7f6e5d4c3b2a19f8e7d6c5b4a39281706f5e4d3c2b1a0f9e8d7";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The Chongqing plan with all 38 districts also on one group robot, "cq-districts". */
function planWithDistrictRobot(dir: string): string {
  const plan = join(dir, "plan.yaml");
  writeFileSync(plan, chongqingInlined().replace(/(kind: district, contacts: \{ email: \[[^\]]+\])/g, "$1, webhooks: [cq-districts]"));
  return plan;
}

async function setup(robot: Omit<RobotPeerOptions, "clock">, endpoint: Partial<WebhookEndpoint> = {}) {
  const dir = tempDir("robots");
  let now = T0;
  const clock = () => now;
  const districts = await startRobotPeer({ ...robot, clock });
  const office = await startRobotPeer({ kind: "wecom", perMinute: 20, clock });
  const smtp = await startSmtp();
  const notifiers = createNotifiers({
    email: { url: smtp.url },
    webhooks: [
      { id: "cq-districts", kind: robot.kind, url: districts.url, ...(robot.secret ? { secret: robot.secret } : {}), ...endpoint } as WebhookEndpoint,
      { id: "cq-office-wecom", kind: "wecom", url: office.url },
    ],
  });
  const store = await openStore(join(dir, "duban.db"));
  cleanups.push(() => districts.close(), () => office.close(), () => smtp.close(), () => store.close(), () => notifiers.close());
  const campaign = await Campaign.init(store, planWithDistrictRobot(dir), cst("2021-04-28T10:00"));
  const dispatcher = new Dispatcher(campaign, notifiers);
  const reports: CycleReport[] = [];
  const cycle = async (at: number) => {
    now = at;
    reports.push(await runCycle(campaign, dispatcher, at));
    return reports.at(-1)!;
  };
  return { dir, districts, office, smtp, notifiers, store, campaign, dispatcher, cycle, reports, setNow: (t: number) => (now = t) };
}

async function events(campaign: Campaign): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  for await (const e of campaign.store.read()) out.push(e);
  return out;
}

/** The 38 districts' names: each reminder must reach the group once, alone (its salutation) or as a digest's line. */
function districtNames(campaign: Campaign): string[] {
  return [...campaign.plan.units.values()].filter((u) => u.kind === "district").map((u) => u.name);
}

function timesSeen(peer: RobotPeer, name: string): number {
  const line = new RegExp(`(^|\\n)(\\d+\\. )?${name}：`, "g");
  return peer.accepted().reduce((n, t) => n + (t.match(line)?.length ?? 0), 0);
}

describe("chat robots within their limits", () => {
  it("38 districts on one DingTalk robot (20 a minute): 19 posted alone, the other 19 merged into one digest; never over the limit", { timeout: 60_000 }, async () => {
    const s = await setup({ kind: "dingtalk", perMinute: 20, blockMs: 10 * MIN, secret: SECRET });
    const r = await s.cycle(T0);
    expect(r.dispatch).toEqual({ sent: 40, retrying: 0, failed: 0 });
    expect(s.districts.posts.every((p) => p.accepted)).toBe(true);
    expect(s.districts.posts).toHaveLength(20);
    const digests = s.districts.accepted().filter((t) => t.includes("督办消息汇总"));
    expect(digests).toHaveLength(1);
    expect(digests[0]).toContain("共 19 条");
    // Every district's reminder reached the group exactly once, and its mail once.
    const subjects = districtNames(s.campaign);
    expect(subjects).toHaveLength(38);
    for (const subject of subjects) expect(timesSeen(s.districts, subject), subject).toBe(1);
    expect(countById(s.smtp.received).size).toBe(40);
    // The log says which robot took it, by kind, and which went in the digest.
    const delivered = (await events(s.campaign)).filter((e) => e.type === "delivered").map((e) => e.payload as { recipient: string; channels: string[]; robots?: string[]; robotPosts?: { digest?: string }[] });
    const districts = delivered.filter((p) => p.recipient !== "flow" && p.robots);
    expect(districts.every((p) => p.channels.sort().join() === "dingtalk,email" && p.robots!.join() === "cq-districts")).toBe(true);
    expect(districts.filter((p) => p.robotPosts?.[0]?.digest)).toHaveLength(19);
  });

  it("a robot that blocks for 10 minutes (its limit lower than configured): nothing is posted into the block, the mail is not held up, each reminder reaches the group once", { timeout: 120_000 }, async () => {
    // The robot is shared with another system: it takes only 13 of our posts a minute, then blocks for 10 minutes.
    const s = await setup({ kind: "dingtalk", perMinute: 13, blockMs: 10 * MIN, secret: SECRET });
    const first = await s.cycle(T0);
    // Every mail went out at 09:00; 25 messages wait for the robot, none failed.
    expect(countById(s.smtp.received).size).toBe(40);
    expect(first.dispatch).toMatchObject({ failed: 0 });
    expect(first.dispatch.retrying).toBe(25);
    for (let t = T0 + MIN; t <= T0 + 30 * MIN; t += MIN) await s.cycle(t);
    expect(await s.store.outboxCounts()).toEqual({ pending: 0, sent: 40, failed: 0 });
    // The one post that met the limit, then nothing into the block.
    expect(s.districts.posts.filter((p) => !p.accepted)).toHaveLength(2);
    expect(s.districts.duringBlock()).toBe(0);
    expect(s.districts.mostIn(MIN)).toBeLessThanOrEqual(20);
    for (const subject of districtNames(s.campaign)) expect(timesSeen(s.districts, subject), subject).toBe(1);
    // Retried after the block, not after the backoff; and the mail never twice.
    expect([...countById(s.smtp.received).values()].every((n) => n === 1)).toBe(true);
    const retries = (await events(s.campaign)).filter((e) => e.type === "deliveryRetry").map((e) => e.payload as { code: string; channel: string; nextAttemptAt: string; deliveredVia?: string[] });
    expect(retries.every((p) => p.channel === "dingtalk" && p.deliveredVia?.includes("email"))).toBe(true);
    expect(retries.filter((p) => p.code === "ROBOT_RATE_LIMITED").every((p) => Date.parse(p.nextAttemptAt) >= T0 + 10 * MIN)).toBe(true);
  });

  it("a new process knows the budget the last one spent: posts and blocks are read back from the log", { timeout: 60_000 }, async () => {
    const s = await setup({ kind: "dingtalk", perMinute: 20, blockMs: 10 * MIN, secret: SECRET });
    await s.cycle(T0);
    expect(s.districts.posts).toHaveLength(20);
    // A restart 30 s later: new notifiers, a new dispatcher, the same store.
    const notifiers = createNotifiers({ emlDir: join(s.dir, "eml"), webhooks: [{ id: "cq-districts", kind: "dingtalk", url: s.districts.url, secret: SECRET }, { id: "cq-office-wecom", kind: "wecom", url: s.office.url }] });
    cleanups.push(() => notifiers.close());
    await new Dispatcher(s.campaign, notifiers).dispatchDue(T0 + 30_000);
    const limiter = (notifiers.get("webhook") as RobotNotifier).limiter("cq-districts");
    expect(limiter.available(T0 + 30_000)).toBe(0);
    expect(limiter.nextFree(T0 + 30_000)).toBeGreaterThanOrEqual(T0 + MIN);
  });

  it("a Feishu robot: signed with timestamp + secret, 5 a second and its minute limit kept", { timeout: 60_000 }, async () => {
    const s = await setup({ kind: "feishu", perMinute: 12, perSecond: 5, secret: SECRET }, { perMinute: 12 });
    const r = await s.cycle(T0);
    expect(r.dispatch).toEqual({ sent: 40, retrying: 0, failed: 0 });
    expect(s.districts.posts).toHaveLength(12);
    expect(s.districts.posts.every((p) => p.accepted)).toBe(true);
    for (const subject of districtNames(s.campaign)) expect(timesSeen(s.districts, subject), subject).toBe(1);
  });

  it("a Feishu robot with the wrong secret fails for good (code 19021), the mail still goes", { timeout: 60_000 }, async () => {
    const s = await setup({ kind: "feishu", perMinute: 100, perSecond: 5, secret: SECRET }, { secret: "wrong" });
    const r = await s.cycle(T0);
    expect(r.dispatch).toMatchObject({ sent: 2, failed: 38 });
    expect(countById(s.smtp.received).size).toBe(40);
    const failed = await s.store.listOutbox({ status: "failed" });
    expect(failed.every((f) => /19021/.test(f.lastError ?? ""))).toBe(true);
    // One refused post told it all: the robot was not asked 38 times.
    expect(s.districts.posts).toHaveLength(1);
  });

  it("a proxy's login page answering 200 is no delivery: retried, never counted as sent", { timeout: 60_000 }, async () => {
    let html = true;
    const s = await setup({ kind: "wecom", perMinute: 20, fault: () => (html ? "html" : undefined) });
    const first = await s.cycle(T0);
    expect(first.dispatch).toMatchObject({ sent: 2, retrying: 38, failed: 0 });
    const retry = (await events(s.campaign)).find((e) => e.type === "deliveryRetry")!.payload as { code: string; error: string };
    expect(retry.code).toBe("ROBOT_BAD_ANSWER");
    expect(retry.error).toMatch(/不是企业微信群机器人的 JSON 应答/);
    html = false;
    for (let t = T0 + MIN; t <= T0 + 10 * MIN; t += MIN) await s.cycle(t);
    expect(await s.store.outboxCounts()).toEqual({ pending: 0, sent: 40, failed: 0 });
    for (const subject of districtNames(s.campaign)) expect(timesSeen(s.districts, subject), subject).toBe(1);
  });

  it("a robot answering 500 for an hour loses nothing and floods nothing", { timeout: 180_000 }, async () => {
    let down = true;
    const s = await setup({ kind: "wecom", perMinute: 20, fault: () => (down ? 500 : undefined) });
    for (let t = T0; t < T0 + 60 * MIN; t += MIN) await s.cycle(t);
    // During the hour: at most one request a minute (the first of a round fails, the others wait their turn).
    const during = s.districts.posts.length;
    expect(during).toBeLessThanOrEqual(60);
    expect(s.districts.mostIn(MIN)).toBeLessThanOrEqual(1);
    expect(await s.store.outboxCounts()).toMatchObject({ failed: 0 });
    down = false;
    for (let t = T0 + 60 * MIN; t <= T0 + 120 * MIN; t += MIN) await s.cycle(t);
    expect(await s.store.outboxCounts()).toEqual({ pending: 0, sent: 40, failed: 0 });
    expect(s.districts.mostIn(MIN)).toBeLessThanOrEqual(20);
    for (const subject of districtNames(s.campaign)) expect(timesSeen(s.districts, subject), subject).toBe(1);
    const idOf = await messageIdOf(s.store);
    const counts = countById(s.smtp.received);
    for (const o of await s.store.listOutbox({ limit: 100 })) expect(counts.get(idOf(o.key)), o.key).toBe(1);
  });
});

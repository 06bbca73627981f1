import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { chongqingInlined } from "../helpers.ts";
import { Campaign } from "../../src/campaign/campaign.ts";
import { openStore } from "../../src/store/open.ts";
import { json, startHttp, startSmtp } from "../notifiers/fixtures.ts";
import { runDuban, tempDir, until } from "../delivery/support.ts";
import { sample, scrape } from "./prom.ts";

const NOW = "2021-05-21T09:00:00+08:00";
const ACCESS_TOKEN = "dt0ken5ecretAbcdef0123456789";
const SIGN_SECRET = "SECsign0123456789abcdefSECRET";

/** Every contact address of the plan: none may reach a log line at info, /metrics or /readyz. */
function contacts(planText: string): string[] {
  return [...new Set(planText.match(/[a-z0-9.-]+@example\.gov\.cn/g) ?? [])];
}

describe("`duban run --metrics-port`: metrics, health and logs of a real daemon", () => {
  const dir = tempDir("run-metrics");
  const db = join(dir, "duban.db");
  const plan = join(dir, "plan.yaml");
  const planText = chongqingInlined().replace(/(kind: district, contacts: \{ email: \[[^\]]+\])/g, "$1, webhooks: [cq-districts-ding]");
  writeFileSync(plan, planText);
  const robotReady = startHttp((_hit, res) => json(res, 200, { errcode: 0, errmsg: "ok" }));
  // One district's mailbox refuses for good (550), another's server asks to try later (451).
  const smtpReady = startSmtp({ rcptCode: (a) => (a.startsWith("wanzhou@") ? 550 : a.startsWith("youyang@") ? 451 : undefined) });
  afterAll(async () => {
    await (await robotReady).close();
    await (await smtpReady).close();
  });

  it("counts queued, sent, retrying and failed by channel, the lease, the tick and the outbox; leaks no token and no contact", { timeout: 60_000 }, async () => {
    const robot = await robotReady;
    const smtp = await smtpReady;
    writeFileSync(join(dir, "ding.url"), `${robot.base}/robot/send?access_token=${ACCESS_TOKEN}\n`);
    const config = join(dir, "duban.config.yaml");
    writeFileSync(config, ["smtp:", `  url: ${smtp.url}`, "robots:", "  - id: cq-districts-ding", "    kind: dingtalk", "    urlFile: ding.url", "    secretEnv: TEST_DING_SECRET", ""].join("\n"));

    const run = runDuban(["--db", db, "--now", NOW, "--config", config, "run", "--plan", plan, "--metrics-port", "0"], { TEST_DING_SECRET: SIGN_SECRET });
    await until("the metrics listener", () => /"event":"metrics"/.test(run.stderr()), 20_000);
    await until("the first cycle", () => /"event":"catch-up-cycle"/.test(run.stderr()), 30_000);
    const base = /"url":"(http:\/\/127\.0\.0\.1:\d+)\/metrics"/.exec(run.stderr())![1]!;

    const m = await scrape(`${base}/metrics`);
    expect(m.status).toBe(200);
    expect(m.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    const f = m.metrics;
    expect(sample(f, "duban_reminders_total", { channel: "reminder", outcome: "queued" })).toBeGreaterThan(0);
    expect(sample(f, "duban_reminders_total", { channel: "email", outcome: "sent" })).toBeGreaterThan(0);
    expect(sample(f, "duban_reminders_total", { channel: "dingtalk", outcome: "sent" })).toBeGreaterThan(0);
    expect(sample(f, "duban_reminders_total", { channel: "email", outcome: "failed" })).toBe(1);
    expect(sample(f, "duban_reminders_total", { channel: "email", outcome: "retrying" })).toBe(1);
    expect(sample(f, "duban_lease_holder", { state: "leader" })).toBe(1);
    expect(sample(f, "duban_lease_holder", { state: "standby" })).toBe(0);
    expect(sample(f, "duban_lease_acquired_total")).toBe(1);
    expect(f.families.get("duban_tick_duration_seconds")?.type).toBe("HISTOGRAM");
    expect(sample(f, "duban_tick_duration_seconds")).toBe(1);
    expect(sample(f, "duban_events_appended_total")).toBeGreaterThan(0);
    expect(sample(f, "duban_outbox_oldest_unsent_age_seconds")).toBe(0);
    expect(f.families.has("duban_process_resident_memory_bytes")).toBe(true);

    const ready = await fetch(`${base}/readyz`);
    const readyText = await ready.text();
    expect(ready.status, readyText).toBe(200);
    expect(JSON.parse(readyText)).toMatchObject({ ready: true, checks: { store: { ok: true }, schema: { ok: true, version: 2 }, lease: { ok: true, state: "leader" }, outbox: { ok: true, maxAgeSeconds: 900 } } });
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: "ok" });
    expect((await fetch(`${base}/nothing`)).status).toBe(404);

    run.proc.kill("SIGTERM");
    expect((await run.exited).code, run.stderr()).toBe(0);

    // The figures agree with the store.
    const store = await openStore(db);
    try {
      const counts = await store.outboxCounts();
      expect(sample(f, "duban_outbox_messages", { status: "sent" })).toBe(counts.sent);
      // The refused mailbox, and what the catch-up left out as too old (channel "none").
      expect(sample(f, "duban_outbox_messages", { status: "failed" })).toBe(counts.failed);
      expect(sample(f, "duban_reminders_total", { outcome: "failed" })).toBe(counts.failed);
      expect(sample(f, "duban_outbox_messages", { status: "pending" })).toBe(1);
      const c = await Campaign.open(store);
      const overdue = c.board(Date.parse(NOW)).filter((r) => r.lateness === "overdue" || r.lateness === "escalated").length;
      expect(sample(f, "duban_overdue_items")).toBe(overdue);
      expect(overdue).toBeGreaterThan(0);
      // The head at the scrape; SIGTERM appends nothing.
      expect(sample(f, "duban_log_head_seq")).toBe((await store.head()).seq);
    } finally {
      await store.close();
    }

    // The log: JSON lines with the facts, the secrets nowhere, the addresses (even the refused one in the SMTP answer) hidden at info.
    const lines = run.stderr().trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.find((l) => l.event === "failed" && String(l.item).includes("/wanzhou/"))).toMatchObject({ level: 50, channel: "email", code: expect.any(String), msg: expect.stringContaining("550 refused <联系方式已隐去>") });
    expect(lines.find((l) => l.event === "retry")).toMatchObject({ level: 40, item: expect.stringContaining("/youyang/") });
    expect(lines.find((l) => l.event === "sent")).toMatchObject({ messageId: expect.stringMatching(/^<.+>$/), channel: expect.any(String), recipient: expect.any(String) });
    expect(lines.find((l) => l.event === "leader")).toMatchObject({ msg: expect.stringMatching(/^leader: 本进程持有租约/) });
    expect(lines.at(-1)).toMatchObject({ event: "stopped" });
    expect(lines.every((l) => l.addresses === undefined)).toBe(true);
    for (const [what, text] of [["log", run.stderr()], ["/metrics", m.text], ["/readyz", readyText]] as const) {
      for (const secret of [ACCESS_TOKEN, SIGN_SECRET]) expect(text.includes(secret), `${what} holds a secret`).toBe(false);
      for (const address of contacts(planText)) expect(text.includes(address), `${what} holds ${address}`).toBe(false);
    }
    // The robot got signed requests (the secret was read at start and used).
    expect(robot.hits.some((h) => h.url.includes("sign="))).toBe(true);
  });

  it("at --log-level debug the facts name the addresses; the secrets stay out", { timeout: 30_000 }, async () => {
    const config = join(dir, "duban.config.yaml");
    const run = runDuban(["--db", db, "--now", "2021-05-21T09:10:00+08:00", "--config", config, "run", "--once", "--log-level", "debug"], { TEST_DING_SECRET: SIGN_SECRET });
    expect((await run.exited).code, run.stderr()).toBe(0);
    const text = run.stderr();
    // youyang's mail was retried (451 again): its address is a fact of the line at debug.
    expect(text).toContain("youyang@example.gov.cn");
    expect(text.includes(ACCESS_TOKEN) || text.includes(SIGN_SECRET)).toBe(false);
  });
});

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { simpleParser } from "mailparser";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import { openStore } from "../../src/store/open.ts";
import type { StoredEvent } from "../../src/store/types.ts";
import { planText } from "../plan/minimal-plan.ts";
import { captureIo, tempFile } from "../helpers.ts";
import { tempDir } from "./support.ts";

/**
 * Two districts owe a report due 2021-06-15 (reminded on the day, then every working day, escalated to
 * the office two working days late) and early material due 2021-05-20 (reminded once, on the day).
 */
const PLAN = tempFile(
  "stale.yaml",
  planText({
    25: ['  - { id: report, title: 报告, phase: first, from: ["@districts"], due: 2021-06-15 }', '  - { id: early, title: 早期材料, phase: first, from: ["@districts"], due: 2021-05-20, policy: once }'],
    29: ["      - { at: 0wd, notify: [assignee] }", "      - { at: +1wd, notify: [assignee], repeat: 1 }", "      - { at: +2wd, notify: [hq], level: 1 }", "  once:", "    steps:", "      - { at: 0wd, notify: [assignee] }"],
  }),
);

async function duban(db: string, ...args: string[]) {
  const io = captureIo();
  const code = await main(["node", "duban", "--db", db, ...args], io);
  return { code, out: io.stdout, err: io.stderr };
}

async function fresh(name: string) {
  const dir = tempDir(name);
  const db = join(dir, "duban.db");
  const eml = join(dir, "eml");
  const init = await duban(db, "--now", "2021-04-28T10:00+08:00", "init", PLAN);
  expect(init.code, init.err).toBe(0);
  return { db, eml };
}

async function inspect(db: string) {
  const store = await openStore(db);
  const events: StoredEvent[] = [];
  for await (const e of store.read()) events.push(e);
  const outbox = await store.listOutbox({ limit: 1000 });
  await store.close();
  return { events, outbox, escalations: events.filter((e) => e.type === "reminded" && (e.payload as { level: number }).level > 0).length };
}

const OFFICE_DIGEST = "test-campaign/hq/2021-06-30T09:00:00+08:00";

describe("the daemon after a long stop", () => {
  it("logs the catch-up, records every event, and does not send what is older than the window", async () => {
    const { db, eml } = await fresh("stale-default");
    const r = await duban(db, "--now", "2021-06-30T09:30+08:00", "run", "--once", "--eml-dir", eml);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/catch-up from=2021-05-01T00:00:00\+08:00 working-days=\d+ events=\d+ messages older than the catch-up window are not sent/);

    const { outbox, escalations, events } = await inspect(db);
    // History stays true: the escalations of 06-17 are in the log...
    expect(escalations).toBeGreaterThanOrEqual(2);
    // ...but the office's digest, which holds only them, was not sent.
    const office = outbox.find((o) => o.key === OFFICE_DIGEST)!;
    expect(office.status).toBe("failed");
    expect(office.lastError).toMatch(/^SKIPPED_AFTER_DOWNTIME: \d+ 项提醒或督办应于 2021-06-17 周四 09:00 起发出，补记时已超过 72 小时，按补发规则不再发送/);
    // Each district's digest went out with today's repeat of the report only, not May's material.
    const north = readdirSync(eml).filter((n) => n.includes("north"));
    expect(north).toHaveLength(1);
    const text = (await simpleParser(readFileSync(join(eml, north[0]!)))).text!;
    expect(text).toContain("报告");
    expect(text).not.toContain("早期材料");
    const delivered = events.filter((e) => e.type === "delivered" && String((e.payload as { key: string }).key).startsWith("test-campaign/north/"));
    expect(delivered).toHaveLength(1);
    expect((delivered[0]!.payload as { staleItemsLeftOut?: number }).staleItemsLeftOut).toBeGreaterThanOrEqual(1);
    const failed = outbox.filter((o) => o.status === "failed");
    expect(failed.every((f) => f.lastError!.startsWith("SKIPPED_AFTER_DOWNTIME"))).toBe(true);
  });

  it("sends a skipped message when the office asks for it again (outbox retry), with all its items", async () => {
    const { db, eml } = await fresh("stale-retry");
    expect((await duban(db, "--now", "2021-06-30T09:30+08:00", "run", "--once", "--eml-dir", eml)).code).toBe(0);
    const retry = await duban(db, "--now", "2021-07-07T10:00+08:00", "outbox", "retry", OFFICE_DIGEST, "--as", "boss", "--note", "补发");
    expect(retry.code, retry.err).toBe(0);
    const r = await duban(db, "--now", "2021-07-07T10:01+08:00", "run", "--once", "--eml-dir", eml);
    expect(r.code, r.err).toBe(0);
    const { outbox, events } = await inspect(db);
    expect(outbox.find((o) => o.key === OFFICE_DIGEST)!.status).toBe("sent");
    const delivered = events.filter((e) => e.type === "delivered" && (e.payload as { key: string }).key === OFFICE_DIGEST);
    expect(delivered).toHaveLength(1);
    expect((delivered[0]!.payload as { staleItemsLeftOut?: number }).staleItemsLeftOut).toBeUndefined();
  });

  it("sends them all with --catch-up all", async () => {
    const { db, eml } = await fresh("stale-all");
    const r = await duban(db, "--now", "2021-06-30T09:30+08:00", "run", "--once", "--eml-dir", eml, "--catch-up", "all");
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain("stale messages are sent (--catch-up all)");
    const { outbox } = await inspect(db);
    expect(outbox.find((o) => o.key === OFFICE_DIGEST)!.status).toBe("sent");
    expect(outbox.filter((o) => o.status === "failed")).toHaveLength(0);
  });

  it("a drill that runs the daemon every working day sends everything, without extra flags", async () => {
    const { db, eml } = await fresh("stale-drill");
    for (let t = Date.parse("2021-05-01T09:30+08:00"); t <= Date.parse("2021-06-30T09:30+08:00"); t += 86_400_000) {
      const r = await duban(db, "--now", new Date(t).toISOString(), "run", "--once", "--eml-dir", eml);
      expect(r.code, r.err).toBe(0);
      expect(r.err).not.toContain("catch-up from=");
    }
    const { outbox, escalations } = await inspect(db);
    expect(escalations).toBeGreaterThanOrEqual(2);
    expect(outbox.filter((o) => o.status === "failed")).toHaveLength(0);
    expect(outbox.some((o) => o.key === "test-campaign/hq/2021-06-17T09:00:00+08:00" && o.status === "sent")).toBe(true);
  });
});

describe("--catch-up", () => {
  it("names its choices when given another, for run and serve", async () => {
    for (const cmd of [["run", "--once"], ["serve", "--daemon"]]) {
      const r = await duban("unused.db", ...cmd, "--catch-up", "resend");
      expect(r.code, cmd.join(" ")).toBe(2);
      expect(r.err).toContain("--catch-up resend：只能是 send、skip 或 all");
    }
  });
});

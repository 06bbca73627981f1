/// <reference lib="dom" />
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import { findChromium, launch } from "../browser.ts";
import { captureIo } from "../helpers.ts";
import { boardStory } from "./board-setup.ts";
import { Client, startFixture, type Fixture } from "./setup.ts";

// 催办: the office urges a unit from the board; the reminder takes the ladder's path (log + outbox).
const found = await findChromium();
let f: Fixture;
let browser: Browser | undefined;

beforeAll(async () => {
  f = await startFixture();
  await boardStory(f);
  if (typeof found !== "string") browser = await launch(found);
});
afterAll(async () => {
  await browser?.close();
  await f?.close();
});


describe("催办 on the web", () => {
  it("the office urges 大渡口区 by the API: events on each owed item, one message queued; a second urge today is refused in Chinese", async () => {
    const office = new Client(f.server.url);
    await office.signIn(f.tokens.office);
    const before = await f.store.outboxCounts();
    const res = await office.fetch("/api/units/dadukou/urge", { method: "POST", headers: { "content-type": "application/json", "x-csrf-token": office.csrf }, body: JSON.stringify({ note: "请今天报送" }) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { events: { assignment: string; type: string; actor: { kind: string }; payload: { reason: string; note: string; user: string } }[] };
    expect(body.events.map((e) => e.assignment)).toContain("implementation-plan/dadukou");
    for (const e of body.events) expect(e).toMatchObject({ type: "reminded", payload: { reason: "urged", note: "请今天报送", user: "liu" }, actor: { kind: "person" } });
    const after = await f.store.outboxCounts();
    expect(JSON.stringify(after)).not.toBe(JSON.stringify(before));
    // The item's trail says who was told, and that it was a 催办.
    const item = (await (await office.fetch("/api/items/implementation-plan/dadukou")).json()) as { reminders: { reason?: string; recipient: string }[] };
    expect(item.reminders.some((r) => r.reason === "urged" && r.recipient === "dadukou")).toBe(true);

    const again = await office.fetch("/api/units/dadukou/urge", { method: "POST", headers: { "content-type": "application/json", "x-csrf-token": office.csrf }, body: "{}" });
    expect(again.status).toBe(409);
    const no = (await again.json()) as { error: { code: string; message: string } };
    expect(no.error.code).toBe("ALREADY_URGED");
    expect(no.error.message).toContain("每个单位每天至多催办一次");
  });

  it("a district cannot urge, and a form without its token is refused before anything is recorded", async () => {
    const district = new Client(f.server.url);
    await district.signIn(f.tokens.yuzhong);
    const head = (await f.store.head()).seq;
    const no = await district.fetch("/api/units/fuling/urge", { method: "POST", headers: { "content-type": "application/json", "x-csrf-token": district.csrf }, body: "{}" });
    expect(no.status).toBe(403);
    expect(((await no.json()) as { error: { message: string } }).error.message).toContain("只有领导小组办公室可以催办");
    const office = new Client(f.server.url);
    await office.signIn(f.tokens.office);
    const forged = await office.fetch("/units/jiangbei/urge", { method: "POST", body: new URLSearchParams({}) });
    expect(forged.status).toBe(403);
    // Only the two refusals (and the sign-ins) were logged: no reminder for 江北区.
    const events = [];
    for await (const e of f.store.read({ fromSeq: head + 1 })) events.push(e.type);
    expect(events).not.toContain("reminded");
  });

  it.skipIf(typeof found === "string")("the board's 催办 button sends it, and the ranking then says 今日已催办", async () => {
    const ctx = await browser!.newContext({ viewport: { width: 390, height: 844 }, locale: "zh-CN" });
    const page = await ctx.newPage();
    await page.goto(`${f.server.url}/login`);
    await page.fill('input[name="token"]', f.tokens.office);
    await page.click('button:has-text("登录")');
    await page.goto(`${f.server.url}/`);
    await page.click('table.ranking tr[data-unit="jiangbei"] button:has-text("催办")');
    await page.waitForURL(/urged=jiangbei/);
    expect(await page.textContent("p.ok")).toContain("已催办江北区人力社保局");
    expect(await page.textContent('table.ranking tr[data-unit="jiangbei"]')).toContain("今日已催办");
    expect(await page.locator('table.ranking tr[data-unit="jiangbei"] button').count()).toBe(0);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.goto(`${f.server.url}/items/implementation-plan/jiangbei`);
    expect(await page.textContent("body")).toContain("催办");
    await ctx.close();
  });
});

describe("duban urge", () => {
  it("urges from the command line, once a day", async () => {
    const db = join(mkdtempSync(join(tmpdir(), "duban-urge-")), "c.db");
    const duban = async (...args: string[]) => {
      const io = captureIo();
      const code = await main(["node", "duban", "--db", db, ...args], io);
      return { code, out: io.stdout.trim(), err: io.stderr.trim() };
    };
    expect((await duban("--now", "2021-04-28T10:00+08:00", "init", "plans/chongqing-2021.yaml")).code).toBe(0);
    const ok = await duban("--now", "2021-05-27T10:00+08:00", "urge", "yuzhong", "--as", "liu-qingqing", "--note", "请抓紧");
    expect(ok.err).toBe("");
    expect(ok.out).toMatch(/^已催办渝中区人力社保局：4 项事项，提醒已进入发送队列/);
    const again = await duban("--now", "2021-05-27T15:00+08:00", "urge", "yuzhong", "--as", "liu-qingqing");
    expect([again.code, again.err]).toEqual([1, "拒绝催办：今天已于 10:00 催办过渝中区人力社保局，每个单位每天至多催办一次，请明天再催办 [ALREADY_URGED]"]);
    const h = await duban("history", "implementation-plan/yuzhong");
    expect(h.out).toContain("催办");
  });
});

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addUser } from "../../src/access/users.ts";
import { findChromium, launch } from "../browser.ts";
import { cst } from "../helpers.ts";
import { Client, startFixture, type Fixture } from "./setup.ts";

/** Issue 13, "The unit's page": what a district reads about its own items must be true. */
const found = await findChromium();
if (typeof found === "string" && process.env.DUBAN_REQUIRE_BROWSER === "1") throw new Error(`DUBAN_REQUIRE_BROWSER=1 but there is no Chromium to drive: ${found}`);

let f: Fixture;
let browser: Browser;
let office: Client;
let yuzhong: Client;

async function act(c: Client, id: string, verb: string, body: Record<string, unknown> = {}) {
  const res = await c.fetch(`/api/items/${id}/${verb}`, { method: "POST", headers: { "x-csrf-token": c.csrf, "content-type": "application/json" }, body: JSON.stringify(body) });
  expect(res.status, `${verb} ${id}: ${await res.clone().text()}`).toBe(200);
}

beforeAll(async () => {
  if (typeof found === "string") return;
  browser = await launch(found);
  f = await startFixture();
  office = new Client(f.server.url);
  yuzhong = new Client(f.server.url);
  expect((await office.signIn(f.tokens.office)).status).toBe(303);
  expect((await yuzhong.signIn(f.tokens.yuzhong)).status).toBe(303);
});
afterAll(async () => {
  await browser?.close();
  await f?.close();
});

async function signedIn(token: string, width = 390): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width, height: 844 }, locale: "zh-CN" });
  const page = await ctx.newPage();
  await page.goto(`${f.server.url}/login`);
  await page.fill('input[name="token"]', token);
  await page.click('button:has-text("登录")');
  await page.waitForURL(/\/units\/|\/$/);
  return page;
}

const card = (p: Page, id: string) => p.locator(`[id="${id}"]`);

describe.skipIf(typeof found === "string")("the unit's page (issue 13)", () => {
  it("a closed item says how it closed, never days left or an alarm; an old return's note is gone once accepted", async () => {
    await act(yuzhong, "implementation-plan/yuzhong", "submit", { note: "初稿" });
    await act(office, "implementation-plan/yuzhong", "return", { note: "请补充机构清单" });
    const api = async () => ((await (await yuzhong.fetch("/api/units/yuzhong")).json()) as { owed: { id: string; returnedComment?: unknown }[]; done: { id: string; returnedComment?: unknown }[] });
    expect((await api()).owed.find((i) => i.id === "implementation-plan/yuzhong")?.returnedComment).toMatchObject({ note: "请补充机构清单" });
    await act(yuzhong, "implementation-plan/yuzhong", "submit", { note: "补充稿" });
    await act(office, "implementation-plan/yuzhong", "accept");
    expect((await api()).done.find((i) => i.id === "implementation-plan/yuzhong")).not.toHaveProperty("returnedComment");

    const p = await signedIn(f.tokens.yuzhong);
    const done = card(p, "implementation-plan/yuzhong");
    const text = await done.textContent();
    expect(text).toContain("按时办结");
    expect(text).not.toMatch(/还剩|已逾期/);
    expect(await done.locator(".comment").count()).toBe(0);
    expect(await done.locator(".standing").textContent()).toBe("按时办结");
    expect(await done.locator("b.standing").count()).toBe(0);
    await p.context().close();
  });

  it("a unit recalls its hand-in while it waits for review, corrects it, and the trail records both; small files say their bytes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "duban-unit-"));
    const pdf = join(dir, "自查情况.pdf");
    writeFileSync(pdf, Buffer.concat([Buffer.from("%PDF-1.4\n"), Buffer.alloc(312 - 9, 0x20)]));
    const p = await signedIn(f.tokens.yuzhong);
    const item = card(p, "self-inspection-report/yuzhong");
    await item.locator('textarea[name="note"]').fill("自查情况见附件");
    await item.locator('input[type="file"]').setInputFiles(pdf);
    await item.locator('button:has-text("报送")').click();
    await p.waitForSelector("text=已报送。");
    // The attachment's size as it is, not "0 KB".
    expect(await p.textContent("ul.trail")).toContain("自查情况.pdf（312 B，SHA-256");

    await p.goto(`${f.server.url}/units/yuzhong`);
    const waiting = card(p, "self-inspection-report/yuzhong");
    expect(await waiting.textContent()).toContain("按时报送，待审核");
    await waiting.locator('form[action$="/recall"] textarea[name="note"]').fill("附件版本有误，更正后重报");
    await waiting.locator('form[action$="/recall"] button').click();
    await p.waitForSelector("text=已撤回。");
    const trail = await p.textContent("ul.trail");
    expect(trail).toContain("撤回报送");
    expect(trail).toContain("附件版本有误，更正后重报");
    const log = await f.campaign.history("self-inspection-report/yuzhong");
    expect(log.at(-1)).toMatchObject({ type: "recalled", actor: { kind: "unit", unit: "yuzhong" }, payload: { note: "附件版本有误，更正后重报", via: "web", user: "yuzhong-zhang" } });

    // Owed again: back among what the unit must hand in, with the submit form; no recall form any more.
    await p.goto(`${f.server.url}/units/yuzhong`);
    const owed = card(p, "self-inspection-report/yuzhong");
    expect(await owed.locator('form[action$="/submit"]').count()).toBe(1);
    expect(await owed.locator('form[action$="/recall"]').count()).toBe(0);
    expect(await owed.textContent()).toContain("还剩");
    await p.context().close();
  });

  it("a hand-in after the deadline, once accepted, says by how many working days it was late, without the alarm", async () => {
    f.clock.now = cst("2021-05-24T10:00");
    await f.campaign.tick(f.clock.now);
    await act(yuzhong, "self-inspection-report/yuzhong", "submit", { note: "更正稿" });
    await act(office, "self-inspection-report/yuzhong", "accept");
    const p = await signedIn(f.tokens.yuzhong);
    const c = card(p, "self-inspection-report/yuzhong");
    const text = (await c.textContent())!;
    expect(text).toMatch(/逾期 \d+ 个工作日办结/);
    expect(text).not.toMatch(/还剩|已逾期/);
    expect(await c.locator("b.standing").count()).toBe(0);
    await p.context().close();
  });

  it("the item page lists what is required", async () => {
    const p = await signedIn(f.tokens.yuzhong);
    await p.goto(`${f.server.url}/items/enforcement-progress/yuzhong`);
    const req = p.locator(".requirements");
    expect(await req.textContent()).toContain("按照渝人社发〔2021〕140号文件要求，重点任务第二项相关情况另行报送市劳动保障监察总队。");
    expect(await req.textContent()).toContain("依据：");
    await p.context().close();
  });

  it("form labels sit above their fields, flush left (on a wide screen, where both fit on one line)", async () => {
    const p = await signedIn(f.tokens.yuzhong, 1200);
    await p.goto(`${f.server.url}/units/yuzhong`);
    const label = p.locator('form[action$="/submit"] label:has(textarea)').first();
    const geo = await label.evaluate((l) => {
      const t = l.querySelector("textarea")!.getBoundingClientRect();
      const r = l.ownerDocument.createRange();
      r.selectNodeContents(l.firstChild!);
      const text = r.getBoundingClientRect();
      return { textBottom: text.bottom, textLeft: text.left, fieldTop: t.top, fieldLeft: t.left };
    });
    expect(geo.fieldTop).toBeGreaterThanOrEqual(geo.textBottom - 1);
    expect(Math.abs(geo.fieldLeft - geo.textLeft)).toBeLessThan(2);
    await p.context().close();
  });

  it("a unit's Gantt shows only the deadlines it owes", async () => {
    const { token } = await addUser(f.campaign, f.sidecar.access, { name: "lr-wang", unit: "labour-relations", role: "unit" }, f.clock.now);
    const p = await signedIn(token, 1200);
    await p.goto(`${f.server.url}/`);
    const labels = await p.locator(".gantt .g-label").allTextContents();
    // 劳动关系处 leads a task: it owes the progress report (6/15) and the summary (in October), not the districts' 5/20 plans.
    expect(labels).toHaveLength(2);
    expect(labels).toContain("6/15");
    expect(labels).not.toContain("5/20");
    const titles = await p.locator(".gantt .g-due").evaluateAll((ds) => ds.map((d) => d.getAttribute("title") ?? ""));
    expect(titles.join("\n")).not.toContain("清理整顿人力资源市场秩序专项执法行动推进情况");
    await p.context().close();
  });
});

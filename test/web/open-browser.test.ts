import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findChromium, launch } from "../browser.ts";
import { startKindsFixture, type KindsFixture } from "./kinds-setup.ts";

const found = await findChromium();
if (typeof found === "string") {
  if (process.env.DUBAN_REQUIRE_BROWSER === "1") throw new Error(`DUBAN_REQUIRE_BROWSER=1 but there is no Chromium to drive: ${found}`);
  console.warn(`\n!!! SKIPPING the 交办 browser tests: ${found}.\n`);
}

let f: KindsFixture;
let browser: Browser;

beforeAll(async () => {
  if (typeof found === "string") return;
  browser = await launch(found);
  f = await startKindsFixture();
});
afterAll(async () => {
  await browser?.close();
  await f?.close();
});

async function signedIn(token: string): Promise<Page> {
  // A phone-sized screen: a district clerk signs for a 督办单 on the way.
  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: "zh-CN" });
  const page = await ctx.newPage();
  await page.goto(`${f.server.url}/login`);
  await page.fill('input[name="token"]', token);
  await page.click('button:has-text("登录")');
  await page.waitForURL((u) => !u.pathname.startsWith("/login"));
  return page;
}

const body = (p: Page) => p.textContent("body").then((t) => t ?? "");

describe.skipIf(typeof found === "string")("交办, 签收 and 办结报告 in a browser", () => {
  it("the office opens a 督办单 through the form; the district signs for it and files its report; the office closes it", async () => {
    const office = await signedIn(f.tokens.office);
    await office.click('header a:has-text("交办")');
    await office.click('a:has-text("督办单")');
    expect(await office.locator('input[name="due"]').count()).toBe(0);
    await office.fill('input[name="title"]', "关于某建筑工地拖欠农民工工资的督办单");
    await office.selectOption('select[name="to"]', "north");
    await office.selectOption('select[name="level"]', "特急");
    // A required field left empty: the browser stops the form before it is sent (the attribute mirrors the engine).
    await office.click('button:has-text("交办")');
    expect(office.url()).toContain("/open/dubandan");
    await office.fill('textarea[name="f.basis"]', "市领导批示：限期解决");
    await office.selectOption('select[name="f.category"]', "欠薪");
    await office.click('button:has-text("交办")');
    await office.waitForSelector("text=已交办。");
    expect(office.url()).toContain("/items/dubandan-001");
    const opened = await body(office);
    expect(opened).toContain("督办单 第 1 号");
    expect(opened).toContain("特急");
    expect(opened).toContain("待签收");
    expect(opened).toContain("市领导批示：限期解决");

    const north = await signedIn(f.tokens.north);
    const card = north.locator('[id="dubandan-001"]');
    expect(await card.textContent()).toContain("待签收");
    await card.locator('textarea[name="note"]').first().fill("已收到，由劳动监察大队承办");
    await card.locator('button:has-text("签收")').click();
    await north.waitForSelector("text=已签收。");
    expect(await body(north)).toMatch(/签收：已签收（2021-05-10/);
    // Signed for: no second 签收 button, the report form remains.
    expect(await north.locator('form[action$="/acknowledge"]').count()).toBe(0);

    const dir = mkdtempSync(join(tmpdir(), "duban-report-"));
    const pdf = join(dir, "工资支付凭证.pdf");
    writeFileSync(pdf, "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n");
    const report = north.locator('form[action$="/submit"]');
    expect(await report.textContent()).toContain("办结报告");
    await report.locator('textarea[name="note"]').fill("已督促企业足额支付 23 名农民工工资");
    await report.locator('input[type="file"]').setInputFiles(pdf);
    await report.locator('button:has-text("提交办结报告")').click();
    await north.waitForSelector("text=已报送。");
    const filed = await body(north);
    expect(filed).toContain("已报送待审核");
    expect(filed).toContain("工资支付凭证.pdf");
    expect(await north.locator('form[action$="/accept"]').count()).toBe(0);

    await office.goto(`${f.server.url}/items/dubandan-001`);
    await office.locator('form[action$="/accept"] textarea[name="note"]').fill("同意销号");
    await office.locator('form[action$="/accept"] button').click();
    await office.waitForSelector("text=已通过。");
    const trail = await office.locator("ul.trail").textContent();
    for (const step of ["交办", "签收", "报送", "审核通过", "已收到，由劳动监察大队承办", "同意销号", "hq-wang", "north-li"]) expect(trail).toContain(step);
  });

  it("the office opens a joint 整改 item with a date it gives; the board shows one row with both members", async () => {
    const office = await signedIn(f.tokens.office);
    await office.goto(`${f.server.url}/open/rectify`);
    const due = office.locator('input[name="due"]');
    expect(await due.getAttribute("min")).toBe("2021-05-11");
    expect(await due.getAttribute("max")).toBe("2021-07-06");
    expect(await due.inputValue()).toBe("2021-05-24");
    await office.fill('input[name="title"]', "某人力资源公司违规收费整改");
    await office.selectOption('select[name="to"]', "north");
    await office.check('input[type="checkbox"][value="south"]');
    await office.fill('input[name="f.agency"]', "某人力资源公司");
    await office.fill('textarea[name="f.problem"]', "未公示收费标准，超标准收费");
    await office.fill('input[name="f.deadline"]', "2021-05-20");
    await office.click('button:has-text("交办")');
    await office.waitForSelector("text=已交办。");
    expect(await body(office)).toContain("北区（牵头）、南区");

    await office.goto(`${f.server.url}/?kind=rectify`);
    const rows = office.locator("table.opened tbody tr");
    expect(await rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain("北区（牵头）、南区");
    // Only opened items under this filter: the matrix of the plan's items is not shown.
    expect(await office.locator("table.matrix").count()).toBe(0);

    // The same agency again: the engine refuses (its key), and the form comes back with the reason and
    // everything typed, so nothing has to be typed twice.
    await office.goto(`${f.server.url}/open/rectify`);
    await office.fill('input[name="title"]', "同一机构再次整改");
    await office.selectOption('select[name="to"]', "south");
    await office.fill('input[name="f.agency"]', "某人力资源公司");
    await office.fill('textarea[name="f.problem"]', "再次发现违规");
    await office.click('button:has-text("交办")');
    await office.waitForSelector("text=未能交办");
    expect(await body(office)).toContain("已有同一事项（某人力资源公司）");
    expect(await office.inputValue('input[name="title"]')).toBe("同一机构再次整改");
    expect(await office.inputValue('select[name="to"]')).toBe("south");
    expect(await office.inputValue('textarea[name="f.problem"]')).toBe("再次发现违规");
    expect(f.campaign.board().filter((r) => r.kind === "rectify")).toHaveLength(1);
  });

  it("a district opens a 一事一报 for itself and reports 续报, then 终报", async () => {
    const north = await signedIn(f.tokens.north);
    await north.goto(`${f.server.url}/open`);
    expect(await north.locator('a:has-text("督办单")').count()).toBe(0);
    await north.click('a:has-text("新情况新问题报告")');
    expect(await body(north)).toContain("承办单位：北区");
    await north.fill('input[name="title"]', "某工地农民工聚集讨薪");
    await north.fill('input[name="f.what"]', "约 30 人聚集，已到场处置");
    await north.click('button:has-text("交办")');
    await north.waitForSelector("text=已交办。");

    const report = north.locator('form[action$="/submit"]');
    expect(await report.locator('input[name="report"][value="interim"]').isChecked()).toBe(true);
    await report.locator('textarea[name="note"]').fill("续报：已支付一半");
    await report.locator('button:has-text("报告")').click();
    await north.waitForSelector("text=已报送。");
    expect(await body(north)).toContain("已续报 1 次");
    expect(await north.locator("ul.trail").textContent()).toContain("续报");

    await north.locator('form[action$="/submit"] input[name="report"][value="final"]').check();
    await north.locator('form[action$="/submit"] textarea[name="note"]').fill("终报：已全部支付");
    await north.locator('form[action$="/submit"] button:has-text("报告")').click();
    await north.waitForSelector("text=已报送。");
    expect(await body(north)).toContain("已报送待审核");
    expect(await north.locator("ul.trail").textContent()).toContain("终报");
    // Its own report is closed by the office, never by itself.
    expect(await north.locator('form[action$="/accept"]').count()).toBe(0);
  });
});

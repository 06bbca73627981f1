import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHINESE_FONT_HINT, findChromium, hasChineseFont, launch } from "../browser.ts";
import { startFixture, type Fixture } from "./setup.ts";

const found = await findChromium();
if (typeof found === "string") {
  if (process.env.DUBAN_REQUIRE_BROWSER === "1") throw new Error(`DUBAN_REQUIRE_BROWSER=1 but there is no Chromium to drive: ${found}`);
  console.warn(`\n!!! SKIPPING the browser tests: ${found}.\n!!! Install Debian's chromium or set DUBAN_CHROMIUM; set DUBAN_REQUIRE_BROWSER=1 to make this a failure.\n`);
} else {
  console.log(`browser tests: ${found.source} Chromium at ${found.executablePath}`);
  // The assertions read the DOM, not pixels: boxes for Chinese glyphs fail nothing, but say so.
  if (hasChineseFont() === false) console.warn(`browser tests: no font with Chinese glyphs; pages render boxes (${CHINESE_FONT_HINT})`);
}

let f: Fixture;
let browser: Browser;

beforeAll(async () => {
  if (typeof found === "string") return;
  browser = await launch(found);
  f = await startFixture();
});
afterAll(async () => {
  await browser?.close();
  await f?.close();
});

async function signedIn(token: string): Promise<Page> {
  // A phone-sized screen: the pages must work there.
  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: "zh-CN" });
  const page = await ctx.newPage();
  await page.goto(`${f.server.url}/login`);
  await page.fill('input[name="token"]', token);
  await page.click('button:has-text("登录")');
  return page;
}

describe.skipIf(typeof found === "string")("the web workspace in a browser", () => {
  it("district submits with an attachment, office returns with a comment, district sees it; districts stay in their lane", async () => {
    const district = await signedIn(f.tokens.yuzhong);
    await expect.poll(() => district.url()).toContain("/units/yuzhong");
    await district.waitForSelector("text=渝中区人力社保局");

    const dir = mkdtempSync(join(tmpdir(), "duban-upload-"));
    const pdf = join(dir, "实施方案.pdf");
    writeFileSync(pdf, "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n");
    const card = district.locator('[id="self-inspection-report/yuzhong"]');
    await card.locator('textarea[name="note"]').fill("自查自纠情况见附件");
    await card.locator('input[type="file"]').setInputFiles(pdf);
    await card.locator('button:has-text("报送")').click();
    await district.waitForSelector("text=已报送。");
    expect(await district.textContent("body")).toContain("实施方案.pdf");
    expect(await district.textContent("body")).toContain("已报送待审核");
    // The office's actions are not offered to the district.
    expect(await district.locator('form[action$="/return"]').count()).toBe(0);
    expect(await district.locator('form[action$="/accept"]').count()).toBe(0);

    const office = await signedIn(f.tokens.office);
    await office.goto(`${f.server.url}/items/self-inspection-report/yuzhong`);
    await office.locator('form[action$="/return"] textarea[name="note"]').fill("请补充机构清单和整改台账");
    await office.locator('form[action$="/return"] button').click();
    await office.waitForSelector("text=已退回。");
    expect(await office.textContent("body")).toContain("已退回待重报");

    await district.goto(`${f.server.url}/units/yuzhong`);
    const comment = district.locator('[id="self-inspection-report/yuzhong"] .comment');
    expect(await comment.textContent()).toContain("请补充机构清单和整改台账");
    expect(await comment.textContent()).toContain("领导小组办公室");

    const res = await district.goto(`${f.server.url}/items/self-inspection-report/fuling`);
    expect(res!.status()).toBe(403);
    expect(await district.textContent("body")).toContain("无权查看");
    const unitRes = await district.goto(`${f.server.url}/units/fuling`);
    expect(unitRes!.status()).toBe(403);

    // Posting the office's action by hand (with a valid CSRF token) is refused by the plan's rules.
    await district.goto(`${f.server.url}/items/self-inspection-report/yuzhong`);
    const csrf = await district.locator('input[name="_csrf"]').first().getAttribute("value");
    const forged = await district.request.post(`${f.server.url}/items/self-inspection-report/yuzhong/accept`, { form: { _csrf: csrf!, note: "自己通过" } });
    expect(forged.status()).toBe(403);
    expect(await forged.text()).toContain("无权通过");
  });

  it("shows the board with filters and the auditor's replay", async () => {
    const auditor = await signedIn(f.tokens.auditor);
    await auditor.goto(`${f.server.url}/?phase=self-inspection&overdue=1`);
    expect(await auditor.textContent("h1")).toContain("督办看板");
    await auditor.goto(`${f.server.url}/replay?asOf=2021-05-10T09:00`);
    expect(await auditor.textContent("body")).toContain("由事件日志重算得出");
    expect(await auditor.locator('form[action$="/submit"]').count()).toBe(0);
  });
});

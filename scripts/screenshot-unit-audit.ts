// Renders docs/unit.png (a district's page on a phone), docs/verify.png and docs/verify-run.png (the auditor's
// log check): the Chongqing campaign mid-way (2021-06-20), from a store built by the time-lapse demo, in the
// Chromium the tests use (test/browser.ts finds it). Run: node --import tsx scripts/screenshot-unit-audit.ts
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { openSidecar } from "../src/access/open.ts";
import { addUser } from "../src/access/users.ts";
import { Campaign } from "../src/campaign/campaign.ts";
import { runDemo } from "../src/demo/demo.ts";
import { SqliteStore } from "../src/store/sqlite.ts";
import { startServer } from "../src/web/server.ts";
import { CHINESE_FONT_HINT, findChromium, hasChineseFont, launch } from "../test/browser.ts";

const found = await findChromium();
if (typeof found === "string") {
  console.error(`screenshot: no Chromium to drive: ${found}`);
  process.exit(1);
}
if (hasChineseFont() === false) {
  console.error(`screenshot: no font with Chinese glyphs (${CHINESE_FONT_HINT})`);
  process.exit(1);
}

const asOf = Date.parse("2021-06-20T15:00:00+08:00");
const dir = mkdtempSync(join(tmpdir(), "duban-shot-"));

async function signIn(browser: Browser, url: string, token: string, width: number, height: number) {
  const page = await browser.newPage({ viewport: { width, height }, locale: "zh-CN", deviceScaleFactor: width < 500 ? 2 : 1 });
  await page.goto(`${url}/login`);
  await page.fill('input[name="token"]', token);
  await page.click('button:has-text("登录")');
  await page.waitForLoadState();
  return page;
}

try {
  const demo = await runDemo({ plan: "plans/chongqing-2021.yaml", dir, to: "2021-06-20", log: () => {} });
  const store = new SqliteStore(demo.db);
  const campaign = await Campaign.open(store);
  const sidecar = await openSidecar(store);
  const district = (await addUser(campaign, sidecar.access, { name: "yuzhong-zhang", unit: "yuzhong", role: "unit" }, asOf)).token;
  const auditor = (await addUser(campaign, sidecar.access, { name: "audit-1", unit: "bureau", role: "auditor" }, asOf)).token;
  // Batches of 200 events: the check of this small log shows its progress as a large one's would.
  const server = await startServer({ campaign, sidecar, port: 0, now: () => asOf, auditBatchSize: 200 });
  const browser = await launch(found);
  try {
    const phone = await signIn(browser, server.url, district, 390, 844);
    await phone.goto(`${server.url}/units/yuzhong`);
    await phone.screenshot({ path: "docs/unit.png", fullPage: true });
    console.log("docs/unit.png: 渝中区's page on a phone at 2021-06-20 15:00");
    const desk = await signIn(browser, server.url, auditor, 1280, 900);
    await desk.goto(`${server.url}/verify`);
    await desk.screenshot({ path: "docs/verify.png", fullPage: true });
    await desk.click('table.heads a:has-text("按此核验")');
    await desk.waitForSelector("#result");
    await desk.screenshot({ path: "docs/verify-run.png", fullPage: true });
    console.log(`docs/verify.png, docs/verify-run.png: the auditor's log check, ${demo.events} events`);
  } finally {
    await browser.close();
    await server.close();
    sidecar.close();
    await store.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

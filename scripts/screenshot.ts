// Renders docs/board.png, docs/board-phone.png (390 px wide) and docs/stats.png: the Chongqing board and statistics mid-campaign (2021-06-20), from a store built by the
// time-lapse demo, in the Chromium the tests use (test/browser.ts finds it). Run: node --import tsx scripts/screenshot.ts
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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
// A picture for the README with boxes for every Chinese character is worse than none.
if (hasChineseFont() === false) {
  console.error(`screenshot: no font with Chinese glyphs (${CHINESE_FONT_HINT})`);
  process.exit(1);
}

const asOf = Date.parse("2021-06-20T15:00:00+08:00");
const dir = mkdtempSync(join(tmpdir(), "duban-shot-"));
try {
  const demo = await runDemo({ plan: "plans/chongqing-2021.yaml", dir, to: "2021-06-20", log: () => {} });
  const store = new SqliteStore(demo.db);
  const campaign = await Campaign.open(store);
  const sidecar = await openSidecar(store);
  const { token } = await addUser(campaign, sidecar.access, { name: "liu", unit: "liu-qingqing", role: "office" }, asOf);
  const server = await startServer({ campaign, sidecar, port: 0, now: () => asOf });
  const browser = await launch(found);
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: "zh-CN", deviceScaleFactor: 1 });
    await page.goto(`${server.url}/login`);
    await page.fill('input[name="token"]', token);
    await page.click('button:has-text("登录")');
    await page.goto(`${server.url}/`);
    await page.screenshot({ path: "docs/board.png", fullPage: true });
    console.log(`docs/board.png: board at 2021-06-20 15:00, ${demo.events} events`);
    // The same board on a phone, as a district clerk or the office opens a link from WeCom/DingTalk.
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, locale: "zh-CN", deviceScaleFactor: 2 });
    await phone.goto(`${server.url}/login`);
    await phone.fill('input[name="token"]', token);
    await phone.click('button:has-text("登录")');
    await phone.goto(`${server.url}/?overdue=1`);
    await phone.screenshot({ path: "docs/board-phone.png", fullPage: true, clip: { x: 0, y: 0, width: 390, height: 1900 } });
    console.log("docs/board-phone.png: the overdue view on a 390 px phone");
    await page.goto(`${server.url}/stats`);
    await page.waitForSelector("html[data-charts]");
    await page.screenshot({ path: "docs/stats.png", fullPage: true });
    console.log("docs/stats.png: statistics page at 2021-06-20 15:00");
  } finally {
    await browser.close();
    await server.close();
    sidecar.close();
    await store.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openSidecar, type Sidecar } from "../../src/access/open.ts";
import { addUser } from "../../src/access/users.ts";
import type { Campaign } from "../../src/campaign/campaign.ts";
import { cellText, STATS_COLUMNS } from "../../src/publish/stats-text.ts";
import type { Statistics } from "../../src/publish/stats.ts";
import { startServer, type RunningServer } from "../../src/web/server.ts";
import { findChromium, launch } from "../browser.ts";
import { cst } from "../helpers.ts";
import { initCampaign, playStory } from "../publish/fixture.ts";

const found = await findChromium();
if (typeof found === "string") {
  if (process.env.DUBAN_REQUIRE_BROWSER === "1") throw new Error(`DUBAN_REQUIRE_BROWSER=1 but there is no Chromium to drive: ${found}`);
  console.warn(`\n!!! SKIPPING the statistics page browser test: ${found}.\n`);
}

let server: RunningServer;
let campaign: Campaign;
let sidecar: Sidecar;
let closeStore: () => Promise<void>;
let browser: Browser;
let token = "";

beforeAll(async () => {
  if (typeof found === "string") return;
  const r = await initCampaign();
  campaign = r.c;
  closeStore = r.close;
  await playStory(campaign);
  sidecar = await openSidecar(campaign.store);
  const now = cst("2021-07-20T12:00");
  token = (await addUser(campaign, sidecar.access, { name: "office", unit: "hq", role: "office" }, now)).token;
  server = await startServer({ campaign, sidecar, port: 0, host: "127.0.0.1", now: () => now });
  browser = await launch(found);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  sidecar?.close();
  await closeStore?.();
});

async function signedIn(): Promise<Page> {
  // A phone-sized screen: the page must work there.
  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: "zh-CN" });
  const page = await ctx.newPage();
  await page.goto(`${server.url}/login`);
  await page.fill('input[name="token"]', token);
  await page.click('button:has-text("登录")');
  return page;
}

describe.skipIf(typeof found === "string")("the statistics page in a browser", () => {
  it("draws every chart with ECharts and shows the numbers of /api/stats in its table", async () => {
    const page = await signedIn();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    await page.click('header a:has-text("统计")');
    await page.waitForURL(/\/stats$/);
    await page.selectOption('select[name="by"]', "deliverable");
    await page.click('button:has-text("查看")');
    await page.waitForSelector("html[data-charts]");
    // Nothing refused by the Content-Security-Policy, no script error.
    expect(errors).toEqual([]);

    const charts = await page.$$eval("div.chart", (nodes) =>
      nodes.map((n) => {
        const canvas = n.querySelector("canvas");
        // Runs in the page (the tests compile without the DOM's types).
        const e = (globalThis as unknown as { echarts: { getInstanceByDom(node: typeof n): unknown } }).echarts;
        return { id: n.id, instance: e.getInstanceByDom(n) !== undefined, w: canvas?.getBoundingClientRect().width ?? 0, h: canvas?.getBoundingClientRect().height ?? 0 };
      }),
    );
    // On-time rate, overdue over time, and one cumulative chart per deliverable with something due.
    expect(charts.map((c) => c.id)).toEqual(["chart-rate", "chart-overdue", "chart-cum-0", "chart-cum-1"]);
    for (const c of charts) {
      expect(c.instance, c.id).toBe(true);
      expect(c.w, c.id).toBeGreaterThan(100);
      expect(c.h, c.id).toBeGreaterThan(100);
    }
    // The page fits a phone: no sideways scrolling of the whole page.
    expect(await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

    const api = (await (await page.request.get(`${server.url}/api/stats?by=deliverable`)).json()) as Statistics;
    const table = await page.$$eval("#stats-table tbody tr", (rows) => rows.map((r) => [r.querySelector("th")!.textContent, ...[...r.querySelectorAll("td")].map((td) => td.textContent)]));
    expect(table).toEqual([...api.lines, api.total].map((l) => [l.name, ...STATS_COLUMNS.map((c) => cellText(l, c.key))]));
  });
});

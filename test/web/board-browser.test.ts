/// <reference lib="dom" />
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findChromium, launch } from "../browser.ts";
import { cst } from "../helpers.ts";
import { boardStory } from "./board-setup.ts";
import { startFixture, type Fixture } from "./setup.ts";

// The office's board in Chromium, as 刘青青 reads it at a desk and on a phone (issue 13, "The office's board").
const found = await findChromium();
if (typeof found === "string") {
  if (process.env.DUBAN_REQUIRE_BROWSER === "1") throw new Error(`DUBAN_REQUIRE_BROWSER=1 but there is no Chromium to drive: ${found}`);
  console.warn(`\n!!! SKIPPING the board browser tests: ${found}.\n`);
}

let f: Fixture;
let browser: Browser;

beforeAll(async () => {
  if (typeof found === "string") return;
  browser = await launch(found);
  f = await startFixture();
  await boardStory(f);
});
afterAll(async () => {
  await browser?.close();
  await f?.close();
});

async function signedIn(token: string, width = 1280): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width, height: 900 }, locale: "zh-CN" });
  const page = await ctx.newPage();
  await page.goto(`${f.server.url}/login`);
  await page.fill('input[name="token"]', token);
  await page.click('button:has-text("登录")');
  await page.waitForURL((u) => !u.pathname.startsWith("/login"));
  return page;
}

/** The matrix's columns as the page shows them: number and the name under it, by the deliverable's title. */
const columns = (page: Page) =>
  page.$$eval("table.matrix thead th.col", (ths) => ths.map((th) => ({ title: th.getAttribute("title"), no: th.querySelector(".col-no")?.textContent, name: th.querySelector(".col-name")?.textContent, visible: (th.querySelector(".col-name") as HTMLElement | null)?.offsetHeight ?? 0 })));

describe.skipIf(typeof found === "string")("the office's board in a browser", () => {
  it("keeps each column's number and short name in every view, the name visible without hovering", async () => {
    const page = await signedIn(f.tokens.office);
    await page.goto(`${f.server.url}/`);
    const full = await columns(page);
    expect(full.length).toBeGreaterThan(3);
    for (const c of full) {
      expect(c.name?.length).toBeGreaterThan(0);
      expect(c.visible).toBeGreaterThan(0);
    }
    const byTitle = new Map(full.map((c) => [c.title, c.no]));
    for (const view of ["/?overdue=1", "/?phase=concentrated", "/?unit=yuzhong", `/?q=${encodeURIComponent("劳动关系")}`]) {
      await page.goto(`${f.server.url}${view}`);
      const cols = await columns(page);
      expect(cols.length, view).toBeGreaterThan(0);
      for (const c of cols) expect(c.no, `${view}: ${c.title}`).toBe(byTitle.get(c.title));
    }
    // The overdue view shows fewer columns than the full board, and still not renumbered from 1.
    await page.goto(`${f.server.url}/?phase=concentrated`);
    expect((await columns(page))[0]!.no).not.toBe("1");
  });

  it("draws an item still owed past due unlike one handed in late (the light's red and green)", async () => {
    const page = await signedIn(f.tokens.office);
    await page.goto(`${f.server.url}/`);
    const outline = (id: string) => page.$eval(`a.cell[href="/items/${id}"]`, (a) => ({ cls: a.className, colour: getComputedStyle(a).outlineColor, style: getComputedStyle(a).outlineStyle }));
    const owed = await outline("implementation-plan/dadukou");
    const closed = await outline("implementation-plan/fuling");
    const onTime = await outline("implementation-plan/yuzhong");
    expect(owed.colour).toBe("rgb(209, 36, 47)");
    expect(owed.style).toBe("solid");
    expect(closed.colour).toBe("rgb(45, 164, 78)");
    expect(closed.style).toBe("dashed");
    expect(closed.cls.split(" ")).not.toContain("late");
    expect(owed.cls.split(" ")).toContain("late");
    expect(onTime.style).toBe("none");
    expect(await page.textContent('a.cell[href="/items/implementation-plan/fuling"]')).toContain("+2");
  });

  it("shows the ladder level in the cell, filters by it and sorts the units by it", async () => {
    const page = await signedIn(f.tokens.office);
    await page.goto(`${f.server.url}/`);
    expect(await page.textContent('a.cell[href="/items/implementation-plan/dadukou"] .lv')).toBe("三级");
    expect(await page.textContent('a.cell[href="/items/implementation-plan/wanzhou"] .lv')).toBe("一级");
    expect(await page.getAttribute('a.cell[href="/items/implementation-plan/wanzhou"]', "title")).toContain("一级督办");
    await page.selectOption('select[name="level"]', "3");
    await page.click('button:has-text("筛选")');
    await page.waitForURL(/level=3/);
    const hrefs = await page.$$eval("table.matrix a.cell", (as) => as.map((a) => a.getAttribute("href")));
    expect(hrefs.length).toBeGreaterThan(0);
    expect(hrefs).not.toContain("/items/implementation-plan/wanzhou");
    expect(hrefs).toContain("/items/implementation-plan/dadukou");
    // Sorted by level: highest first, the units without an escalated item last; the matrix in the same order.
    await page.goto(`${f.server.url}/?sort=level`);
    const ranked = await page.$$eval("table.ranking tbody tr", (trs) => trs.map((tr) => [tr.getAttribute("data-unit")!, tr.children[6]!.textContent!] as const));
    const level = (t: string) => ["—", "一级督办", "二级督办", "三级督办"].indexOf(t);
    const levels = ranked.map(([, l]) => level(l));
    expect(levels[0]).toBe(3);
    expect(levels).toContain(0);
    expect(levels).toEqual([...levels].sort((a, b) => b - a));
    const matrixUnits = await page.$$eval("table.matrix tbody th.unit a", (as) => as.map((a) => decodeURIComponent(a.getAttribute("href")!.slice("/units/".length))));
    expect(matrixUnits).toEqual(ranked.map(([u]) => u).filter((u) => matrixUnits.includes(u)));
  });

  it("finds a unit by typing part of its name, and ranks the units by overdue count and on-time rate", async () => {
    const page = await signedIn(f.tokens.office);
    await page.goto(`${f.server.url}/`);
    await page.fill('input[name="q"]', "渝中");
    await page.click('button:has-text("筛选")');
    await page.waitForURL(/q=/);
    const units = await page.$$eval("table.matrix tbody th.unit", (ths) => ths.map((th) => th.textContent));
    expect(units).toEqual(["渝中区人力社保局"]);
    expect(await page.inputValue('input[name="q"]')).toBe("渝中");

    await page.goto(`${f.server.url}/`);
    const rank = await page.$$eval("table.ranking tbody tr", (trs) => trs.map((tr) => ({ unit: tr.getAttribute("data-unit"), overdue: Number(tr.children[3]!.textContent), rate: tr.children[5]!.textContent })));
    const overdue = rank.map((r) => r.overdue);
    expect(overdue).toEqual([...overdue].sort((a, b) => b - a));
    // 渝中区 handed in on time: 50% (1 of 2 come due), ahead of the districts at 0%.
    expect(rank.find((r) => r.unit === "yuzhong")!.rate).toBe("50%");
    expect(rank.findIndex((r) => r.unit === "yuzhong")).toBeGreaterThan(rank.findIndex((r) => r.unit === "dadukou"));
    await page.click('table.ranking a:has-text("按时办结率")');
    await page.waitForURL(/sort=rate/);
    const rates = await page.$$eval("table.ranking tbody tr td:nth-child(6)", (tds) => tds.map((td) => (td.textContent === "—" ? 2 : parseFloat(td.textContent!) / 100)));
    expect(rates).toEqual([...rates].sort((a, b) => a - b));
  });

  it("counts each phase over the filtered rows (单位=渝中区)", async () => {
    const page = await signedIn(f.tokens.office);
    await page.goto(`${f.server.url}/?unit=yuzhong`);
    const total = await page.$$eval("table.counts tbody tr td:nth-child(2)", (tds) => tds.reduce((n, td) => n + Number(td.textContent), 0));
    const cells = await page.locator("table.matrix a.cell").count();
    expect(total).toBe(cells);
  });

  it("works on a 390 px phone late in the campaign: no sideways page, a two-line header, phase names whole, no 404", async () => {
    f.clock.now = cst("2021-10-29T10:00");
    await f.campaign.tick(f.clock.now);
    const page = await signedIn(f.tokens.office, 390);
    const missing: string[] = [];
    page.on("response", (r) => {
      if (r.status() === 404) missing.push(r.url());
    });
    for (const path of ["/", "/?overdue=1", "/units/yuzhong"]) {
      await page.goto(`${f.server.url}${path}`);
      expect(await page.evaluate(() => document.documentElement.scrollWidth), path).toBeLessThanOrEqual(390);
      // The header: the campaign's title on one line, the navigation on one more.
      const lines = await page.evaluate(() => {
        const lh = (el: Element) => parseFloat(getComputedStyle(el).lineHeight);
        const title = document.querySelector("header .title")!;
        const nav = document.querySelector("header nav")!;
        return { title: title.getBoundingClientRect().height / lh(title), nav: nav.getBoundingClientRect().height / lh(nav) };
      });
      expect(lines.title, path).toBeLessThan(1.5);
      expect(lines.nav, path).toBeLessThan(2);
    }
    await page.goto(`${f.server.url}/`);
    const names = await page.$$eval(".gantt .g-name", (els) => {
      const box = document.querySelector(".gantt")!.getBoundingClientRect();
      return els.map((e) => ({ text: e.textContent, clipped: e.scrollWidth > e.clientWidth, inside: e.getBoundingClientRect().right <= box.right + 0.5 }));
    });
    expect(names.map((n) => n.text)).toEqual(expect.arrayContaining([expect.stringContaining("自查阶段"), expect.stringContaining("集中整治阶段"), expect.stringContaining("总结评估阶段")]));
    for (const n of names) expect(n, n.text!).toMatchObject({ clipped: false, inside: true });
    const today = await page.$eval(".g-now span", (s) => ({ text: s.textContent, right: s.getBoundingClientRect().right, left: s.getBoundingClientRect().left }));
    expect(today.text).toContain("今天");
    expect(today.right).toBeLessThanOrEqual(390);
    expect(today.left).toBeGreaterThanOrEqual(0);
    expect(missing).toEqual([]);
  });
});

import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findChromium, launch } from "../browser.ts";
import { startFixture, type Fixture } from "./setup.ts";

// The security rules of issue 13 as Chromium meets them: its own Origin and Sec-Fetch-Site headers.

const found = await findChromium();
if (typeof found === "string") console.warn(`\n!!! SKIPPING the security browser tests: ${found}.\n`);

let f: Fixture;
let browser: Browser;
let evil: http.Server;
let evilUrl = "";

beforeAll(async () => {
  if (typeof found === "string") return;
  browser = await launch(found);
  f = await startFixture();
  // Another site: `localhost` is not `127.0.0.1` to a browser. Its page posts a sign-in form to the workspace.
  evil = http.createServer((_req, res) => {
    res.setHeader("content-type", "text/html; charset=utf-8");
    res.end(`<form id="f" method="post" action="${f.server.url}/login"><input name="token" value="${f.tokens.fuling}"><input name="_csrf" value="planted"></form><script>document.getElementById("f").submit()</script>`);
  });
  await new Promise<void>((r) => evil.listen(0, "127.0.0.1", () => r()));
  evilUrl = `http://localhost:${(evil.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  await browser?.close();
  await new Promise<void>((r) => (evil ? evil.close(() => r()) : r()));
  await f?.close();
});

describe.skipIf(typeof found === "string")("the workspace's security in a browser", () => {
  it("keeps the board's filters through sign-in, and signs out through the page's own form", async () => {
    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: "zh-CN" });
    const page = await ctx.newPage();
    await page.goto(`${f.server.url}/?unit=yuzhong&overdue=1`);
    expect(new URL(page.url()).pathname).toBe("/login");
    await page.fill('input[name="token"]', f.tokens.office);
    await page.click('button:has-text("登录")');
    await expect.poll(() => page.url()).toBe(`${f.server.url}/?unit=yuzhong&overdue=1`);
    // The sign-out form is a same-origin POST: Chromium's Origin header passes the cross-site check.
    await page.click('button:has-text("退出")');
    await expect.poll(() => new URL(page.url()).pathname).toBe("/login");
    expect((await ctx.request.get(`${f.server.url}/api/me`)).status()).toBe(401);
    await ctx.close();
  });

  it("refuses a sign-in form another site submits, before looking at its token", async () => {
    const ctx = await browser.newContext({ locale: "zh-CN" });
    const page = await ctx.newPage();
    const head = (await f.store.head()).seq;
    await page.goto(evilUrl);
    await page.waitForSelector("text=拒绝来自其他网站的提交");
    expect(await page.textContent("body")).toContain("CSRF_CROSS_SITE");
    const types: string[] = [];
    for await (const e of f.store.read({ fromSeq: head + 1 })) types.push(e.type);
    expect(types).not.toContain("signedIn");
    expect((await ctx.cookies()).some((c) => c.name.includes("duban_session"))).toBe(false);
    await ctx.close();
  });
});

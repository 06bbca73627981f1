import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openSidecar, type Sidecar } from "../../src/access/open.ts";
import { addUser } from "../../src/access/users.ts";
import type { Campaign } from "../../src/campaign/campaign.ts";
import { addCampaign } from "../../src/campaign/campaigns.ts";
import { openStore } from "../../src/store/open.ts";
import type { EventStore } from "../../src/store/store.ts";
import { startServer, type RunningServer } from "../../src/web/server.ts";
import { findChromium, launch } from "../browser.ts";
import { otherCampaignPlan } from "../campaign/plans.ts";
import { tempDir } from "../delivery/support.ts";
import { cst } from "../helpers.ts";

const CQ = "cq-labour-intermediary-2021";
const WAGE = "cq-wage-arrears-2021";
const found = await findChromium();

let store: EventStore;
let sidecar: Sidecar;
let server: RunningServer;
let cq: Campaign;
let wage: Campaign;
const tokens: Record<string, string> = {};
const now = cst("2021-05-18T10:00");

beforeAll(async () => {
  store = await openStore(`${tempDir("duban-web-campaigns-")}/s.db`);
  cq = await addCampaign(store, "plans/chongqing-2021.yaml", cst("2021-04-28T10:00"));
  wage = await addCampaign(store, otherCampaignPlan(WAGE, "重庆市根治欠薪专项行动", { extraUnit: "wage-office" }), cst("2021-04-28T10:00"));
  await cq.tick(now);
  await wage.tick(now);
  sidecar = await openSidecar(store);
  // Accounts belong to the store: yuzhong's one token serves both campaigns; wage-office is in one only.
  tokens.yuzhong = (await addUser(cq, sidecar.access, { name: "yuzhong-zhang", unit: "yuzhong" }, now)).token;
  tokens.wage = (await addUser(wage, sidecar.access, { name: "wage-wang", unit: "wage-office" }, now)).token;
  server = await startServer({ campaigns: [cq, wage], sidecar, port: 0, now: () => now });
}, 60_000);
afterAll(async () => {
  await server?.close();
  sidecar?.close();
  await store?.close();
});

const get = (path: string, token: string, headers: Record<string, string> = {}) => fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${token}`, ...headers }, redirect: "manual" });

describe("one web front for every campaign of a store", () => {
  it("serves each campaign by name, and a unit only the campaigns where it has a role", async () => {
    const yzCq = await get(`/api/board?campaign=${CQ}`, tokens.yuzhong!);
    expect(yzCq.status).toBe(200);
    const yzWage = await get("/api/units/yuzhong", tokens.yuzhong!, { "x-duban-campaign": WAGE });
    expect(yzWage.status).toBe(200);

    // wage-office's pages go to its only campaign, without naming it.
    const home = await get("/", tokens.wage!);
    expect(home.status).toBe(200);
    const text = await home.text();
    expect(text).toContain("重庆市根治欠薪专项行动");
    expect(text).not.toContain("重庆市劳务中介专项整治行动");

    // Acting in a campaign where its unit has no role: refused in Chinese, nothing done.
    const headBefore = await cq.store.head();
    const page = await get(`/?campaign=${CQ}`, tokens.wage!);
    expect(page.status).toBe(403);
    expect(await page.text()).toContain("wage-office 在专项行动“重庆市劳务中介专项整治行动”中没有职责，不能查看或办理其事项；本单位参与的专项行动：重庆市根治欠薪专项行动（cq-wage-arrears-2021）");
    const act = await fetch(`${server.url}/api/items/implementation-plan/yuzhong/submit?campaign=${CQ}`, { method: "POST", headers: { authorization: `Bearer ${tokens.wage}`, "content-type": "application/json" }, body: "{}" });
    expect(act.status).toBe(403);
    expect(await act.json()).toMatchObject({ error: { code: "NOT_A_MEMBER" } });
    // The refusal is recorded in that campaign's log, and nothing else.
    const after: { type: string; payload: unknown }[] = [];
    for await (const e of cq.store.read({ fromSeq: headBefore.seq + 1 })) after.push(e);
    expect(after.every((e) => e.type === "requestRefused")).toBe(true);
    // With the client's address, which the front must hand on to the campaign's app with the socket.
    expect(after[0]!.payload).toMatchObject({ address: expect.stringMatching(/127\.0\.0\.1/) });

    const unknown = await get("/?campaign=nope", tokens.yuzhong!);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { message: string } }).error.message).toContain("此存储中没有专项行动 nope");
  });

  it("serves a campaign's calendar feed at the URL it hands out, and its items link back to that campaign", async () => {
    const { issueFeedToken } = await import("../../src/publish/feed-log.ts");
    const token = await issueFeedToken(wage, "yuzhong", now);
    const at = (q: string) => fetch(`${server.url}/units/yuzhong/calendar.ics?${q}token=${encodeURIComponent(token)}`);
    const named = await at(`campaign=${WAGE}&`);
    expect(named.status).toBe(200);
    const ics = await named.text();
    expect(ics).toContain("BEGIN:VCALENDAR");
    expect(ics.replace(/\r\n[ \t]/g, "")).toContain(`/items/implementation-plan/yuzhong?campaign=${WAGE}`);
    // Without the name the front cannot tell which campaign's token it is.
    expect((await at("")).status).not.toBe(200);
  });

  it.skipIf(typeof found === "string")("shows a signed-in district a switcher between its campaigns, in a browser", { timeout: 60_000 }, async () => {
    const browser = await launch(found as Exclude<typeof found, string>);
    try {
      const ctx = await browser.newContext({ locale: "zh-CN" });
      const p = await ctx.newPage();
      await p.goto(`${server.url}/login`);
      await p.fill('input[name="token"]', tokens.yuzhong!);
      await p.click('button:has-text("登录")');
      await p.waitForSelector("header .switcher");
      expect(await p.textContent("header .title")).toBe("重庆市劳务中介专项整治行动");
      expect(await p.textContent("header .switcher strong")).toBe("重庆市劳务中介专项整治行动");
      await p.click('header .switcher a:has-text("重庆市根治欠薪专项行动")');
      await p.waitForSelector('header .title:has-text("重庆市根治欠薪专项行动")');
      // The choice holds for the pages that follow.
      await p.goto(`${server.url}/units/yuzhong`);
      expect(await p.textContent("header .title")).toBe("重庆市根治欠薪专项行动");
      expect(await p.textContent("body")).toContain("渝中区人力社保局");

      // wage-office is in one campaign: no switcher.
      const q = await (await browser.newContext({ locale: "zh-CN" })).newPage();
      await q.goto(`${server.url}/login`);
      await q.fill('input[name="token"]', tokens.wage!);
      await q.click('button:has-text("登录")');
      await q.waitForSelector("header nav span");
      expect(await q.textContent("header .title")).toBe("重庆市根治欠薪专项行动");
      expect(await q.locator("header .switcher").count()).toBe(0);
    } finally {
      await browser.close();
    }
  });
});

describe("a campaign added while the web front runs", () => {
  it("is served, with the switcher, once the front has asked the store again; no restart", async () => {
    const s = await openStore(`${tempDir("duban-web-discover-")}/s.db`);
    const only = await addCampaign(s, "plans/chongqing-2021.yaml", cst("2021-04-28T10:00"));
    const side = await openSidecar(s);
    const token = (await addUser(only, side.access, { name: "yuzhong-li", unit: "yuzhong" }, now)).token;
    const { allCampaigns } = await import("../../src/campaign/campaigns.ts");
    const { Campaign } = await import("../../src/campaign/campaign.ts");
    let asked = 0;
    const discover = async (known: ReadonlySet<string>) => {
      asked++;
      return Promise.all((await allCampaigns(s)).filter((x) => !known.has(x.record.id)).map((x) => Campaign.open(x.log)));
    };
    const front = await startServer({ campaigns: [only], sidecar: side, port: 0, now: () => now, discover, watchMs: 20, signInFailuresPerAddress: 3 });
    try {
      const ask = (id: string) => fetch(`${front.url}/api/board?campaign=${id}`, { headers: { authorization: `Bearer ${token}` } });
      const wrong = (i: number) => fetch(`${front.url}/api/board`, { headers: { authorization: `Bearer wrong-${i}` } });
      expect((await (await fetch(`${front.url}/`, { headers: { authorization: `Bearer ${token}` } })).text())).not.toContain(WAGE);
      // A guesser's refused tokens before the new campaign arrives...
      for (let i = 0; i < 3; i++) expect((await wrong(i)).status).toBe(401);
      await addCampaign(s, otherCampaignPlan(), cst("2021-04-28T10:00"));
      const since = asked;
      await expect.poll(() => asked, { timeout: 5_000 }).toBeGreaterThan(since + 1);
      expect((await ask(WAGE)).status).toBe(200);
      expect((await ask(CQ)).status).toBe(200);
      const home = await (await fetch(`${front.url}/`, { headers: { authorization: `Bearer ${token}` } })).text();
      expect(home).toContain(`/switch?to=${WAGE}`);
      // ...still count after it: the front took the campaign up beside the running apps, not by a rebuild.
      expect((await wrong(3)).status).toBe(429);
    } finally {
      await front.close();
      side.close();
      await s.close();
    }
  }, 60_000);
});

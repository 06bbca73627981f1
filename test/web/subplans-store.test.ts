import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { simpleParser } from "mailparser";
import { afterEach, describe, expect, it } from "vitest";
import { openSidecar } from "../../src/access/open.ts";
import { addUser } from "../../src/access/users.ts";
import { Campaign } from "../../src/campaign/campaign.ts";
import { allCampaigns } from "../../src/campaign/campaigns.ts";
import { main } from "../../src/cli/main.ts";
import { openStore } from "../../src/store/open.ts";
import { startServer } from "../../src/web/server.ts";
import { cityRequiringSubPlans, JIANGBEI, YUZHONG } from "../campaign/subplans-suite.ts";
import { otherCampaignPlan } from "../campaign/plans.ts";
import { tempDir } from "../delivery/support.ts";
import { findChromium, launch } from "../browser.ts";
import { pgSchema, pgSpec, pgUnavailable } from "../pg.ts";
import { captureIo, cst } from "../helpers.ts";

const CQ = "cq-labour-intermediary-2021";
const WAGE = "cq-wage-arrears-2021";
const YZ = "cq-labour-intermediary-2021-yuzhong";
const JB = "cq-labour-intermediary-2021-jiangbei";
const found = await findChromium();

async function duban(db: string, ...args: string[]) {
  const io = captureIo();
  const code = await main(["node", "duban", "--db", db, ...args], io);
  return { code, out: io.stdout, err: io.stderr };
}

const backends: [string, () => string, boolean][] = [
  ["SQLite", () => join(tempDir("duban-subplans-store-"), "s.db"), false],
  ["PostgreSQL", () => pgSpec(pgSchema()), Boolean(pgUnavailable)],
];

/**
 * Issue 14's "Done when" for sub-plans: one store runs the Chongqing campaign, a second campaign from
 * another plan file and two district sub-plans under the Chongqing one, through the command line, the
 * daemon (`run --once`) and the web front.
 */
describe.each(backends)("the Chongqing campaign, another campaign and two district sub-plans in one %s store", (_name, spec, skip) => {
  const closers: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c();
  });

  it.skipIf(skip)("runs them through the command line, the daemon and the web, rolling the sub-plans up to the city", { timeout: 120_000 }, async () => {
    const db = spec();
    const at = (local: string) => ["--now", `${local}+08:00`];
    for (const file of [cityRequiringSubPlans(), otherCampaignPlan(), YUZHONG, JIANGBEI]) {
      const r = await duban(db, ...at("2021-04-28T10:00"), "init", file);
      expect(r.code, r.err).toBe(0);
    }
    const listed = await duban(db, ...at("2021-05-13T10:00"), "campaigns");
    expect(listed.out).toContain(`${YZ}\t进行中\t渝中区劳务中介专项整治行动（自查阶段）`);
    expect(listed.out).toContain(`上级行动 ${CQ}（事项 implementation-plan/yuzhong）`);
    expect(listed.out).toContain(`上级行动 ${CQ}（单位 jiangbei）`);
    expect(listed.out).not.toMatch(new RegExp(`${WAGE}[^\\n]*上级行动`));

    // 渝中区's streets at work; by 05-13 three of them are late with the 底数 of 05-12.
    const yz = (...args: string[]) => duban(db, "--campaign", YZ, ...args);
    expect((await yz(...at("2021-05-11T10:00"), "submit", "agency-survey/jiefangbei", "--as", "jiefangbei")).code).toBe(0);
    expect((await yz(...at("2021-05-12T09:30"), "accept", "agency-survey/jiefangbei", "--as", "yuzhong-market")).code).toBe(0);
    expect((await yz(...at("2021-05-13T09:00"), "tick")).code).toBe(0);

    // The city's board: the sub-plan on its parent item's row, and both sub-plans listed.
    const status = JSON.parse((await duban(db, "--campaign", CQ, ...at("2021-05-13T09:30"), "status", "--json")).out);
    const row = status.assignments.find((r: { id: string }) => r.id === "implementation-plan/yuzhong");
    expect(row.subPlans).toEqual([expect.objectContaining({ campaign: YZ, done: 1, total: 10, overdue: 3, lastActivity: "2021-05-12T09:30:00+08:00", complete: false })]);
    expect(status.subPlans.map((s: { campaign: string }) => s.campaign)).toEqual([YZ, JB]);
    const text = (await duban(db, "--campaign", CQ, ...at("2021-05-13T09:30"), "status", "--unit", "yuzhong")).out;
    expect(text).toContain(`└ 下级专项行动“渝中区劳务中介专项整治行动（自查阶段）”（${YZ}）：已完成 1/10，逾期 3，最近办理 2021-05-12 周三 09:30`);

    // Handing in the parent item is refused while the sub-plan is incomplete; nothing is written.
    const held = await duban(db, "--campaign", CQ, ...at("2021-05-13T09:30"), "submit", "implementation-plan/yuzhong", "--as", "yuzhong");
    expect(held.code).toBe(1);
    expect(held.err).toContain("拒绝报送：“专项整治具体实施方案”须在下级实施方案完成后报送：下级专项行动“渝中区劳务中介专项整治行动（自查阶段）”已完成 1/10 项，尚未全部完成 [SUB_PLAN_INCOMPLETE]");

    // The daemon: the city office's 日报 carries the sub-plans' overdue items as a section of its own.
    const eml = tempDir("duban-subplans-eml-");
    const run = await duban(db, ...at("2021-05-13T09:30"), "run", "--once", "--eml-dir", eml);
    expect(run.code, run.err).toBe(0);
    const mails = await Promise.all(readdirSync(eml).map((f) => simpleParser(readFileSync(join(eml, f)))));
    const summaries = mails.filter((m) => m.headers.get("x-duban-kind") === "summary");
    const city = summaries.find((m) => String(m.headers.get("x-duban-key")).startsWith(`${CQ}/summary/`))!;
    expect(city, summaries.map((m) => m.subject).join("\n")).toBeDefined();
    expect(city.text).toContain("六、下级专项行动的逾期事项");
    expect(city.text).toContain(`渝中区劳务中介专项整治行动（自查阶段）（${YZ}）：已完成 1/10，逾期 3 项`);
    expect(city.text).toMatch(/辖区人力资源服务机构、劳务派遣机构底数｜朝天门街道｜截止 [^｜]+｜逾期1个工作日/);
    expect(city.text).toContain(`江北区劳务中介专项整治行动（${JB}）：已完成 0/11，逾期 0 项`);
    expect(city.html).toContain("<h3>六、下级专项行动的逾期事项</h3>");
    // The other campaign's 日报 has no such section; neither has a sub-plan's own.
    for (const m of summaries.filter((x) => x !== city)) expect(m.text).not.toContain("下级专项行动");

    // The web front over the whole store.
    const store = await openStore(db);
    closers.push(() => store.close());
    const campaigns = await Promise.all((await allCampaigns(store)).map((x) => Campaign.open(x.log)));
    const sidecar = await openSidecar(store);
    closers.push(() => sidecar.close());
    const cq = campaigns.find((c) => c.plan.campaign.id === CQ)!;
    const office = (await addUser(cq, sidecar.access, { name: "liu", unit: "flow", role: "office" }, cst("2021-05-13T09:40"))).token;
    const district = (await addUser(cq, sidecar.access, { name: "yz", unit: "yuzhong" }, cst("2021-05-13T09:40"))).token;
    let now = cst("2021-05-13T10:00");
    const server = await startServer({ campaigns, sidecar, port: 0, now: () => now });
    closers.push(() => server.close());
    const get = (path: string, token = office) => fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${token}` }, redirect: "manual" });
    const post = (path: string, token: string) => fetch(`${server.url}${path}`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: "{}" });

    const board = (await (await get(`/api/board?campaign=${CQ}&unit=yuzhong`)).json()) as { assignments: { id: string; subPlans?: { done: number }[] }[]; subPlans: { campaign: string }[] };
    expect(board.assignments.find((r) => r.id === "implementation-plan/yuzhong")!.subPlans).toEqual([expect.objectContaining({ campaign: YZ, done: 1, total: 10 })]);
    expect(board.subPlans.map((s) => s.campaign)).toEqual([YZ, JB]);
    // A district sees the sub-plans of its own items and unit only.
    const mine = (await (await get(`/api/board?campaign=${CQ}`, district)).json()) as { subPlans: { campaign: string }[] };
    expect(mine.subPlans.map((s) => s.campaign)).toEqual([YZ]);
    const page = await (await get(`/?campaign=${CQ}`)).text();
    expect(page).toContain(`<h2 id="sub-plans">下级专项行动</h2>`);
    expect(page).toContain(`<a href="/?campaign=${YZ}">渝中区劳务中介专项整治行动（自查阶段）</a>`);
    expect(page).toContain("下级1/10");
    const item = await (await get(`/items/implementation-plan/yuzhong?campaign=${CQ}`)).text();
    expect(item).toContain(`<a href="/?campaign=${YZ}">渝中区劳务中介专项整治行动（自查阶段）</a>（${YZ}）：已完成 1/10，逾期 3，最近办理 2021-05-12 周三 09:30`);
    expect(item).toContain("本事项须待下级专项行动的事项全部完成后才能报送");
    // The link leads to the child's own board.
    const child = await get(`/?campaign=${YZ}`);
    expect(child.status).toBe(200);
    expect(await child.text()).toContain("渝中区劳务中介专项整治行动（自查阶段）");

    // In a browser: from the city's board to 渝中区's board, whose own links then stay in 渝中区's campaign.
    if (typeof found !== "string") {
      const browser = await launch(found);
      closers.push(() => browser.close());
      const p = await (await browser.newContext({ locale: "zh-CN" })).newPage();
      await p.goto(`${server.url}/login`);
      await p.fill('input[name="token"]', office);
      await p.click('button:has-text("登录")');
      await p.goto(`${server.url}/items/implementation-plan/yuzhong?campaign=${CQ}`);
      await p.click(`.sub-plans a[href="/?campaign=${YZ}"]`);
      await p.waitForSelector('header .title:has-text("渝中区劳务中介专项整治行动（自查阶段）")');
      await p.click('a[href^="/items/agency-survey/chaotianmen"]');
      await p.waitForSelector("h1");
      expect(await p.textContent("h1")).toBe("辖区人力资源服务机构、劳务派遣机构底数");
      expect(await p.textContent("header .title")).toBe("渝中区劳务中介专项整治行动（自查阶段）");
    }

    // From the web, too, the hand-in waits for the sub-plan.
    const refused = await post(`/api/items/implementation-plan/yuzhong/submit?campaign=${CQ}`, district);
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("SUB_PLAN_INCOMPLETE");

    // 渝中区 completes its sub-plan on the command line; the city's page sees it, and the hand-in goes through.
    const streets = ["jiefangbei", "chaotianmen", "shangqingsi", "daping"];
    const items: [string, string, string][] = [
      ...streets.slice(1).map((s): [string, string, string] => [`agency-survey/${s}`, s, "yuzhong-market"]),
      ...streets.map((s): [string, string, string] => [`street-self-inspection/${s}`, s, "yuzhong-market"]),
      ["inspection-findings/yuzhong-inspection", "yuzhong-inspection", "yuzhong-market"],
      ["district-summary/yuzhong-market", "yuzhong-market", "yuzhong"],
    ];
    for (const [id, by, reviewer] of items) {
      expect((await yz(...at("2021-05-14T10:00"), "submit", id, "--as", by)).code, id).toBe(0);
      expect((await yz(...at("2021-05-14T10:00"), "accept", id, "--as", reviewer)).code, id).toBe(0);
    }
    now = cst("2021-05-14T11:00");
    expect(await (await get(`/items/implementation-plan/yuzhong?campaign=${CQ}`)).text()).toContain("已完成 10/10，逾期 0，最近办理 2021-05-14 周五 10:00（已全部完成）");
    const accepted = await post(`/api/items/implementation-plan/yuzhong/submit?campaign=${CQ}`, district);
    expect(accepted.status, await accepted.clone().text()).toBe(200);
    expect(JSON.parse((await duban(db, "--campaign", CQ, ...at("2021-05-14T11:30"), "status", "--json", "--unit", "yuzhong")).out).assignments.find((r: { id: string }) => r.id === "implementation-plan/yuzhong").state).toBe("submitted");
    expect((await duban(db, "verify")).out).toContain("全部 4 个专项行动的日志完整");
  });
});

// Renders docs/open-form.png and docs/item-trail.png: the 交办 form of a 督办单, and the page of one that
// was opened, signed for (签收), reported on, returned and closed, with its whole trail. Runs the minimal
// plan with kinds the tests use (test/items/kinds-plan.ts), on a fixed clock, in the Chromium the tests
// use (test/browser.ts). Run: node --import tsx scripts/screenshot-open.ts
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSidecar } from "../src/access/open.ts";
import { addUser } from "../src/access/users.ts";
import { Campaign } from "../src/campaign/campaign.ts";
import { SqliteStore } from "../src/store/sqlite.ts";
import { startServer } from "../src/web/server.ts";
import { CHINESE_FONT_HINT, findChromium, hasChineseFont, launch } from "../test/browser.ts";
import { INSPECTION_YAML } from "../test/web/kinds-setup.ts";
import { kindsPlanText } from "../test/items/kinds-plan.ts";

const found = await findChromium();
if (typeof found === "string") {
  console.error(`screenshot-open: no Chromium to drive: ${found}`);
  process.exit(1);
}
if (hasChineseFont() === false) {
  console.error(`screenshot-open: no font with Chinese glyphs (${CHINESE_FONT_HINT})`);
  process.exit(1);
}

const at = (s: string) => Date.parse(`${s}:00+08:00`);
const dir = mkdtempSync(join(tmpdir(), "duban-shot-open-"));
try {
  const planFile = join(dir, "plan.yaml");
  writeFileSync(planFile, kindsPlanText() + INSPECTION_YAML.join("\n") + "\n");
  const store = new SqliteStore(join(dir, "duban.db"));
  const clock = { now: at("2021-05-10T09:30") };
  const campaign = await Campaign.init(store, planFile, at("2021-04-28T10:00"));
  await campaign.tick(clock.now);
  const sidecar = await openSidecar(store);
  const office = (await addUser(campaign, sidecar.access, { name: "hq-wang", unit: "hq", role: "office" }, clock.now)).token;
  const north = (await addUser(campaign, sidecar.access, { name: "north-li", unit: "north", role: "unit" }, clock.now)).token;
  const server = await startServer({ campaign, sidecar, port: 0, now: () => clock.now });
  const browser = await launch(found);
  try {
    const signIn = async (token: string) => {
      const page = await browser.newPage({ viewport: { width: 1000, height: 900 }, locale: "zh-CN", deviceScaleFactor: 1 });
      await page.goto(`${server.url}/login`);
      await page.fill('input[name="token"]', token);
      await page.click('button:has-text("登录")');
      await page.waitForURL((u) => !u.pathname.startsWith("/login"));
      return page;
    };
    const hq = await signIn(office);
    await hq.goto(`${server.url}/open/dubandan`);
    await hq.fill('input[name="title"]', "关于某建筑工地拖欠农民工工资问题的督办单");
    await hq.selectOption('select[name="to"]', "north");
    await hq.selectOption('select[name="level"]', "特急");
    await hq.fill('textarea[name="f.basis"]', "市领导在《群众来信摘报》第 12 期上批示：请人社局督促北区限期解决，结果报市政府。");
    await hq.selectOption('select[name="f.category"]', "欠薪");
    await hq.fill('textarea[name="note"]', "请于 24 小时内办结并报送支付凭证。");
    await hq.screenshot({ path: "docs/open-form.png", fullPage: true });
    console.log("docs/open-form.png: the 交办 form of a 督办单");
    await hq.click('button:has-text("交办")');
    await hq.waitForSelector("text=已交办。");

    const district = await signIn(north);
    clock.now = at("2021-05-10T10:05");
    await district.goto(`${server.url}/items/dubandan-001`);
    await district.locator('form[action$="/acknowledge"] textarea[name="note"]').fill("已收到，由区劳动保障监察大队承办");
    await district.locator('form[action$="/acknowledge"] button').click();
    await district.waitForSelector("text=已签收。");
    clock.now = at("2021-05-10T16:40");
    const pdf = join(dir, "工资支付凭证.pdf");
    writeFileSync(pdf, "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n");
    await district.locator('form[action$="/submit"] textarea[name="note"]').fill("已约谈施工企业负责人，督促足额支付 23 名农民工工资共 41.6 万元");
    await district.locator('form[action$="/submit"] button').click();
    await district.waitForSelector("text=已报送。");
    clock.now = at("2021-05-10T17:20");
    await hq.goto(`${server.url}/items/dubandan-001`);
    await hq.locator('form[action$="/return"] textarea[name="note"]').fill("请附工资支付凭证");
    await hq.locator('form[action$="/return"] button').click();
    await hq.waitForSelector("text=已退回。");
    clock.now = at("2021-05-11T09:10");
    await district.goto(`${server.url}/items/dubandan-001`);
    await district.locator('form[action$="/submit"] textarea[name="note"]').fill("补充工资支付凭证");
    await district.locator('form[action$="/submit"] input[type="file"]').setInputFiles(pdf);
    await district.locator('form[action$="/submit"] button').click();
    await district.waitForSelector("text=已报送。");
    clock.now = at("2021-05-11T09:40");
    await hq.goto(`${server.url}/items/dubandan-001`);
    await hq.locator('form[action$="/accept"] textarea[name="note"]').fill("同意销号");
    await hq.locator('form[action$="/accept"] button').click();
    await hq.waitForSelector("text=已通过。");
    await hq.goto(`${server.url}/items/dubandan-001`);
    await hq.screenshot({ path: "docs/item-trail.png", fullPage: true });
    console.log("docs/item-trail.png: a 督办单 opened, signed for, reported, returned and closed, with its trail");
  } finally {
    await browser.close();
    await server.close();
    sidecar.close();
    await store.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

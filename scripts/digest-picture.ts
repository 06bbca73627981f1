// Renders docs/digest.png: the one e-mail 巴南区人力社保局 gets at 09:00 on 2021-05-17 when it owes items in two
// campaigns of one store (a section per campaign), as the store daemon writes it to an .eml file, shown in
// the Chromium the tests use. Run: node --import tsx scripts/digest-picture.ts
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { simpleParser } from "mailparser";
import { addCampaign } from "../src/campaign/campaigns.ts";
import { notifiersFor } from "../src/daemon/host.ts";
import { startStoreDaemon } from "../src/daemon/store-daemon.ts";
import { parseInstant } from "../src/engine/calendar.ts";
import { openStore } from "../src/store/open.ts";
import { CHINESE_FONT_HINT, findChromium, hasChineseFont, launch } from "../test/browser.ts";
import { otherCampaignPlan } from "../test/campaign/plans.ts";

const found = await findChromium();
if (typeof found === "string" || hasChineseFont() === false) {
  console.error(`digest-picture: ${typeof found === "string" ? `no Chromium to drive: ${found}` : `no font with Chinese glyphs (${CHINESE_FONT_HINT})`}`);
  process.exit(1);
}
const zone = "Asia/Shanghai";
const dir = mkdtempSync(join(tmpdir(), "duban-digest-"));
try {
  const store = await openStore(join(dir, "s.db"));
  await addCampaign(store, "plans/chongqing-2021.yaml", parseInstant("2021-04-28T10:00", zone));
  await addCampaign(store, otherCampaignPlan("cq-wage-arrears-2021", "重庆市根治欠薪专项行动"), parseInstant("2021-04-28T10:00", zone));
  const mail = join(dir, "mail");
  const notifiers = notifiersFor({ smtpUrl: "", emlDir: mail }, {});
  const now = parseInstant("2021-05-17T09:00", zone);
  const daemon = startStoreDaemon(store, notifiers, { log: () => {}, now: () => now, watchMs: 60_000 });
  const banan = async () => {
    for (const f of readdirSync(mail, { withFileTypes: true }).filter((e) => e.isFile() && e.name.endsWith(".eml"))) {
      const m = await simpleParser(readFileSync(join(mail, f.name)));
      const to = Array.isArray(m.to) ? m.to : m.to ? [m.to] : [];
      if (to.some((a) => a.text.includes("banan@")) && typeof m.html === "string" && m.html.includes("重庆市根治欠薪专项行动")) return m;
    }
    return undefined;
  };
  let found_: Awaited<ReturnType<typeof banan>>;
  for (let i = 0; i < 600 && !(found_ = await banan().catch(() => undefined)); i++) await new Promise((r) => setTimeout(r, 100));
  await daemon.stop();
  await notifiers.close();
  await store.close();
  if (!found_) throw new Error("no message to 巴南区 with both campaigns");
  const browser = await launch(found);
  try {
    const page = await browser.newPage({ viewport: { width: 900, height: 900 }, locale: "zh-CN", deviceScaleFactor: 1 });
    const head = `<p style="font:13px sans-serif;color:#555;border-bottom:1px solid #ddd;padding-bottom:6px">主题：${found_.subject}<br>收件人：${Array.isArray(found_.to) ? found_.to.map((a) => a.text).join("，") : found_.to?.text}</p>`;
    await page.setContent(head + found_.html);
    await page.screenshot({ path: "docs/digest.png", fullPage: true });
  } finally {
    await browser.close();
  }
  console.log(`docs/digest.png: ${found_.subject}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

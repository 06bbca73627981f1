import Database from "better-sqlite3";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { simpleParser } from "mailparser";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNotifiers } from "../../notifiers/index.ts";
import { queueDailySummary } from "../../src/daemon/cycle.ts";
import { Dispatcher } from "../../src/dispatch/dispatcher.ts";
import { findChromium, launch } from "../browser.ts";
import { tempDir } from "../delivery/support.ts";
import { Client, startFixture, type Fixture } from "./setup.ts";

/** Issue 13, "The auditor's tools in the browser": verify, export, hashes, the summary's head, the replay. */
const found = await findChromium();
if (typeof found === "string" && process.env.DUBAN_REQUIRE_BROWSER === "1") throw new Error(`DUBAN_REQUIRE_BROWSER=1 but there is no Chromium to drive: ${found}`);

let f: Fixture;
let auditor: Client;
let summaryHead: { seq: number; hash: string };
const eml = tempDir("audit-eml");

beforeAll(async () => {
  // Small batches: the check of this few-hundred-event log comes in dozens of chunks, as a large log's would.
  f = await startFixture({ auditBatchSize: 10 });
  auditor = new Client(f.server.url);
  expect((await auditor.signIn(f.tokens.auditor)).status).toBe(303);
  // The office's daily summary goes out (to .eml files) and names the log's head.
  expect(await queueDailySummary(f.campaign, f.clock.now)).toBe(true);
  const notifiers = createNotifiers({ emlDir: eml });
  await new Dispatcher(f.campaign, notifiers).dispatchDue(f.clock.now);
  await notifiers.close();
  const mails = await Promise.all(readdirSync(eml).map(async (n) => simpleParser(readFileSync(join(eml, n)))));
  const summary = mails.find((m) => m.headers.get("x-duban-kind") === "summary")!;
  const [seq, hash] = String(summary.headers.get("x-duban-log-head")).split(" ");
  summaryHead = { seq: Number(seq), hash: hash! };
  expect(summary.text).toContain(`日志头：第${seq}条 ${hash}`);
});
afterAll(async () => f?.close());

/** The NDJSON lines of a streamed answer, each as it arrives, with `onLine` told of each. */
async function lines(res: Response, onLine: (l: unknown) => void = () => {}): Promise<unknown[]> {
  const out: unknown[] = [];
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += value;
    let i;
    while ((i = buf.indexOf("\n")) >= 0) {
      const l = JSON.parse(buf.slice(0, i));
      buf = buf.slice(i + 1);
      out.push(l);
      onLine(l);
    }
  }
  return out;
}

type Line = { progress?: { stage: string; checked: number; total: number }; result?: { ok: boolean; head?: string; count: number; seq?: number; problem?: string } };

describe("verify and export over the API", () => {
  it("are for the office and auditors only", async () => {
    const district = new Client(f.server.url);
    await district.signIn(f.tokens.yuzhong);
    for (const path of ["/api/verify", "/api/export?format=csv", "/verify", "/verify/run"]) expect((await district.fetch(path)).status, path).toBe(403);
    expect((await new Client(f.server.url).fetch("/api/verify")).status).toBe(401);
  });

  it("streams the check batch by batch, and ends with the result and the head", async () => {
    const res = await auditor.fetch("/api/verify");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("application/x-ndjson");
    const all = (await lines(res)) as Line[];
    const progress = all.filter((l) => l.progress).map((l) => l.progress!);
    const head = await f.store.head();
    expect(progress.filter((p) => p.stage === "chain").length).toBeGreaterThan(10);
    expect(progress.some((p) => p.stage === "outbox")).toBe(true);
    expect(progress.every((p) => p.total === head.seq)).toBe(true);
    expect(all.at(-1)!.result).toEqual({ ok: true, count: head.seq, head: head.hash, headSeq: head.seq, outboxRows: expect.any(Number) });
  });

  it("checks against the head a daily summary reported, and refuses a malformed one", async () => {
    const ok = (await lines(await auditor.fetch(`/api/verify?head=${summaryHead.hash}`))) as Line[];
    expect(ok.at(-1)!.result).toMatchObject({ ok: true });
    const unknown = (await lines(await auditor.fetch(`/api/verify?head=${"f".repeat(64)}`))) as Line[];
    expect(unknown.at(-1)!.result).toMatchObject({ ok: false, problem: expect.stringContaining("找不到记录的日志头") });
    const bad = await auditor.fetch("/api/verify?head=abc");
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe("BAD_HEAD");
  });

  it("answers other requests while a check runs, and runs one check at a time", async () => {
    const order: string[] = [];
    let me: Promise<void> | undefined;
    let second: Promise<Response> | undefined;
    await lines(await auditor.fetch("/api/verify"), (l) => {
      const line = l as Line;
      order.push(line.result ? "result" : "progress");
      // Once the check is under way, someone else asks for a page.
      me ??= auditor.fetch("/api/me").then(async (r) => {
        expect(r.status).toBe(200);
        order.push("me");
      });
      second ??= auditor.fetch("/api/verify");
    });
    await me;
    const refused = await second!;
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("VERIFY_RUNNING");
    // The flag is released when the check ends: the next one runs.
    expect(((await lines(await auditor.fetch("/api/verify"))) as Line[]).at(-1)!.result).toMatchObject({ ok: true });
    expect(order.indexOf("me")).toBeGreaterThan(0);
    expect(order.indexOf("me")).toBeLessThan(order.indexOf("result"));
  });

  it("exports the log with its hashes as JSONL and CSV, streamed as a download", async () => {
    const head = await f.store.head();
    const j = await auditor.fetch("/api/export?format=jsonl");
    expect(j.status).toBe(200);
    expect(j.headers.get("content-disposition")).toBe('attachment; filename="cq-labour-intermediary-2021-log.jsonl"');
    const events = (await j.text()).trim().split("\n").map((l) => JSON.parse(l) as { seq: number; hash: string; prevHash: string });
    expect(events.length).toBeGreaterThanOrEqual(head.seq);
    events.forEach((e, i) => {
      expect(e.seq).toBe(i + 1);
      if (i > 0) expect(e.prevHash).toBe(events[i - 1]!.hash);
    });
    const c = await auditor.fetch("/api/export?format=csv");
    expect(c.headers.get("content-type")).toContain("text/csv");
    const rows = parse(await c.text(), { bom: true, columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0]!)).toEqual(["seq", "at", "actor", "type", "assignment", "payload", "plan_hash", "prev_hash", "hash"]);
    expect(rows.length).toBe(events.length);
    expect(rows.map((r) => r.hash)).toEqual(events.map((e) => e.hash));
    // A range: only the events from the given instant on.
    const later = (await (await auditor.fetch(`/api/export?format=jsonl&from=${encodeURIComponent("2021-05-18T00:00+08:00")}`)).text()).trim().split("\n");
    expect(later.length).toBeLessThan(events.length);
    expect((await auditor.fetch("/api/export?format=xml")).status).toBe(400);
  });
});

describe.skipIf(typeof found === "string")("the auditor in a browser", () => {
  let browser: Browser;
  let page: Page;
  beforeAll(async () => {
    if (typeof found === "string") return;
    browser = await launch(found);
    const ctx = await browser.newContext({ viewport: { width: 1200, height: 900 }, locale: "zh-CN" });
    page = await ctx.newPage();
    await page.goto(`${f.server.url}/login`);
    await page.fill('input[name="token"]', f.tokens.auditor);
    await page.click('button:has-text("登录")');
    await page.waitForURL(`${f.server.url}/`);
  });
  afterAll(async () => browser?.close());

  it("sees the head, the heads the daily summaries reported, and runs the check with its progress", async () => {
    await page.click('header a:has-text("核验")');
    await page.waitForURL(/\/verify$/);
    const head = await f.store.head();
    expect(await page.textContent("main")).toContain(head.hash);
    const row = page.locator("table.heads tbody tr");
    expect(await row.count()).toBe(1);
    expect(await row.textContent()).toContain(summaryHead.hash);
    expect(await row.textContent()).toContain(`第 ${summaryHead.seq} 条`);
    await row.locator('a:has-text("按此核验")').click();
    await page.waitForSelector("#result");
    expect(await page.getAttribute("#result", "data-ok")).toBe("true");
    expect(await page.textContent("#result")).toMatch(/^完整：\d+ 条事件，日志头 [0-9a-f]{64}；发送队列 \d+ 条与日志一致$/);
    expect(await page.locator(".progress[data-stage=chain]").count()).toBeGreaterThan(10);
    await page.goto(`${f.server.url}/verify`);
    const [download] = await Promise.all([page.waitForEvent("download"), page.click('a:has-text("下载 CSV")')]);
    expect(download.suggestedFilename()).toBe("cq-labour-intermediary-2021-log.csv");
    // The refusals kept off the items' trails are one click away.
    await page.click('a:has-text("查看拒绝记录")');
    await page.waitForURL(/\/audit\/refusals$/);
    expect(await page.title()).toContain("拒绝记录");
  });

  it("sees each record's hash on the item trail", async () => {
    const item = (await (await auditor.fetch("/api/items/implementation-plan/yuzhong")).json()) as { history: { type: string; hash: string; prevHash: string }[] };
    await page.goto(`${f.server.url}/items/implementation-plan/yuzhong`);
    const shown = item.history.filter((e) => e.type !== "reminded");
    expect(await page.locator("ul.trail details.chain").count()).toBe(shown.length);
    await page.locator("ul.trail details.chain summary").first().click();
    const text = (await page.textContent("ul.trail"))!;
    for (const e of shown) {
      expect(text).toContain(e.hash);
      expect(text).toContain(e.prevHash);
    }
  });

  it("the replay counts phases by the board's rule, and a cell opens the item as it was then", async () => {
    const board = (await (await auditor.fetch("/api/board")).json()) as { asOf: string; phases: { name: string; total: number; accepted: number; submitted: number; owed: number; overdue: number }[] };
    await page.goto(`${f.server.url}/replay?asOf=${encodeURIComponent(board.asOf.slice(0, 16))}`);
    const rows = await page.locator("table.counts tbody tr").evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent!.trim())));
    expect(rows).toEqual(board.phases.map((p) => [p.name, ...[p.total, p.accepted, p.submitted, p.owed, p.overdue].map(String)]));
    const cell = page.locator('table.matrix a[href*="/items/implementation-plan/yuzhong?asOf="]');
    await cell.click();
    await page.waitForURL(/\/items\/implementation-plan\/yuzhong\?asOf=/);
    expect(await page.textContent(".asof")).toContain("由事件日志重算得出（只读）");
  });

  it("is told which record was altered when the log is tampered with", async () => {
    const raw = new Database(f.store.path);
    raw.prepare("UPDATE events SET payload = replace(payload, 'yuzhong', 'yuzhong ') WHERE seq = (SELECT min(seq) FROM events WHERE payload LIKE '%yuzhong%')").run();
    const victim = (raw.prepare("SELECT min(seq) AS s FROM events WHERE payload LIKE '%yuzhong %'").get() as { s: number }).s;
    raw.close();
    await page.goto(`${f.server.url}/verify/run`);
    await page.waitForSelector("#result");
    expect(await page.getAttribute("#result", "data-ok")).toBe("false");
    expect(await page.textContent("#result")).toContain(`校验失败：第 ${victim} 条：`);
  });
});

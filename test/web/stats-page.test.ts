import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { servePlayedCampaign, type PublishServer } from "../publish/web-fixture.ts";
import { ECHARTS_PATH, STATS_SCRIPT_PATH } from "../../src/web/assets.ts";
import type { RunningServer } from "../../src/web/server.ts";

let server: RunningServer;
let tokens: Record<string, string>;
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

let fixture: PublishServer;
beforeAll(async () => {
  fixture = await servePlayedCampaign();
  ({ server, tokens } = fixture);
});
afterAll(() => fixture.close());

describe("GET /stats", () => {
  it("shows the office the table and chart data, and lets the page load scripts from this server only", async () => {
    const res = await fetch(`${server.url}/stats?by=deliverable`, { headers: bearer(tokens.office!) });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-security-policy")).toContain("script-src 'self';");
    expect(res.headers.get("cache-control")).toBe("no-store");
    const page = await res.text();
    expect(page).toContain('<a href="/stats">统计</a>');
    expect(page).toContain(`<script src="${ECHARTS_PATH}"></script>`);
    expect(page).toContain("<th>半年报告</th>");
    // No inline script: the CSP would block it. The data element is JSON, not run.
    expect(page.match(/<script(?![^>]*\bsrc=)(?![^>]*type="application\/json")[^>]*>/g)).toBeNull();
    const data = JSON.parse(page.match(/<script type="application\/json" id="stats-data">([^]*?)<\/script>/)![1]!);
    expect(data.overdue.at(-1)).toBe(2);
  });

  it("keeps the default no-script policy on every other page", async () => {
    const res = await fetch(`${server.url}/`, { headers: bearer(tokens.office!) });
    expect(res.headers.get("content-security-policy")).toContain("script-src 'none'");
  });

  it("takes an instant, and refuses units, bad groupings and instants before the log", async () => {
    const past = await (await fetch(`${server.url}/stats?asOf=2021-06-16T12:00`, { headers: bearer(tokens.audit!) })).text();
    expect(past).toContain("截至 2021-06-16 12:00");
    const unit = await fetch(`${server.url}/stats`, { headers: bearer(tokens.north!) });
    expect(unit.status).toBe(403);
    expect(await unit.text()).toContain("仅限领导小组办公室和审计人员查看");
    expect((await fetch(`${server.url}/stats?by=colour`, { headers: bearer(tokens.office!) })).status).toBe(400);
    const early = await fetch(`${server.url}/stats?asOf=2021-01-01T00:00`, { headers: bearer(tokens.office!) });
    expect(early.status).toBe(400);
    expect(await early.text()).toContain("早于本存储的第一条记录");
    const anon = await fetch(`${server.url}/stats?by=task`, { redirect: "manual" });
    expect(anon.status).toBe(303);
    expect(anon.headers.get("location")).toBe(`/login?next=${encodeURIComponent("/stats?by=task")}`);
  });

  it("serves ECharts and the chart script itself, cached, as JavaScript", async () => {
    const lib = await fetch(`${server.url}${ECHARTS_PATH}`);
    expect(lib.status).toBe(200);
    expect(lib.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(lib.headers.get("cache-control")).toContain("max-age=31536000");
    expect((await lib.text()).length).toBeGreaterThan(500_000);
    const init = await fetch(`${server.url}${STATS_SCRIPT_PATH}`);
    expect(init.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(await init.text()).toContain("echarts.init");
  });
});

import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { servePlayedCampaign, type PublishServer } from "./web-fixture.ts";
import type { Campaign } from "../../src/campaign/campaign.ts";
import { issueFeedToken, revokeFeedToken } from "../../src/publish/feed-log.ts";
import type { RunningServer } from "../../src/web/server.ts";
import { cst } from "../helpers.ts";
import { parseFeed } from "./ical-read.ts";

let server: RunningServer;
let campaign: Campaign;
let tokens: Record<string, string>;
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

let fixture: PublishServer;
beforeAll(async () => {
  fixture = await servePlayedCampaign({ feeds: ["east", "north"] });
  ({ server, tokens, campaign } = fixture);
});
afterAll(() => fixture.close());

describe("GET /api/stats", () => {
  it("gives the office and auditors the statistics now and as of an instant", async () => {
    const now = (await (await fetch(`${server.url}/api/stats`, { headers: bearer(tokens.office!) })).json()) as any;
    expect(now).toMatchObject({ asOf: "2021-07-20T12:00:00+08:00", by: "unit", total: { assigned: 6, onTime: 2, late: 1, overdue: 2, waived: 1 } });
    const res = await fetch(`${server.url}/api/stats?asOf=2021-06-16T12:00%2B08:00&by=deliverable`, { headers: bearer(tokens.audit!) });
    expect(res.status).toBe(200);
    const past = (await res.json()) as any;
    expect(past.lines[0]).toMatchObject({ key: "report", onTime: 1, overdue: 1, pending: 1 });
  });

  it("refuses units, bad groupings and instants before the store begins, with a code", async () => {
    const unit = await fetch(`${server.url}/api/stats`, { headers: bearer(tokens.north!) });
    expect(unit.status).toBe(403);
    expect(((await unit.json()) as any).error.code).toBe("PUBLISH_FORBIDDEN");
    const by = await fetch(`${server.url}/api/stats?by=colour`, { headers: bearer(tokens.office!) });
    expect(((await by.json()) as any).error.code).toBe("BAD_GROUPING");
    const early = await fetch(`${server.url}/api/stats?asOf=2021-01-01T00:00%2B08:00`, { headers: bearer(tokens.office!) });
    expect(early.status).toBe(400);
    expect(((await early.json()) as any).error).toMatchObject({ code: "BEFORE_LOG", message: expect.stringContaining("2021-04-28 周三 10:00 建立") });
  });
});

describe("GET /api/ledger.xlsx", () => {
  it("streams the 台账 as of an instant to the office, readable by exceljs", async () => {
    const res = await fetch(`${server.url}/api/ledger.xlsx?asOf=2021-06-28T12:00%2B08:00`, { headers: bearer(tokens.office!) });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename*=UTF-8''${encodeURIComponent("test-campaign-台账-2021-06-28.xlsx")}`);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(Buffer.from(await res.arrayBuffer()) as unknown as ArrayBuffer);
    expect(book.worksheets.map((w) => w.name)).toEqual(["统计汇总", "半年报告", "阶段小结"]);
    expect(book.getWorksheet("半年报告")!.rowCount).toBe(4);
  });

  it("is refused to a unit account", async () => {
    const res = await fetch(`${server.url}/api/ledger.xlsx`, { headers: bearer(tokens.north!) });
    expect(res.status).toBe(403);
  });
});

describe("GET /units/<id>/calendar.ics", () => {
  const feed = (unit: string, token: string) => fetch(`${server.url}/units/${unit}/calendar.ics?token=${encodeURIComponent(token)}`);
  const refusedFeeds = async () => {
    const out = [];
    for await (const e of campaign.store.read({})) if (e.type === "signInRefused" && (e.payload as { via?: string }).via === "feed") out.push(e);
    return out;
  };

  it("serves the unit's feed to its read-only token, without signing in", async () => {
    const res = await feed("east", tokens["feed-east"]!);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/calendar; charset=utf-8");
    const parsed = parseFeed(await res.text());
    expect([...parsed.events.keys()]).toEqual(["test-campaign/report/east@duban", "test-campaign/summary/east@duban"]);
    expect(parsed.events.get("test-campaign/report/east@duban")).toMatchObject({ sequence: 1, summary: "【已逾期】半年报告" });
  });

  it("answers 404 with no data to a wrong token, another unit's token or an unknown unit, and logs it without the token", async () => {
    const before = (await refusedFeeds()).length;
    for (const res of [await feed("east", "not-a-token"), await feed("east", tokens["feed-north"]!), await feed("west", tokens["feed-east"]!), await fetch(`${server.url}/units/east/calendar.ics`)]) {
      expect(res.status).toBe(404);
      const body = await res.text();
      expect(body).toBe("未找到");
    }
    const logged = (await refusedFeeds()).slice(before);
    expect(logged).toHaveLength(4);
    expect(logged[0]!.payload).toMatchObject({ via: "feed", code: "BAD_TOKEN", path: "/units/east/calendar.ics" });
    expect(JSON.stringify(logged)).not.toContain(tokens["feed-north"]!);
  });

  it("stops a revoked token at once; a newly issued one replaces the old", async () => {
    const at = cst("2021-07-20T12:00");
    await revokeFeedToken(campaign, "north", at);
    expect((await feed("north", tokens["feed-north"]!)).status).toBe(404);
    const fresh = await issueFeedToken(campaign, "east", at);
    expect((await feed("east", fresh)).status).toBe(200);
    expect((await feed("east", tokens["feed-east"]!)).status).toBe(404);
  });
});

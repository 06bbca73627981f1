import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { servePlayedCampaign, type PublishServer } from "./web-fixture.ts";
import type { RunningServer } from "../../src/web/server.ts";
import { docxTables, docxText } from "./docx-read.ts";
import { SCORED_PLAN } from "./fixture.ts";

let server: RunningServer;
let tokens: Record<string, string>;
const get = (path: string, who: string) => fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${tokens[who]}` } });

let fixture: PublishServer;
beforeAll(async () => {
  fixture = await servePlayedCampaign({ text: SCORED_PLAN });
  ({ server, tokens } = fixture);
});
afterAll(() => fixture.close());

describe("GET /api/score", () => {
  it("gives the office and auditors the ranking now and as of an instant", async () => {
    const now = (await (await get("/api/score", "office")).json()) as any;
    expect(now.lines.map((l: any) => [l.rank, l.key, l.score])).toEqual([[1, "north", 2], [2, "south", 0], [3, "east", -4]]);
    const past = (await (await get("/api/score?asOf=2021-06-16T12:00%2B08:00", "audit")).json()) as any;
    expect(past).toMatchObject({ asOf: "2021-06-16T12:00:00+08:00" });
    expect(past.lines.map((l: any) => l.key)).toEqual(["north", "east", "south"]);
  });

  it("is refused to a unit account", async () => {
    const res = await get("/api/score", "north");
    expect(res.status).toBe(403);
    expect(((await res.json()) as any).error.code).toBe("PUBLISH_FORBIDDEN");
  });
});

describe("考评 in the statistics over HTTP", () => {
  it("/api/stats?by=unit carries each unit's score and rank", async () => {
    const s = (await (await get("/api/stats?by=unit&asOf=2021-07-20T12:00%2B08:00", "office")).json()) as any;
    expect(s.lines.map((l: any) => [l.key, l.score, l.rank])).toEqual([["north", 2, 1], ["south", 0, 2], ["east", -4, 3]]);
    expect(s.total.score).toBeUndefined();
    const byDeliverable = (await (await get("/api/stats?by=deliverable", "office")).json()) as any;
    expect(byDeliverable.lines.some((l: any) => "score" in l)).toBe(false);
  });

  it("the /stats page's unit table has 得分 and 排名 columns", async () => {
    const res = await get("/stats?asOf=2021-07-20T12:00", "office");
    expect(res.status).toBe(200);
    const page = await res.text();
    const table = page.slice(page.indexOf('id="stats-table"'));
    expect(table).toMatch(/<th>逾期率<\/th><th>得分<\/th><th>排名<\/th><\/tr>/);
    expect(table).toMatch(/<tr data-key="east">.*<td data-col="score">-4<\/td><td data-col="rank">3<\/td><\/tr>/s);
    const byTask = await (await get("/stats?asOf=2021-07-20T12:00&by=deliverable", "office")).text();
    expect(byTask).not.toContain("<th>得分</th>");
  });
});

describe("GET /api/bulletin.docx", () => {
  it("gives the office the 通报 as of an instant, as a .docx that mammoth reads back", async () => {
    const res = await get("/api/bulletin.docx?asOf=2021-06-28T12:00%2B08:00", "office");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/vnd.openxmlformats-officedocument.wordprocessingml.document");
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename*=UTF-8''${encodeURIComponent("test-campaign-通报-2021-06-28.docx")}`);
    const bytes = Buffer.from(await res.arrayBuffer());
    const text = await docxText(bytes);
    expect(text[1]).toBe("关于测试专项行动报送情况的通报");
    expect(text.at(-1)).toBe("二〇二一年六月二十八日");
    const [, late] = await docxTables(bytes);
    expect(late!.slice(1).map((r) => [r[1], r[4]])).toEqual([["南区", "逾期4个工作日报送（退回修改1次）"], ["东区", "逾期1个工作日，尚未报送"]]);
  });

  it("gives the report with kind=report, and refuses units and instants before the store begins", async () => {
    const report = await get("/api/bulletin.docx?kind=report", "office");
    expect((await docxText(Buffer.from(await report.arrayBuffer())))[0]).toBe("关于测试专项行动开展情况的报告");
    expect((await get("/api/bulletin.docx", "north")).status).toBe(403);
    const early = await get("/api/bulletin.docx?asOf=2021-01-01T00:00%2B08:00", "office");
    expect(early.status).toBe(400);
    expect(((await early.json()) as any).error.code).toBe("BEFORE_LOG");
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { servePlayedCampaign, type PublishServer } from "./web-fixture.ts";
import type { Campaign } from "../../src/campaign/campaign.ts";
import { lightForm } from "../../src/web/views/lights.ts";
import { Client } from "../web/setup.ts";
import type { RunningServer } from "../../src/web/server.ts";

let server: RunningServer;
let campaign: Campaign;
let tokens: Record<string, string>;
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
const get = (path: string, who: string) => fetch(`${server.url}${path}`, { headers: bearer(tokens[who]!) });
const mark = (id: string, who: string, body: object) =>
  fetch(`${server.url}/api/items/${id}/light`, { method: "POST", headers: { ...bearer(tokens[who]!), "content-type": "application/json" }, body: JSON.stringify(body) });

let fixture: PublishServer;
beforeAll(async () => {
  fixture = await servePlayedCampaign();
  ({ server, tokens, campaign } = fixture);
});
afterAll(() => fixture.close());

describe("POST /api/items/<id>/light", () => {
  it("refuses a district and an auditor with a code and a Chinese reason; no mark is recorded (only the audited refusals)", async () => {
    const head = await campaign.store.head();
    const unit = await mark("report/east", "north", { light: "red", reason: "催一下" });
    expect(unit.status).toBe(403);
    expect(((await unit.json()) as any).error).toMatchObject({ code: "NOT_PERMITTED", message: "北区无权标注红黄灯：只有领导小组办公室可以标注或清除红黄灯" });
    expect((await mark("report/east", "audit", { light: "red", reason: "x" })).status).toBe(403);
    const closed = await mark("summary/south", "office", { light: "yellow", reason: "复核" });
    expect(closed.status).toBe(409);
    expect(((await closed.json()) as any).error.code).toBe("ITEM_CLOSED");
    expect(((await (await mark("report/east", "office", { light: "red" })).json()) as any).error.code).toBe("NO_REASON");
    const after: string[] = [];
    for await (const e of campaign.store.read({ fromSeq: head.seq + 1 })) after.push(e.type);
    expect(after).toEqual(["requestRefused", "requestRefused", "requestRefused", "requestRefused"]);
  });

  it("records the office's mark, and the 红灯清单 and board show it", async () => {
    const ok = await mark("report/east", "office", { light: "red", reason: "连续逾期，约谈" });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as any).event).toMatchObject({ type: "lightMarked", assignment: "report/east", payload: { light: "red", reason: "连续逾期，约谈", via: "web", user: "office" } });

    const board = (await (await get("/api/board?light=red", "office")).json()) as any;
    expect(board.assignments.map((r: any) => r.id)).toEqual(["report/east", "summary/east"]);
    expect(board.assignments[0].light).toMatchObject({ colour: "red", overdue: true, mark: { light: "red", reason: "连续逾期，约谈" } });

    const list = await get("/lights/red", "audit");
    expect(list.status).toBe(200);
    const text = await list.text();
    expect(text).toContain("红灯清单");
    // Sorted by ladder level, then days late: the report (17 working days) before the summary (3).
    expect(text.indexOf("半年报告")).toBeLessThan(text.indexOf("阶段小结"));
    expect(text).toContain("逾期未报；办公室标红：连续逾期，约谈");
    expect(text).toContain("17 个工作日");
    const unit = await get("/lights/red", "north");
    expect(unit.status).toBe(403);
  });

  it("shows the light on the board, the unit page and the item page, with closed items labelled by how they closed", async () => {
    const board = await (await get("/?light=green", "office")).text();
    expect(board).toContain('<option value="green" selected>绿灯</option>');
    expect(board).toMatch(/红灯 <a href="\/\?light=red">2<\/a> 项/);
    expect(board).toContain("绿灯：逾期4个工作日报送，待审核");
    const south = await (await get("/units/south", "office")).text();
    expect(south).toContain("绿灯：逾期4个工作日报送，待审核");
    expect(south).not.toContain("临期");
    const north = await (await get("/units/north", "north")).text();
    expect(north).toContain("绿灯：按时办结");
    const item = await (await get("/items/report/east", "office")).text();
    expect(item).toContain("红灯：逾期17个工作日");
    expect(item).toContain("办公室标红：连续逾期，约谈");
    // The form is for a signed-in session (it needs the CSRF token), and for items still owed.
    const open = { colour: "red", label: "逾期17个工作日", closed: false, overdue: true, daysLate: 17 } as const;
    expect(lightForm("report/east", open, "t0k").value).toContain('action="/items/report/east/light"');
    expect(lightForm("report/east", open, "t0k").value).not.toContain('value="clear"');
    expect(lightForm("report/north", { colour: "green", label: "按时办结", closed: true, overdue: false, daysLate: 0 }, "t0k").value).toBe("");
  });

  it("the item page's form marks and clears for a signed-in office user, with the CSRF token", async () => {
    const c = new Client(server.url);
    expect((await c.signIn(tokens.office!)).status).toBe(303);
    const page = await (await c.fetch("/items/summary/east")).text();
    expect(page).toContain('action="/items/summary/east/light"');
    const forged = await c.fetch("/items/summary/east/light", { method: "POST", body: new URLSearchParams({ light: "red", reason: "x", _csrf: "forged" }) });
    expect(forged.status).toBe(403);
    const ok = await c.fetch("/items/summary/east/light", { method: "POST", body: new URLSearchParams({ light: "red", reason: "现场督导", _csrf: c.csrf }) });
    expect(ok.status).toBe(303);
    expect(ok.headers.get("location")).toBe("/items/summary/east?done=light");
    const after = await (await c.fetch("/items/summary/east?done=light")).text();
    expect(after).toContain("已标注。");
    expect(after).toContain("办公室标红：现场督导");
    expect(after).toContain('value="clear"');
    expect((await c.fetch("/items/summary/east/light", { method: "POST", body: new URLSearchParams({ light: "clear", _csrf: c.csrf }) })).status).toBe(303);
    expect(await (await c.fetch("/items/summary/east")).text()).not.toContain("办公室标红：现场督导）");
  });
});

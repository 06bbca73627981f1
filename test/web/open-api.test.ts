import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client } from "./setup.ts";
import { startKindsFixture, type KindsFixture } from "./kinds-setup.ts";

let f: KindsFixture;
beforeAll(async () => {
  f = await startKindsFixture();
});
afterAll(async () => {
  await f?.close();
});

const bearer = (who: keyof KindsFixture["tokens"]) => ({ authorization: `Bearer ${f.tokens[who]}` });

async function open(who: keyof KindsFixture["tokens"], kind: string, body: Record<string, unknown>): Promise<{ status: number; json: Record<string, unknown> }> {
  const r = await fetch(`${f.server.url}/api/kinds/${encodeURIComponent(kind)}/items`, { method: "POST", headers: { ...bearer(who), "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: r.status, json: (await r.json()) as Record<string, unknown> };
}

async function act(who: keyof KindsFixture["tokens"], id: string, verb: string, body: Record<string, unknown> = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  const r = await fetch(`${f.server.url}/api/items/${id}/${verb}`, { method: "POST", headers: { ...bearer(who), "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: r.status, json: (await r.json()) as Record<string, unknown> };
}

async function get(who: keyof KindsFixture["tokens"], path: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const r = await fetch(`${f.server.url}${path}`, { headers: bearer(who) });
  return { status: r.status, json: (await r.json()) as Record<string, unknown> };
}

/** Every event but the log of refused requests: what a refusal must leave as it was. */
async function written(): Promise<string[]> {
  const out: string[] = [];
  for await (const e of f.store.read({})) if (e.type !== "requestRefused") out.push(`${e.seq}:${e.type}`);
  return out;
}

const error = (j: Record<string, unknown>) => j.error as { code: string; message: string };
const dubandan = { to: ["north"], title: "关于北区欠薪问题的督办单", fields: { basis: "市领导批示", category: "欠薪" } };

describe("opening items through the JSON API", () => {
  it("lets the office open a 督办单; the district sees it to 签收, the other district does not", async () => {
    const r = await open("office", "dubandan", { ...dubandan, level: "特急", note: "请于24小时内办结" });
    expect(r.status).toBe(201);
    expect(r.json.id).toBe("dubandan-001");
    const row = r.json.row as Record<string, unknown>;
    expect(row).toMatchObject({ kind: "dubandan", urgency: "特急", openedBy: "hq", acknowledgedAt: null, unit: "north", state: "open" });
    // 特急: +24h from 2021-05-10 10:00.
    expect(row.due).toBe("2021-05-11T10:00:00+08:00");

    const unit = await get("north", "/api/units/north");
    const mine = (unit.json.owed as { id: string; canAcknowledge: boolean; opened?: { kindTitle: string } }[]).find((i) => i.id === "dubandan-001")!;
    expect(mine.canAcknowledge).toBe(true);
    expect(mine.opened?.kindTitle).toBe("督办单");
    expect((await get("south", "/api/items/dubandan-001")).status).toBe(403);
    const item = await get("north", "/api/items/dubandan-001");
    expect(item.json.allowed).toEqual(["acknowledge", "submit"]);
    expect(item.json.fields).toEqual([
      { id: "basis", title: "交办依据", type: "longText", value: "市领导批示" },
      { id: "category", title: "问题类别", type: "choice", value: "欠薪" },
    ]);
  });

  it("runs 签收 → 办结报告 → 退回 → 办结报告 → 销号, every step in the item's trail with actor, instant and reason", async () => {
    const id = "dubandan-001";
    expect((await act("north", id, "acknowledge", { note: "已收到，由劳动监察科承办" })).status).toBe(200);
    const again = await act("north", id, "acknowledge");
    expect(again.status).toBe(409);
    expect(error(again.json).message).toContain("已签收");
    expect((await act("north", id, "submit", { note: "已督促企业支付工资" })).status).toBe(200);
    expect((await act("office", id, "return", { note: "请附支付凭证" })).status).toBe(200);
    expect((await act("north", id, "submit", { note: "补充支付凭证" })).status).toBe(200);
    expect((await act("office", id, "accept", { note: "同意销号" })).status).toBe(200);
    const item = await get("office", `/api/items/${id}`);
    const trail = (item.json.history as { type: string; actor: { unit?: string }; at: string; payload: { note?: string } }[]).filter((e) => !["dueSoon", "overdue", "reminded", "requestRefused"].includes(e.type));
    expect(trail.map((e) => [e.type, e.actor.unit, e.payload.note])).toEqual([
      ["itemOpened", "hq", undefined],
      ["acknowledged", "north", "已收到，由劳动监察科承办"],
      ["submitted", "north", "已督促企业支付工资"],
      ["returned", "hq", "请附支付凭证"],
      ["submitted", "north", "补充支付凭证"],
      ["accepted", "hq", "同意销号"],
    ]);
    expect(trail.every((e) => e.at.startsWith("2021-05-10T10:00"))).toBe(true);
    expect((item.json.row as { state: string; acknowledgedAt: string }).state).toBe("accepted");
  });

  it("shows a joint item as one row with every member; only the lead member reports", async () => {
    const r = await open("office", "rectify", { to: ["north", "south"], title: "某中介机构违规整改", due: "2021-05-20", fields: { agency: "某人力资源公司", problem: "未公示收费标准" } });
    expect(r.status).toBe(201);
    const id = r.json.id as string;
    const board = await get("office", "/api/board?kind=rectify");
    const rows = board.json.assignments as { id: string; members?: string[]; due: string }[];
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id, members: ["north", "south"], due: "2021-05-20T18:00:00+08:00" });
    // The member that is not the lead sees it on its own page, and may not hand it in.
    const south = await get("south", "/api/units/south");
    expect((south.json.owed as { id: string; canSubmit: boolean }[]).find((i) => i.id === id)).toMatchObject({ canSubmit: false });
    const bySouth = await act("south", id, "submit", { note: "已整改" });
    expect(bySouth.status).toBe(403);
    expect(error(bySouth.json).message).toContain("由牵头单位北区报送");
    expect((await act("north", id, "submit", { note: "已整改" })).status).toBe(200);
    // The plan's items and the opened ones are told apart by the kind filter.
    const planned = (await get("office", "/api/board?kind=plan")).json.assignments as { kind?: string }[];
    expect(planned.length).toBeGreaterThan(0);
    expect(planned.every((x) => x.kind === undefined)).toBe(true);
  });

  it("lets a district open a 一事一报 for itself: 续报 keeps it open, 终报 hands it in; it may not close its own", async () => {
    const r = await open("north", "event-report", { to: ["north"], title: "某工地农民工聚集讨薪", fields: { what: "约30人聚集" } });
    expect(r.status).toBe(201);
    const id = r.json.id as string;
    expect((await act("north", id, "submit", { note: "首报：已到场处置" })).status).toBe(200);
    let row = (await get("north", `/api/items/${id}`)).json.row as { state: string; reports: number };
    expect(row).toMatchObject({ state: "open", reports: 1 });
    expect((await act("north", id, "submit", { note: "终报：已全部支付", final: true })).status).toBe(200);
    row = (await get("north", `/api/items/${id}`)).json.row as { state: string; reports: number };
    expect(row.state).toBe("submitted");
    const own = await act("north", id, "accept");
    expect(own.status).toBe(403);
    expect(error(own.json).code).toBe("OWN_ITEM");
    expect(error(own.json).message).toContain("不能通过本单位承办的");
    expect((await act("office", id, "accept")).status).toBe(200);
  });

  it("lets the office extend and withdraw an opened item", async () => {
    const r = await open("office", "dubandan", { ...dubandan, title: "第二张督办单" });
    const id = r.json.id as string;
    expect((await act("office", id, "extend", { until: "2021-05-28" })).status).toBe(200);
    expect(((await get("office", `/api/items/${id}`)).json.row as { due: string }).due).toBe("2021-05-28T18:00:00+08:00");
    const byDistrict = await act("north", id, "withdraw");
    expect(byDistrict.status).toBe(403);
    expect((await act("office", id, "withdraw", { note: "问题已由市级部门处理" })).status).toBe(200);
    expect(((await get("office", `/api/items/${id}`)).json.row as { state: string }).state).toBe("withdrawn");
  });

  it("describes the kinds, and whether this user may open each", async () => {
    const k = (await get("north", "/api/kinds")).json.kinds as { id: string; mayOpen: boolean; recipients: string[] }[];
    expect(k.map((x) => [x.id, x.mayOpen])).toEqual([["dubandan", false], ["event-report", true], ["rectify", false], ["inspection", false]]);
    expect(k.find((x) => x.id === "event-report")!.recipients).toEqual(["north"]);
  });
});

describe("bad openings: HTTP 4xx with the reason in Chinese, and nothing written", () => {
  const cases: [string, keyof KindsFixture["tokens"], string, Record<string, unknown>, number, string, string][] = [
    ["an unknown kind (with the nearest id)", "office", "dubanda", dubandan, 404, "UNKNOWN_KIND", "是否要用“dubandan”"],
    ["an opener the kind does not allow (naming who may)", "north", "dubandan", dubandan, 403, "NOT_OPENER", "北区无权交办“督办单”：只有"],
    ["a unit outside the kind's set", "office", "dubandan", { ...dubandan, to: ["hq"] }, 422, "BAD_RECIPIENT", "不在“督办单”可交办的范围内"],
    ["several units for a kind that is not joint", "office", "dubandan", { ...dubandan, to: ["north", "south"] }, 422, "BAD_RECIPIENT", "只能交办给一个单位"],
    ["a due date before now", "office", "rectify", { to: ["north"], title: "整改", due: "2021-05-07", fields: { agency: "甲公司", problem: "问题" } }, 422, "BAD_DUE", "不晚于现在"],
    ["a due date beyond the kind's bound", "office", "rectify", { to: ["north"], title: "整改", due: "2021-09-30", fields: { agency: "乙公司", problem: "问题" } }, 422, "BAD_DUE", "晚于此类事项允许的最晚时间"],
    ["a due date that is no date", "office", "rectify", { to: ["north"], title: "整改", due: "下周", fields: { agency: "丙公司", problem: "问题" } }, 400, "BAD_DATE", "截止时间“下周”无效"],
    ["a missing required field", "office", "dubandan", { ...dubandan, fields: { category: "欠薪" } }, 422, "BAD_FIELDS", "交办依据"],
    ["a field of the wrong type", "office", "inspection", { to: ["north"], title: "检查", fields: { found: "上周", amount: "很多" } }, 422, "BAD_FIELDS", "涉及金额"],
    ["an unknown field", "office", "dubandan", { ...dubandan, fields: { ...dubandan.fields, bogus: "x" } }, 422, "BAD_FIELDS", "bogus"],
    ["a choice outside the list", "office", "dubandan", { ...dubandan, fields: { basis: "批示", category: "其他" } }, 422, "BAD_FIELDS", "问题类别"],
    ["an urgency the kind does not have", "office", "dubandan", { ...dubandan, level: "十万火急" }, 422, "BAD_LEVEL", "可选：一般、特急"],
    ["an attachment given as JSON", "office", "inspection", { to: ["north"], title: "检查", fields: { found: "2021-05-08", evidence: [{ name: "a.pdf", sha256: "0".repeat(64), size: 10 }] } }, 400, "ATTACHMENT_AS_FILE", "multipart/form-data"],
    ["an auditor", "auditor", "dubandan", dubandan, 403, "READ_ONLY", "审计账号只能查看"],
    ["no title", "office", "dubandan", { ...dubandan, title: " " }, 400, "TITLE_REQUIRED", "请填写事项名称"],
  ];
  for (const [what, who, kind, body, status, code, words] of cases)
    it(`refuses ${what}`, async () => {
      const before = await written();
      const r = await open(who, kind, body);
      expect(r.status).toBe(status);
      expect(error(r.json).code).toBe(code);
      expect(error(r.json).message).toContain(words);
      expect(await written()).toEqual(before);
    });

  it("refuses an attachment over the kind's limit, and keeps no file", async () => {
    const c = new Client(f.server.url);
    await c.signIn(f.tokens.office);
    const bytes = Buffer.concat([Buffer.from("%PDF-1.4\n"), Buffer.alloc(2048, 0x20)]);
    const form = new FormData();
    form.append("_csrf", c.csrf);
    form.append("title", "检查发现问题");
    form.append("to", "north");
    form.append("f.found", "2021-05-08");
    form.append("f.evidence", new File([bytes], "照片.pdf", { type: "application/pdf" }));
    const before = await written();
    const r = await c.fetch("/api/kinds/inspection/items", { method: "POST", body: form });
    expect(r.status).toBe(422);
    expect(error((await r.json()) as Record<string, unknown>).message).toContain("证据材料");
    expect(await written()).toEqual(before);
    expect(await f.sidecar.attachments.get(createHash("sha256").update(bytes).digest("hex"))).toBeUndefined();
  });

  it("opens with every field type through a form, the attachment stored and downloadable", async () => {
    const c = new Client(f.server.url);
    await c.signIn(f.tokens.office);
    const bytes = Buffer.from("%PDF-1.4\n%%EOF\n");
    const form = new FormData();
    form.append("_csrf", c.csrf);
    form.append("title", "某公司未按规定缴存保证金");
    form.append("to", "south");
    form.append("f.found", "2021-05-08");
    form.append("f.amount", "12,500");
    form.append("f.agency", "北区");
    form.append("f.evidence", new File([bytes], "检查记录.pdf", { type: "application/pdf" }));
    const r = await c.fetch("/open/inspection", { method: "POST", body: form });
    expect(r.status).toBe(303);
    const id = /\/items\/([^?]+)\?done=open/.exec(r.headers.get("location")!)![1]!;
    const item = (await get("office", `/api/items/${id}`)).json;
    const sha = createHash("sha256").update(bytes).digest("hex");
    expect((item.fields as { id: string; value: unknown }[]).map((x) => [x.id, x.value])).toEqual([
      ["found", "2021-05-08"],
      ["amount", 12500],
      ["agency", "north"],
      ["evidence", [{ name: "检查记录.pdf", sha256: sha, size: bytes.length }]],
    ]);
    const file = await fetch(`${f.server.url}/api/items/${id}/attachments/${sha}`, { headers: bearer("south") });
    expect(file.status).toBe(200);
    expect(Buffer.from(await file.arrayBuffer())).toEqual(bytes);
    const page = await (await c.fetch(`/items/${id}?done=open`)).text();
    expect(page).toContain("已交办。");
    expect(page).toContain("检查记录.pdf");
  });

  it("refuses a district acting on another district's item", async () => {
    const before = await written();
    const r = await act("south", "dubandan-001", "acknowledge");
    expect(r.status).toBe(403);
    expect(error(r.json).message).toContain("只有责任单位北区可以签收");
    expect(await written()).toEqual(before);
  });
});

describe("pages and reports with opened items in the store", () => {
  it("serve every page and report without tripping over items the plan does not list", async () => {
    const c = new Client(f.server.url);
    await c.signIn(f.tokens.office);
    for (const path of ["/", "/?kind=dubandan", "/?kind=plan", "/?unit=south", "/units/north", "/units/south", "/lights/red", "/replay?asOf=2021-05-10T12:00", "/stats", "/open", "/open/rectify", "/items/rectify-001?asOf=2021-05-10T12:00"]) {
      const r = await c.fetch(path);
      expect([path, r.status]).toEqual([path, 200]);
    }
    for (const path of ["/api/board", "/api/stats", "/api/score", "/api/ledger.xlsx", "/api/replay?asOf=2021-05-10T12:00"]) {
      const r = await fetch(`${f.server.url}${path}`, { headers: bearer("office") });
      // The minimal plan has no scoring: /api/score refuses in words, it does not fail.
      expect([path, r.status]).toEqual([path, path === "/api/score" ? r.status : 200]);
      expect(r.status).toBeLessThan(500);
    }
    // The replay lists the items opened by then, each opening its page as of that instant.
    const replay = await (await c.fetch("/replay?asOf=2021-05-10T12:00")).text();
    expect(replay).toContain("交办事项");
    expect(replay).toMatch(/href="\/items\/dubandan-001\?asOf=/);
    // A joint item's second member finds it on the board when it filters by itself.
    const south = (await get("office", "/api/board?unit=south&kind=rectify")).json.assignments as { id: string }[];
    expect(south.map((r) => r.id)).toEqual(["rectify-001"]);
  });
});

describe("签收 overdue", () => {
  it("tells the office on the item page that nobody signed for it in time", async () => {
    const r = await open("office", "dubandan", { ...dubandan, title: "无人签收的督办单" });
    const id = r.json.id as string;
    // 签收 within one working day: due 2021-05-11 18:00; the ladder's 签收 step fires then.
    f.clock.now = Date.parse("2021-05-12T09:00:00+08:00");
    await f.campaign.tick(f.clock.now);
    const item = (await get("office", `/api/items/${id}`)).json;
    expect((item.row as { acknowledgedAt: null }).acknowledgedAt).toBeNull();
    expect(item.reminders as { reason?: string; recipient: string }[]).toContainEqual(expect.objectContaining({ reason: "unacknowledged", recipient: "hq" }));
    const c = new Client(f.server.url);
    await c.signIn(f.tokens.office);
    expect(await (await c.fetch(`/items/${id}`)).text()).toContain("超时未签收");
  });
});

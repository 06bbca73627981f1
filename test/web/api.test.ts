import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Client, startFixture, type Fixture } from "./setup.ts";

let f: Fixture;
let base: string;
const PDF = Buffer.concat([Buffer.from("%PDF-1.4\n"), Buffer.alloc(2000, 0x20), Buffer.from("\n%%EOF\n")]);

// A fresh server, store and clock for every test: none may lean on what an earlier one submitted,
// revoked or spent of the sign-in refusal budget (checked with `vitest --sequence.shuffle`).
beforeEach(async () => {
  f = await startFixture();
  base = f.server.url;
});
afterEach(async () => f?.close());

/** Everything a request could change: the log head, every item's state, the files, the outbox. */
async function snapshot() {
  await f.campaign.refresh();
  return {
    head: (await f.store.head()).seq,
    board: JSON.stringify(f.campaign.board(f.clock.now).map((r) => [r.id, r.state, r.due, r.returns, r.extensions])),
    attachments: await f.sidecar.attachments.count(),
    outbox: JSON.stringify(await f.store.outboxCounts()),
  };
}

/**
 * Runs a request that must be refused and asserts the refusal precisely: the status, the code, a
 * Chinese reason, and that the store is unchanged but for exactly one logged refusal event (or none).
 */
async function refused(req: () => Promise<Response>, status: number, code: string, logged: false | "requestRefused" | "signInRefused") {
  const before = await snapshot();
  const res = await req();
  expect(res.status).toBe(status);
  const type = res.headers.get("content-type") ?? "";
  if (type.includes("json")) {
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe(code);
    expect(body.error.message).toMatch(/[\u4e00-\u9fff]/);
  } else expect(await res.text()).toContain(code);
  const after = await snapshot();
  expect(after.board).toBe(before.board);
  expect(after.attachments).toBe(before.attachments);
  expect(after.outbox).toBe(before.outbox);
  if (!logged) expect(after.head).toBe(before.head);
  else {
    expect(after.head).toBe(before.head + 1);
    let last;
    for await (const e of f.store.read({ fromSeq: after.head })) last = e;
    expect(last!.type).toBe(logged);
    expect((last!.payload as { code: string }).code).toBe(code);
    // No secret reaches the log.
    expect(JSON.stringify(last)).not.toMatch(new RegExp(Object.values(f.tokens).join("|")));
  }
  return res;
}

const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
const json = (t: string, body: object) => ({ method: "POST", headers: { ...bearer(t), "content-type": "application/json" }, body: JSON.stringify(body) });

function upload(files: { name: string; bytes: Buffer }[], note = "见附件", csrf?: string): FormData {
  const fd = new FormData();
  fd.set("note", note);
  if (csrf) fd.set("_csrf", csrf);
  for (const x of files) fd.append("files", new Blob([new Uint8Array(x.bytes)]), x.name);
  return fd;
}

describe("the API and its permission rules", () => {
  it("serves an OpenAPI document naming every route", async () => {
    const doc = (await (await fetch(`${base}/api/openapi.json`)).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe("3.1.0");
    for (const p of ["/api/board", "/api/units/{unit}", "/api/items/{id}", "/api/items/{id}/submit", "/api/items/{id}/accept", "/api/items/{id}/return", "/api/items/{id}/extend", "/api/items/{id}/waive", "/api/replay"])
      expect(doc.paths).toHaveProperty([p]);
  });

  it("refuses anonymous requests with 401 and logs nothing", async () => {
    await refused(() => fetch(`${base}/api/board`), 401, "UNAUTHENTICATED", false);
    await refused(() => fetch(`${base}/api/items/implementation-plan/yuzhong/submit`, { method: "POST", body: "{}", headers: { "content-type": "application/json" } }), 401, "UNAUTHENTICATED", false);
  });

  it("refuses a wrong token, by header or by form, and logs the attempt without the token", async () => {
    await refused(() => fetch(`${base}/api/board`, { headers: bearer("not-a-token") }), 401, "BAD_TOKEN", "signInRefused");
    const c = new Client(base);
    const before = await snapshot();
    const res = await c.signIn("still-not-a-token");
    expect(res.status).toBe(401);
    expect(await res.text()).toContain("访问令牌无效或已停用");
    const after = await snapshot();
    expect({ ...after, head: after.head - 1 }).toEqual(before);
    let last;
    for await (const e of f.store.read({ fromSeq: after.head })) last = e;
    expect(last).toMatchObject({ type: "signInRefused", payload: { via: "form", code: "BAD_TOKEN" } });
  });

  it("refuses a sign-in form posted without its double-submit token (login CSRF)", async () => {
    await refused(() => fetch(`${base}/login`, { method: "POST", body: new URLSearchParams({ token: f.tokens.yuzhong, _csrf: "forged" }), redirect: "manual" }), 403, "CSRF_INVALID", false);
  });

  it("signs in through the form: HttpOnly SameSite=Lax cookie, session ends when it expires", async () => {
    const c = new Client(base);
    const res = await c.signIn(f.tokens.yuzhong);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/units/yuzhong");
    const cookie = res.headers.getSetCookie().find((s) => s.startsWith("duban_session="))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect((await c.fetch("/api/board")).status).toBe(200);
    f.clock.wall += 9 * 3600_000;
    try {
      await refused(() => c.fetch("/api/board"), 401, "SESSION_EXPIRED", false);
    } finally {
      f.clock.wall -= 9 * 3600_000;
    }
  });

  it("checks the per-session CSRF token on every POST made with a session", async () => {
    const c = new Client(base);
    await c.signIn(f.tokens.yuzhong);
    const post = (headers: Record<string, string>) => () => c.fetch("/api/items/implementation-plan/yuzhong/submit", { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ note: "x" }) });
    await refused(post({}), 403, "CSRF_MISSING", "requestRefused");
    await refused(post({ "x-csrf-token": "forged" }), 403, "CSRF_INVALID", "requestRefused");
    // The page form too: a hidden field that does not match.
    await refused(() => c.fetch("/items/implementation-plan/yuzhong/submit", { method: "POST", body: upload([], "x", "forged") }), 403, "CSRF_INVALID", "requestRefused");
    // Another user's CSRF token does not work either.
    const other = new Client(base);
    await other.signIn(f.tokens.fuling);
    await refused(post({ "x-csrf-token": other.csrf }), 403, "CSRF_INVALID", "requestRefused");
  });

  it("refuses oversized uploads and types outside the list, keeping nothing", async () => {
    const t = f.tokens.yuzhong;
    const big = Buffer.concat([Buffer.from("%PDF-1.4\n"), Buffer.alloc(10 * 1024 * 1024 - 5, 0x20)]);
    const send = (fd: FormData) => () => fetch(`${base}/api/items/implementation-plan/yuzhong/submit`, { method: "POST", headers: bearer(t), body: fd });
    await refused(send(upload([{ name: "方案.pdf", bytes: big }])), 413, "FILE_TOO_LARGE", "requestRefused");
    await refused(send(upload([{ name: "a.pdf", bytes: Buffer.alloc(11 * 1024 * 1024, 0x25) }])), 413, "FILE_TOO_LARGE", "requestRefused");
    await refused(send(upload([{ name: "setup.exe", bytes: Buffer.from("MZ\x90\x00") }])), 415, "FILE_TYPE", "requestRefused");
    await refused(send(upload([{ name: "伪装.pdf", bytes: Buffer.from("MZ\x90\x00 not a pdf") }])), 415, "FILE_CONTENT", "requestRefused");
  });

  it("lets a district submit its own item with an attachment, stored under its SHA-256", async () => {
    const res = await fetch(`${base}/api/items/implementation-plan/yuzhong/submit`, { method: "POST", headers: bearer(f.tokens.yuzhong), body: upload([{ name: "实施方案.pdf", bytes: PDF }], "<script>alert(1)</script>") });
    expect(res.status).toBe(200);
    const { event } = (await res.json()) as { event: { type: string; payload: { attachments: { sha256: string; name: string }[]; user: string } } };
    expect(event.type).toBe("submitted");
    expect(event.payload.user).toBe("yuzhong-zhang");
    const sha = event.payload.attachments[0]!.sha256;
    const { createHash } = await import("node:crypto");
    expect(sha).toBe(createHash("sha256").update(PDF).digest("hex"));
    const dl = await fetch(`${base}/api/items/implementation-plan/yuzhong/attachments/${sha}`, { headers: bearer(f.tokens.office) });
    expect(dl.status).toBe(200);
    expect(Buffer.from(await dl.arrayBuffer()).equals(PDF)).toBe(true);
    // Another district may not download it.
    await refused(() => fetch(`${base}/api/items/implementation-plan/yuzhong/attachments/${sha}`, { headers: bearer(f.tokens.fuling) }), 403, "NOT_YOUR_ITEM", "requestRefused");
    // The note is escaped on the page.
    const page = await (await fetch(`${base}/items/implementation-plan/yuzhong`, { headers: bearer(f.tokens.office) })).text();
    expect(page).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(page).not.toContain("<script>alert(1)");
  });

  it("refuses a district acting on or reading another district's item (403, logged)", async () => {
    await refused(() => fetch(`${base}/api/items/implementation-plan/fuling/submit`, json(f.tokens.yuzhong, { note: "代报" })), 403, "NOT_PERMITTED", "requestRefused");
    await refused(() => fetch(`${base}/api/items/implementation-plan/fuling`, { headers: bearer(f.tokens.yuzhong) }), 403, "NOT_YOUR_ITEM", "requestRefused");
    await refused(() => fetch(`${base}/api/units/fuling`, { headers: bearer(f.tokens.yuzhong) }), 403, "NOT_YOUR_UNIT", "requestRefused");
    await refused(() => fetch(`${base}/items/implementation-plan/fuling`, { headers: bearer(f.tokens.yuzhong) }), 403, "NOT_YOUR_ITEM", "requestRefused");
    // Nor the office's actions on its own item.
    await refused(() => fetch(`${base}/api/items/implementation-plan/yuzhong/accept`, json(f.tokens.yuzhong, {})), 403, "NOT_PERMITTED", "requestRefused");
    await refused(() => fetch(`${base}/api/replay?asOf=2021-05-18T09:00`, { headers: bearer(f.tokens.yuzhong) }), 403, "REPLAY_FORBIDDEN", "requestRefused");
    // Its board holds only its own items.
    const board = (await (await fetch(`${base}/api/board`, { headers: bearer(f.tokens.yuzhong) })).json()) as { assignments: { unit: string }[] };
    expect(board.assignments.length).toBeGreaterThan(0);
    expect(new Set(board.assignments.map((a) => a.unit))).toEqual(new Set(["yuzhong"]));
  });

  it("lets an auditor read everything and change nothing", async () => {
    const board = (await (await fetch(`${base}/api/board`, { headers: bearer(f.tokens.auditor) })).json()) as { assignments: unknown[] };
    expect(board.assignments).toHaveLength(f.campaign.plan.assignments.length);
    expect((await fetch(`${base}/api/items/implementation-plan/fuling`, { headers: bearer(f.tokens.auditor) })).status).toBe(200);
    const replay = (await (await fetch(`${base}/api/replay?asOf=2021-05-01T09:00`, { headers: bearer(f.tokens.auditor) })).json()) as { assignments: { state: string }[] };
    expect(replay.assignments.every((a) => a.state !== "submitted")).toBe(true);
    for (const verb of ["submit", "accept", "return", "extend", "waive"])
      await refused(() => fetch(`${base}/api/items/implementation-plan/yuzhong/${verb}`, json(f.tokens.auditor, { note: "审计", until: "2021-06-01" })), 403, "READ_ONLY", "requestRefused");
  });

  it("lets the office return with a comment, shows it to the district, and accept the resubmission", async () => {
    const id = "implementation-plan/yuzhong";
    expect((await fetch(`${base}/api/items/${id}/submit`, json(f.tokens.yuzhong, { note: "见附件" }))).status).toBe(200);
    await refused(() => fetch(`${base}/api/items/${id}/return`, json(f.tokens.office, {})), 400, "COMMENT_REQUIRED", "requestRefused");
    const ret = await fetch(`${base}/api/items/${id}/return`, json(f.tokens.office, { note: "缺少工作台账，请补充" }));
    expect(ret.status).toBe(200);
    await refused(() => fetch(`${base}/api/items/${id}/accept`, json(f.tokens.office, {})), 409, "WRONG_STATE", "requestRefused");
    const unit = (await (await fetch(`${base}/api/units/yuzhong`, { headers: bearer(f.tokens.yuzhong) })).json()) as { owed: { id: string; state: string; returnedComment?: { note: string } }[] };
    const item = unit.owed.find((i) => i.id === id)!;
    expect(item.state).toBe("returned");
    expect(item.returnedComment?.note).toBe("缺少工作台账，请补充");
    expect((await fetch(`${base}/api/items/${id}/submit`, json(f.tokens.yuzhong, { note: "已补充" }))).status).toBe(200);
    expect((await fetch(`${base}/api/items/${id}/accept`, json(f.tokens.office, { note: "通过" }))).status).toBe(200);
    const d = (await (await fetch(`${base}/api/items/${id}`, { headers: bearer(f.tokens.yuzhong) })).json()) as { row: { state: string }; history: { type: string }[]; allowed: string[] };
    expect(d.row.state).toBe("accepted");
    expect(d.history.map((e) => e.type)).toEqual(expect.arrayContaining(["opened", "submitted", "returned", "accepted"]));
    expect(d.allowed).toEqual([]);
  });

  it("lets the office extend, checking the date; refuses a waive by a district", async () => {
    const id = "self-inspection-report/fuling";
    await refused(() => fetch(`${base}/api/items/${id}/extend`, json(f.tokens.office, { until: "someday" })), 400, "BAD_DATE", "requestRefused");
    await refused(() => fetch(`${base}/api/items/${id}/extend`, json(f.tokens.office, { until: "2021-05-01" })), 422, "BAD_EXTENSION", "requestRefused");
    const ok = await fetch(`${base}/api/items/${id}/extend`, json(f.tokens.office, { until: "2021-05-27", note: "汛期" }));
    expect(ok.status).toBe(200);
    await refused(() => fetch(`${base}/api/items/${id}/waive`, json(f.tokens.fuling, {})), 403, "NOT_PERMITTED", "requestRefused");
    await refused(() => fetch(`${base}/api/items/no-such/item/submit`, json(f.tokens.fuling, {})), 404, "UNKNOWN_ASSIGNMENT", "requestRefused");
  });

  it("shows who was reminded, when and through which channel", async () => {
    const d = (await (await fetch(`${base}/api/items/implementation-plan/fuling`, { headers: bearer(f.tokens.office) })).json()) as { reminders: { recipient: string; status: string; at: string }[] };
    // 05-17 09:00 is three working days before 05-20: the district was told (not yet dispatched: no daemon here).
    expect(d.reminders).toContainEqual(expect.objectContaining({ recipient: "fuling", at: "2021-05-17T09:00:00+08:00", status: "pending" }));
  });

  it("stops a revoked account at once, sessions included", async () => {
    const c = new Client(base);
    await c.signIn(f.tokens.fuling);
    const { revokeUser } = await import("../../src/access/users.ts");
    await revokeUser(f.campaign, f.sidecar.access, "fuling-li", f.clock.now);
    await refused(() => c.fetch("/api/board"), 401, "SESSION_ENDED", false);
    await refused(() => fetch(`${base}/api/board`, { headers: bearer(f.tokens.fuling) }), 401, "BAD_TOKEN", "signInRefused");
  });

  it("keeps strangers from filling the audit log with wrong tokens", async () => {
    const wrong = (i: number) => fetch(`${base}/api/board`, { headers: bearer(`wrong-${i}`) });
    const before = (await f.store.head()).seq;
    for (let i = 0; i < 30; i++) expect((await wrong(i)).status).toBe(401);
    const logged = [];
    for await (const e of f.store.read({ fromSeq: before + 1 })) logged.push(e);
    // At most ten a minute are logged.
    expect(logged.length).toBe(10);
    expect(logged.every((e) => e.type === "signInRefused" && !("path" in (e.payload as object)))).toBe(true);
    // A minute later the next one is logged again, with the count of those left out.
    f.clock.wall += 60_000;
    expect((await wrong(30)).status).toBe(401);
    let last;
    for await (const e of f.store.read({ fromSeq: before + 11 })) last = e;
    expect(last?.payload).toMatchObject({ code: "BAD_TOKEN", notLoggedBefore: 20 });
  });

  it("sends a signed-in user back only to a page of this site", async () => {
    for (const next of ["/%09/evil.example", "//evil.example", "/%5Cevil.example", "https://evil.example/"]) {
      const page = await (await fetch(`${base}/login?next=${next}`)).text();
      expect(page).not.toContain("evil.example");
    }
    const ok = await (await fetch(`${base}/login?next=${encodeURIComponent("/units/fuling?x=1")}`)).text();
    expect(ok).toContain("/units/fuling?x=1");
  });
});

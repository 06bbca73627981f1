import { randomBytes } from "node:crypto";
import http from "node:http";
import { HTTPException } from "hono/http-exception";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { StoredEvent } from "../../src/store/types.ts";
import { issueLoginToken } from "../../src/web/login-token.ts";
import { createApp, startServer, type RunningServer, type ServerOptions } from "../../src/web/server.ts";
import { Client, startFixture, type Fixture } from "./setup.ts";

// The attacks of issue 13 ("Security and robustness"), each against a real server over loopback.

let f: Fixture;
let base: string;
const extra: RunningServer[] = [];

beforeEach(async () => {
  f = await startFixture();
  base = f.server.url;
});
afterEach(async () => {
  for (const s of extra.splice(0)) await s.close();
  await f?.close();
});

/** A second server on the fixture's store, with options of its own (limits, public URL). */
async function serverWith(opts: Partial<ServerOptions>): Promise<RunningServer> {
  const s = await startServer({ campaign: f.campaign, sidecar: f.sidecar, port: 0, host: "127.0.0.1", now: () => f.clock.now, wallNow: () => f.clock.wall, ...opts });
  extra.push(s);
  return s;
}

async function eventsAfter(seq: number): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  for await (const e of f.store.read({ fromSeq: seq + 1 })) out.push(e);
  return out;
}

const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

/**
 * A POST whose headers promise `declared` bytes, of which only `first` are ever sent: the server must
 * answer without waiting for the rest (a bound, not a timing: a server that reads first never answers).
 */
function postWithoutBody(url: string, path: string, headers: Record<string, string>, declared: number, first: Buffer): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: Number(u.port), path, method: "POST", headers: { ...headers, "content-length": String(declared) } }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (body += d));
      res.on("end", () => {
        req.destroy();
        resolve({ status: res.statusCode!, body, headers: res.headers });
      });
    });
    const timer = setTimeout(() => (req.destroy(), reject(new Error("the server waited for the body instead of answering"))), 30_000);
    req.on("close", () => clearTimeout(timer));
    req.on("error", (err) => ((err as NodeJS.ErrnoException).code === "ECONNRESET" ? undefined : reject(err)));
    req.write(first);
  });
}

async function loginPair(path = "/login", server = base): Promise<{ cookie: string; field: string; setCookie: string[] }> {
  const res = await fetch(server + path);
  const setCookie = res.headers.getSetCookie();
  const field = /name="_csrf" value="([^"]+)"/.exec(await res.text())![1]!;
  return { cookie: setCookie[0]!.split(";")[0]!, field, setCookie };
}

describe("bodies are bounded, and CSRF comes before the body", () => {
  it("answers a signed-in POST /logout promising 200 MB with a 413 in Chinese, before the body is sent", async () => {
    const c = new Client(base);
    await c.signIn(f.tokens.auditor);
    const res = await postWithoutBody(base, "/logout", { cookie: `duban_session=${c.cookieHeader("duban_session")}`, "content-type": "application/x-www-form-urlencoded" }, 200 * 1024 * 1024, Buffer.alloc(64 * 1024, 0x61));
    expect(res.status).toBe(413);
    expect(res.body).toContain("提交的内容过大");
    // Still signed in: nothing was carried out.
    expect((await c.fetch("/api/me")).status).toBe(200);
  });

  it("refuses a cross-site POST /logout before reading its body", async () => {
    const c = new Client(base);
    await c.signIn(f.tokens.yuzhong);
    const res = await postWithoutBody(base, "/logout", { cookie: `duban_session=${c.cookieHeader("duban_session")}`, origin: "https://evil.example", "content-type": "application/x-www-form-urlencoded" }, 1000, Buffer.from("_csrf="));
    expect(res.status).toBe(403);
    expect(res.body).toContain("CSRF_CROSS_SITE");
    expect(res.body).toContain("拒绝来自其他网站的提交");
    const sibling = await postWithoutBody(base, "/logout", { cookie: `duban_session=${c.cookieHeader("duban_session")}`, "sec-fetch-site": "same-site" }, 1000, Buffer.from(""));
    expect(sibling.status).toBe(403);
    expect((await c.fetch("/api/me")).status).toBe(200);
  });

  it("signs out with the form's token, or with X-CSRF-Token and no body at all", async () => {
    const a = new Client(base);
    await a.signIn(f.tokens.yuzhong);
    expect((await a.fetch("/logout", { method: "POST", headers: { "x-csrf-token": a.csrf } })).status).toBe(303);
    expect((await a.fetch("/api/me")).status).toBe(401);
    const b = new Client(base);
    await b.signIn(f.tokens.yuzhong);
    expect((await b.fetch("/logout", { method: "POST", headers: { origin: base }, body: new URLSearchParams({ _csrf: b.csrf }) })).status).toBe(303);
    expect((await b.fetch("/api/me")).status).toBe(401);
  });

  it("answers an oversized sign-in with a 413 in Chinese, declared or chunked, never a 500", async () => {
    const big = "x".repeat(200 * 1024);
    const declared = await fetch(`${base}/login`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: `token=${big}` });
    expect(declared.status).toBe(413);
    expect(await declared.text()).toContain("提交的内容过大");
    const chunks = new ReadableStream({
      start(ctrl) {
        for (let i = 0; i < 20; i++) ctrl.enqueue(new TextEncoder().encode(big.slice(0, 16 * 1024)));
        ctrl.close();
      },
    });
    const chunked = await fetch(`${base}/login`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: chunks, duplex: "half" } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(await chunked.text()).toContain("提交的内容过大");
  });

  it("bounds the API's JSON bodies too", async () => {
    const res = await fetch(`${base}/api/items/implementation-plan/yuzhong/light`, { method: "POST", headers: { ...bearer(f.tokens.office), "content-type": "application/json" }, body: JSON.stringify({ light: "red", reason: "x".repeat(100 * 1024) }) });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: "BODY_TOO_LARGE", message: expect.stringContaining("提交的内容过大") });
  });

  it("passes Hono's own HTTP exceptions through app.onError with their status", async () => {
    const { app } = createApp({ campaign: {} as never, sidecar: { access: {}, attachments: {} } as never, log: () => {} });
    app.get("/teapot", () => {
      throw new HTTPException(400, { message: "bad" });
    });
    const res = await app.request("/teapot");
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/[\u4e00-\u9fff]/);
  });
});

describe("after sign-in, back to the page asked for, and only on this site", () => {
  it("never answers a next= that resolves to //host or /\\host", async () => {
    for (const next of ["/..//evil.example", "/.//evil.example/x", "/a/../..//evil.example", "/..%2F/evil.example", "/../\\evil.example", "//evil.example", "/\\evil.example"]) {
      const c = new Client(base);
      const pair = await loginPair();
      const res = await fetch(`${base}/login`, { method: "POST", headers: { cookie: pair.cookie }, body: new URLSearchParams({ token: f.tokens.yuzhong, _csrf: pair.field, next }), redirect: "manual" });
      expect(res.status, next).toBe(303);
      const location = res.headers.get("location")!;
      expect(location, next).not.toMatch(/^\/[/\\]/);
      expect(new URL(location, "http://duban.invalid").host, next).toBe("duban.invalid");
      void c;
    }
  });

  it("keeps the board's filter query through the sign-in and lands there", async () => {
    const asked = "/?unit=yuzhong&overdue=1";
    const anon = await fetch(`${base}${asked}`, { redirect: "manual" });
    expect(anon.status).toBe(303);
    const to = anon.headers.get("location")!;
    expect(to).toBe(`/login?next=${encodeURIComponent(asked)}`);
    const c = new Client(base);
    const form = await (await c.fetch(to)).text();
    const next = /name="next" value="([^"]*)"/.exec(form)![1]!.replace(/&amp;/g, "&");
    expect(next).toBe(asked);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form)![1]!;
    const res = await c.fetch("/login", { method: "POST", body: new URLSearchParams({ token: f.tokens.office, _csrf: csrf, next }) });
    expect(res.headers.get("location")).toBe(asked);
    // A unit page's sign-in link keeps its query as well.
    const page = await (await fetch(`${base}/units/yuzhong?tab=owed`)).text();
    expect(page).toContain(`/login?next=${encodeURIComponent("/units/yuzhong?tab=owed")}`);
  });
});

describe("the sign-in form's double-submit token is bound to the server", () => {
  it("does not sign a victim in with a cookie/field pair somebody planted", async () => {
    const head = (await f.store.head()).seq;
    // Made up by the attacker, as a sibling site could plant it.
    const planted = "attacker-chosen-value";
    const res = await fetch(`${base}/login`, { method: "POST", headers: { cookie: `duban_login=${planted}` }, body: new URLSearchParams({ token: f.tokens.fuling, _csrf: planted }), redirect: "manual" });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain("CSRF_INVALID");
    // Shaped like ours but signed with another key.
    const forged = issueLoginToken(randomBytes(32), f.clock.wall);
    const res2 = await fetch(`${base}/login`, { method: "POST", headers: { cookie: `duban_login=${forged}` }, body: new URLSearchParams({ token: f.tokens.fuling, _csrf: forged }), redirect: "manual" });
    expect(res2.status).toBe(403);
    expect(res2.headers.getSetCookie().some((s) => s.startsWith("duban_session="))).toBe(false);
    expect((await eventsAfter(head)).filter((e) => e.type === "signedIn")).toEqual([]);
  });

  it("refuses even a pair this server issued when the form is posted from another site", async () => {
    const pair = await loginPair();
    const res = await fetch(`${base}/login`, { method: "POST", headers: { cookie: pair.cookie, origin: "https://evil.example" }, body: new URLSearchParams({ token: f.tokens.fuling, _csrf: pair.field }), redirect: "manual" });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain("CSRF_CROSS_SITE");
  });

  it("accepts a pair one server issued at another server on the same store (the secret is in the database), and not after an hour", async () => {
    const other = await serverWith({});
    const pair = await loginPair("/login", other.url);
    const ok = await fetch(`${base}/login`, { method: "POST", headers: { cookie: pair.cookie, origin: base }, body: new URLSearchParams({ token: f.tokens.fuling, _csrf: pair.field }), redirect: "manual" });
    expect(ok.status).toBe(303);
    const old = await loginPair();
    f.clock.wall += 3600_000;
    const late = await fetch(`${base}/login`, { method: "POST", headers: { cookie: old.cookie }, body: new URLSearchParams({ token: f.tokens.fuling, _csrf: old.field }), redirect: "manual" });
    expect(late.status).toBe(403);
  });
});

describe("refusals of a signed-in account", () => {
  const fulingItem = "implementation-plan/fuling";

  it("stay off the other unit's item trail, are logged at most ten a minute per account, with the client address", async () => {
    const head = (await f.store.head()).seq;
    for (let i = 0; i < 30; i++) expect((await fetch(`${base}/api/items/${fulingItem}`, { headers: bearer(f.tokens.yuzhong) })).status).toBe(403);
    const trail = await f.campaign.history(fulingItem);
    expect(trail.filter((e) => e.type === "requestRefused")).toEqual([]);
    const logged = (await eventsAfter(head)).filter((e) => e.type === "requestRefused");
    expect(logged).toHaveLength(10);
    expect(logged[0]!.assignment).toBeUndefined();
    expect(logged[0]!.payload).toMatchObject({ user: "yuzhong-zhang", code: "NOT_YOUR_ITEM", target: fulingItem, address: expect.stringMatching(/127\.0\.0\.1/) });
    // Another account has a budget of its own.
    expect((await fetch(`${base}/api/units/yuzhong`, { headers: bearer(f.tokens.fuling) })).status).toBe(403);
    expect((await eventsAfter(head)).filter((e) => e.type === "requestRefused")).toHaveLength(11);
    // A minute later the next one is logged, saying how many were left out.
    f.clock.wall += 60_000;
    const mark = (await f.store.head()).seq;
    expect((await fetch(`${base}/api/items/${fulingItem}`, { headers: bearer(f.tokens.yuzhong) })).status).toBe(403);
    const [next] = (await eventsAfter(mark)).filter((e) => e.type === "requestRefused");
    expect(next!.payload).toMatchObject({ user: "yuzhong-zhang", notLoggedBefore: 20 });
  });

  it("are listed for the office and auditors in the audit view, and not for units", async () => {
    await fetch(`${base}/api/items/${fulingItem}`, { headers: bearer(f.tokens.yuzhong) });
    await fetch(`${base}/api/board`, { headers: bearer("wrong-token") });
    const list = (await (await fetch(`${base}/api/audit/refusals`, { headers: bearer(f.tokens.auditor) })).json()) as { refusals: { type: string; user?: string; target?: string; address?: string; code?: string }[] };
    expect(list.refusals[0]).toMatchObject({ type: "signInRefused", code: "BAD_TOKEN", address: expect.stringMatching(/127\.0\.0\.1/) });
    expect(list.refusals[1]).toMatchObject({ type: "requestRefused", user: "yuzhong-zhang", target: fulingItem, code: "NOT_YOUR_ITEM", address: expect.stringMatching(/127\.0\.0\.1/) });
    const page = await (await fetch(`${base}/audit/refusals`, { headers: bearer(f.tokens.office) })).text();
    expect(page).toContain("拒绝记录");
    expect(page).toContain(fulingItem);
    expect(page).toContain("yuzhong-zhang");
    const unit = await fetch(`${base}/api/audit/refusals`, { headers: bearer(f.tokens.yuzhong) });
    expect(unit.status).toBe(403);
  });
});

describe("sign-in is limited per address and per account", () => {
  it("answers an address's wrong tokens 429 in Chinese past its limit, unlogged, yet lets a right token in (one proxy, many users)", async () => {
    const s = await serverWith({ signInFailuresPerAddress: 5 });
    const head = (await f.store.head()).seq;
    for (let i = 0; i < 5; i++) expect((await new Client(s.url).signIn(`wrong-${i}`)).status).toBe(401);
    const blocked = await new Client(s.url).signIn("wrong-5");
    expect(blocked.status).toBe(429);
    expect(await blocked.text()).toContain("此地址登录失败次数过多");
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);
    const api = await fetch(`${s.url}/api/board`, { headers: bearer("wrong-6") });
    expect(api.status).toBe(429);
    expect(Number(api.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(((await api.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: "TOO_MANY_SIGN_INS", message: expect.stringContaining("分钟后再试") });
    // A forged form pair from that address is turned away the same way.
    const forged = await fetch(`${s.url}/login`, { method: "POST", headers: { cookie: "duban_login=x" }, body: new URLSearchParams({ token: "wrong-7", _csrf: "x" }), redirect: "manual" });
    expect(forged.status).toBe(429);
    const refusedLogged = (await eventsAfter(head)).filter((e) => e.type === "signInRefused");
    expect(refusedLogged).toHaveLength(5);
    expect(refusedLogged.every((e) => /127\.0\.0\.1/.test(String((e.payload as { address?: string }).address)))).toBe(true);
    // Whoever holds a right token is not locked out by a stranger's attempts.
    expect((await new Client(s.url).signIn(f.tokens.yuzhong)).status).toBe(303);
    expect((await fetch(`${s.url}/api/board`, { headers: bearer(f.tokens.office) })).status).toBe(200);
    // After the window, wrong tokens are answered 401 (and logged) again.
    f.clock.wall += 10 * 60_000;
    expect((await new Client(s.url).signIn("wrong-8")).status).toBe(401);
  });

  it("limits the sign-ins of one account, and logs each sign-in with its address", async () => {
    const s = await serverWith({ signInsPerAccount: 3 });
    const head = (await f.store.head()).seq;
    for (let i = 0; i < 3; i++) expect((await new Client(s.url).signIn(f.tokens.fuling)).status).toBe(303);
    const fourth = await new Client(s.url).signIn(f.tokens.fuling);
    expect(fourth.status).toBe(429);
    expect(await fourth.text()).toContain("该账号登录过于频繁");
    // Another account is not held up.
    expect((await new Client(s.url).signIn(f.tokens.yuzhong)).status).toBe(303);
    const signedIn = (await eventsAfter(head)).filter((e) => e.type === "signedIn");
    expect(signedIn).toHaveLength(4);
    expect(signedIn[0]!.payload).toMatchObject({ user: "fuling-li", address: expect.stringMatching(/127\.0\.0\.1/) });
  });
});

describe("asOf is kept within the campaign's span", () => {
  it("answers /api/replay?asOf=9999-12-31 as of the campaign's end, and the replay page too", async () => {
    const res = await fetch(`${base}/api/replay?asOf=9999-12-31`, { headers: bearer(f.tokens.office) });
    expect(res.status).toBe(200);
    const r = (await res.json()) as { asOf: string; assignments: unknown[] };
    // The campaign's last day ends before the fixture's clock would: the replay stops there.
    expect(Date.parse(r.asOf)).toBe(f.campaign.plan.campaign.endAt);
    expect(r.assignments.length).toBeGreaterThan(0);
    const page = await (await fetch(`${base}/replay?asOf=9999-12-31T00:00`, { headers: bearer(f.tokens.auditor) })).text();
    expect(page).not.toContain("9999-12-31");
    expect(page).toContain("以下为");
  });

  it("keeps an item's as-of page and the statistics within it as well", async () => {
    const item = await fetch(`${base}/items/implementation-plan/yuzhong?asOf=9999-12-31`, { headers: bearer(f.tokens.office) });
    expect(item.status).toBe(200);
    expect(await item.text()).not.toContain("9999");
    const stats = await fetch(`${base}/api/stats?asOf=9999-12-31`, { headers: bearer(f.tokens.office) });
    expect(stats.status).toBe(200);
    expect(((await stats.json()) as { asOf: string }).asOf.startsWith("9999")).toBe(false);
  });
});

describe("cookies under an https public URL", () => {
  it("are Secure and carry the __Host- prefix; over plain http they are neither", async () => {
    const s = await serverWith({ publicUrl: "https://duban.example.gov.cn/" });
    const pair = await loginPair("/login", s.url);
    expect(pair.setCookie[0]).toMatch(/^__Host-duban_login=/);
    expect(pair.setCookie[0]).toMatch(/;\s*Secure/i);
    expect(pair.setCookie[0]).toMatch(/;\s*Path=\//i);
    expect(pair.setCookie[0]).not.toMatch(/Domain=/i);
    const c = new Client(s.url);
    const res = await c.signIn(f.tokens.yuzhong);
    expect(res.status).toBe(303);
    const session = res.headers.getSetCookie().find((x) => x.startsWith("__Host-duban_session="));
    expect(session).toMatch(/;\s*Secure/i);
    expect(session).toMatch(/HttpOnly/i);
    expect((await c.fetch("/api/me")).status).toBe(200);
    // The browser's https origin is the public URL's, though the request reaches us as http.
    expect((await c.fetch("/logout", { method: "POST", headers: { origin: "https://duban.example.gov.cn" }, body: new URLSearchParams({ _csrf: c.csrf }) })).status).toBe(303);

    const plain = await loginPair();
    expect(plain.setCookie[0]).toMatch(/^duban_login=/);
    expect(plain.setCookie[0]).not.toMatch(/Secure/i);
  });
});

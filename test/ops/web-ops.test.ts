import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFixture, type Fixture } from "../web/setup.ts";
import { labelValues, sample, scrape } from "./prom.ts";

describe("`duban serve`: /healthz, /readyz and /metrics", () => {
  let fx: Fixture;
  beforeAll(async () => {
    fx = await startFixture();
  });
  afterAll(async () => fx.close());

  it("/healthz answers without an account", async () => {
    const res = await fetch(`${fx.server.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
  });

  it("/readyz is ready while the oldest unsent message is younger than 15 minutes, and 503 past it", async () => {
    const [oldest] = await fx.store.listOutbox({ status: "pending", limit: 1 });
    expect(oldest).toBeDefined();
    const saved = fx.clock.now;
    try {
      fx.clock.now = Date.parse(oldest!.dueAt) + 14 * 60_000;
      const ok = await fetch(`${fx.server.url}/readyz`);
      expect(ok.status).toBe(200);
      expect(await ok.json()).toMatchObject({ ready: true, checks: { store: { ok: true }, schema: { ok: true }, lease: { ok: true, state: "none" }, outbox: { ok: true, oldestUnsentAgeSeconds: 840, maxAgeSeconds: 900 } } });
      fx.clock.now = Date.parse(oldest!.dueAt) + 16 * 60_000;
      const late = await fetch(`${fx.server.url}/readyz`);
      expect(late.status).toBe(503);
      expect(await late.json()).toMatchObject({ ready: false, checks: { store: { ok: true }, outbox: { ok: false, oldestUnsentAgeSeconds: 960 } } });
    } finally {
      fx.clock.now = saved;
    }
  });

  it("counts requests by route pattern and status, never by the path itself; leaks no token, item key or address", async () => {
    const bearer = { authorization: `Bearer ${fx.tokens.office}` };
    expect((await fetch(`${fx.server.url}/api/board`, { headers: bearer })).status).toBe(200);
    expect((await fetch(`${fx.server.url}/api/board`)).status).toBe(401);
    expect((await fetch(`${fx.server.url}/api/items/implementation-plan/yuzhong`, { headers: bearer })).status).toBe(200);
    expect((await fetch(`${fx.server.url}/no/such/page/wanzhou@example.gov.cn`)).status).toBe(404);
    const m = await scrape(`${fx.server.url}/metrics`);
    expect(m.status).toBe(200);
    const f = m.metrics;
    expect(f.families.get("duban_http_request_duration_seconds")?.type).toBe("HISTOGRAM");
    expect(sample(f, "duban_http_request_duration_seconds", { method: "GET", route: "/api/board", status: "200" })).toBe(1);
    expect(sample(f, "duban_http_request_duration_seconds", { method: "GET", route: "/api/board", status: "401" })).toBe(1);
    expect(sample(f, "duban_http_request_duration_seconds", { route: "unmatched", status: "404" })).toBe(1);
    const routes = labelValues(f, "duban_http_request_duration_seconds", "route");
    expect(routes).toContain("/api/items/*");
    expect(routes.filter((r) => r.includes("yuzhong") || r.includes("@"))).toEqual([]);
    expect(sample(f, "duban_lease_holder", { state: "none" })).toBe(1);
    expect(sample(f, "duban_outbox_messages", { status: "pending" })).toBe((await fx.store.outboxCounts()).pending);
    const ready = await (await fetch(`${fx.server.url}/readyz`)).text();
    for (const [what, text] of [["/metrics", m.text], ["/readyz", ready]] as const) {
      for (const token of Object.values(fx.tokens)) expect(text.includes(token), `${what} holds a token`).toBe(false);
      expect(text, what).not.toMatch(/@example\.gov\.cn|self-inspection\/yuzhong/);
    }
  });

  it("/readyz says the store is down, with its code only, when it is", async () => {
    const { createApp } = await import("../../src/web/server.ts");
    // A spread drops the class getter `plan`; the server reads it (sub-plans), so the broken campaign keeps it.
    const broken = { ...fx.campaign, plan: fx.campaign.plan, store: { head: () => Promise.reject(Object.assign(new Error("connect ECONNREFUSED postgres://duban:pw@db/duban"), { code: "ECONNREFUSED" })) } };
    const { app } = createApp({ campaign: broken as never, sidecar: fx.sidecar, now: () => fx.clock.now });
    const res = await app.request("/readyz");
    expect(res.status).toBe(503);
    const text = await res.text();
    expect(JSON.parse(text)).toMatchObject({ ready: false, checks: { store: { ok: false, error: "ECONNREFUSED" } } });
    expect(text).not.toContain("pw@");
  });

  it("/readyz says the schema is not current when a newer build has migrated the store since this one opened it", async () => {
    const { mkdtempSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const Database = (await import("better-sqlite3")).default;
    const { SqliteStore } = await import("../../src/store/sqlite.ts");
    const { Campaign } = await import("../../src/campaign/campaign.ts");
    const { readiness } = await import("../../src/ops/health.ts");
    const { HostMetrics } = await import("../../src/ops/metrics.ts");
    const file = join(mkdtempSync(join(tmpdir(), "duban-schema-")), "duban.db");
    const store = new SqliteStore(file);
    try {
      const c = await Campaign.init(store, "plans/chongqing-2021.yaml", Date.parse("2021-04-28T10:00:00+08:00"));
      const metrics = new HostMetrics({ defaultMetrics: false });
      metrics.watch(c, () => Date.parse("2021-04-28T10:00:00+08:00"));
      expect((await readiness(c, metrics, 900_000)).checks.schema).toEqual({ ok: true, version: 2, expected: 2 });
      const other = new Database(file);
      other.prepare("INSERT INTO schema_version (version, applied_at) VALUES (3, ?)").run(new Date().toISOString());
      other.close();
      expect(await readiness(c, metrics, 900_000)).toMatchObject({ ready: false, checks: { store: { ok: true }, schema: { ok: false, version: 3, expected: 2 } } });
    } finally {
      await store.close();
    }
  });
});

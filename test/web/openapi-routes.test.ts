import { describe, expect, it } from "vitest";
import { openApiDocument } from "../../src/web/openapi.ts";
import { createApp } from "../../src/web/server.ts";

/** The app's routes, as Hono registered them (no store is opened: routes are registered before any request). */
function registered(): { method: string; path: string }[] {
  const { app } = createApp({ campaign: {} as never, sidecar: { access: {}, attachments: {} } as never });
  return app.routes.filter((r) => r.method !== "ALL");
}

/** Hono's `:name` is OpenAPI's `{name}`. */
const openApiPath = (p: string) => p.replace(/:([A-Za-z_]\w*)/g, "{$1}");

describe("the OpenAPI document", () => {
  const doc = openApiDocument("测试") as { paths: Record<string, Record<string, unknown>> };
  const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => ({ method: m.toUpperCase(), path })));
  const isDocumented = (method: string, path: string) =>
    path.endsWith("/*")
      ? documented.some((d) => d.method === method && d.path.startsWith(path.slice(0, -1)))
      : documented.some((d) => d.method === method && d.path === openApiPath(path));

  it("describes every registered /api route and the calendar feed", () => {
    const api = registered().filter((r) => r.path.startsWith("/api/") || r.path.endsWith("/calendar.ics") || ["/healthz", "/readyz", "/metrics"].includes(r.path));
    expect(api.map((r) => `${r.method} ${r.path}`)).toEqual(expect.arrayContaining(["GET /api/stats", "GET /api/score", "GET /api/ledger.xlsx", "GET /api/bulletin.docx", "GET /units/:unit/calendar.ics", "GET /healthz", "GET /readyz", "GET /metrics"]));
    const missing = api.filter((r) => r.path !== "/api/openapi.json" && !isDocumented(r.method, r.path)).map((r) => `${r.method} ${r.path}`);
    expect(missing).toEqual([]);
  });

  it("describes no route that is not registered", () => {
    const routes = registered();
    const matches = (d: { method: string; path: string }) =>
      routes.some((r) => r.method === d.method && (r.path.endsWith("/*") ? d.path.startsWith(r.path.slice(0, -1)) : openApiPath(r.path) === d.path));
    expect(documented.filter((d) => !matches(d))).toEqual([]);
  });
});

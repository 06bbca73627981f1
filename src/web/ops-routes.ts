import type { Hono } from "hono";
import { routePath } from "hono/route";
import { readiness } from "../ops/health.ts";
import type { HostMetrics } from "../ops/metrics.ts";
import type { Env } from "./context.ts";
import type { LogFn } from "../ops/log-fields.ts";

export interface OpsRouteOptions {
  metrics: HostMetrics;
  maxOutboxAgeMs: number;
  /** The campaign /readyz asks; absent while the app is built without one (route listings). */
  ready?: () => ReturnType<typeof readiness>;
  /** Each request at debug level (route pattern, status, duration; never the query or a token). */
  log?: LogFn;
}

/**
 * /healthz, /readyz and /metrics, before sign-in so that systemd, a load balancer and Prometheus need no
 * account. They answer counts and states only; the deployment guide has nginx keep /metrics inside.
 */
export function registerOpsRoutes(app: Hono<Env>, opts: OpsRouteOptions): void {
  app.use("*", async (c, next) => {
    const started = performance.now();
    await next();
    // The pattern of the handler that answered (after next(), the route index is the last one dispatched),
    // never the path itself: item ids and unit names must not become label values.
    const pattern = routePath(c);
    const route = c.res.status === 404 && (pattern === "*" || pattern.endsWith("/*")) ? "unmatched" : pattern;
    const seconds = (performance.now() - started) / 1000;
    opts.metrics.httpDuration.observe({ method: c.req.method, route, status: String(c.res.status) }, seconds);
    opts.log?.(`${c.req.method} ${route} ${c.res.status}`, { level: "debug", event: "http", method: c.req.method, route, status: c.res.status, durationMs: Math.round(seconds * 1000) });
  });
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", async (c) => {
    if (!opts.ready) return c.json({ ready: false }, 503);
    const r = await opts.ready();
    return c.json(r, r.ready ? 200 : 503);
  });
  app.get("/metrics", async (c) => {
    const { body, contentType } = await opts.metrics.scrape();
    return c.body(body, 200, { "Content-Type": contentType });
  });
}

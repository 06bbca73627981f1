import { serve, type ServerType } from "@hono/node-server";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { Sidecar } from "../access/open.ts";
import type { Campaign } from "../campaign/campaign.ts";
import type { EpochMs } from "../engine/calendar.ts";
import { identify } from "./auth.ts";
import { Mutex, type Env, type WebDeps } from "./context.ts";
import { DeliveryIndex } from "./deliveries.ts";
import { refuse, refusal } from "./refusal.ts";
import { registerApi } from "./routes-api.ts";
import { registerOpenRoutes } from "./open-routes.ts";
import { registerPages } from "./routes-pages.ts";
import { registerPublishRoutes } from "./publish-routes.ts";
import { registerAssets } from "./assets.ts";
import { registerStatsPage } from "./stats-page.ts";
import { registerAuditRoutes } from "./audit-routes.ts";
import { MAX_UPLOAD_BYTES } from "./uploads.ts";
import { registerOpsRoutes } from "./ops-routes.ts";
import { DEFAULT_MAX_OUTBOX_AGE_MS, readiness } from "../ops/health.ts";
import { HostMetrics } from "../ops/metrics.ts";
import type { LogFn } from "../ops/log-fields.ts";
import { routePath } from "hono/route";

export interface ServerOptions {
  campaign: Campaign;
  sidecar: Sidecar;
  /** A fixed or moving campaign clock for drills and tests; default wall time. */
  now?: () => EpochMs;
  wallNow?: () => number;
  /** Default 8 hours. */
  sessionTtlMs?: number;
  /** The process's metrics (shared with a daemon in the same process); default a registry of its own. */
  metrics?: HostMetrics;
  /** /readyz fails past this age of the oldest unsent message. @default 15 minutes */
  maxOutboxAgeMs?: number;
  /** The host's log (scrubbed JSON lines); default the console. */
  log?: LogFn;
  /** Events per batch of the web's log check and export, between turns of other requests. @default 5000 */
  auditBatchSize?: number;
}

/** Room for the form fields and multipart framing around 10 MB of files. */
const BODY_SLACK = 256 * 1024;

export function createApp(opts: ServerOptions): { app: Hono<Env>; deps: WebDeps } {
  const deps: WebDeps = {
    campaign: opts.campaign,
    access: opts.sidecar.access,
    attachments: opts.sidecar.attachments,
    now: opts.now ?? Date.now,
    clockSet: opts.now !== undefined,
    wallNow: opts.wallNow ?? Date.now,
    sessionTtlMs: opts.sessionTtlMs ?? 8 * 3600_000,
    deliveries: new DeliveryIndex(),
    lock: new Mutex(),
  };
  const app = new Hono<Env>();
  const metrics = opts.metrics ?? new HostMetrics({ defaultMetrics: false });
  const maxOutboxAgeMs = opts.maxOutboxAgeMs ?? DEFAULT_MAX_OUTBOX_AGE_MS;
  if (opts.campaign.store) metrics.watch(opts.campaign, deps.now);
  registerOpsRoutes(app, { metrics, maxOutboxAgeMs, ready: () => readiness(opts.campaign, metrics, maxOutboxAgeMs), ...(opts.log ? { log: opts.log } : {}) });
  app.use("*", async (c, next) => {
    await next();
    // No scripts at all; inline styles only. Pages are never framed nor cached by shared caches. A route
    // may say otherwise for itself: the statistics page loads scripts from this server, assets are cached.
    if (!c.res.headers.has("Content-Security-Policy")) c.header("Content-Security-Policy", "default-src 'self'; script-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
    c.header("X-Content-Type-Options", "nosniff");
    c.header("X-Frame-Options", "DENY");
    c.header("Referrer-Policy", "same-origin");
    if (!c.res.headers.has("Cache-Control")) c.header("Cache-Control", "no-store");
  });
  app.use("*", identify(deps));
  const limit = bodyLimit({
    maxSize: MAX_UPLOAD_BYTES + BODY_SLACK,
    onError: (c) => refuse(c, deps, refusal(413, "FILE_TOO_LARGE", "附件合计不能超过 10 MB"), { api: c.req.path.startsWith("/api/") }),
  });
  app.post("/items/*", limit);
  app.post("/api/items/*", limit);
  app.post("/open/*", limit);
  app.post("/api/kinds/*", limit);
  app.post("/login", bodyLimit({ maxSize: 16 * 1024 }));
  registerAssets(app);
  registerPublishRoutes(app, deps);
  registerStatsPage(app, deps);
  registerAuditRoutes(app, deps, opts.auditBatchSize ? { batchSize: opts.auditBatchSize } : {});
  registerApi(app, deps);
  registerOpenRoutes(app, deps);
  registerPages(app, deps);
  app.notFound((c) => refuse(c, deps, refusal(404, "NOT_FOUND", "页面不存在"), { api: c.req.path.startsWith("/api/") }));
  app.onError((err, c) => {
    // The reason goes to the operator's log, not to the page: it may name internals.
    const line = `duban serve: ${c.req.method} ${c.req.path}: ${(err as Error).stack ?? err}`;
    if (opts.log) opts.log(line, { level: "error", event: "http-error", route: routePath(c), code: (err as { code?: string }).code ?? "INTERNAL" });
    else console.error(line);
    const message = "操作未完成，请稍后重试；如仍失败，请联系领导小组办公室";
    return c.req.path.startsWith("/api/") ? c.json({ error: { code: "INTERNAL", message } }, 500) : c.text(message, 500);
  });
  return { app, deps };
}

export interface RunningServer {
  url: string;
  port: number;
  deps: WebDeps;
  close(): Promise<void>;
}

export function startServer(opts: ServerOptions & { port?: number; host?: string }): Promise<RunningServer> {
  const { app, deps } = createApp(opts);
  const host = opts.host ?? "127.0.0.1";
  return new Promise((resolve, reject) => {
    const server: ServerType = serve({ fetch: app.fetch, port: opts.port ?? 8080, hostname: host }, (info) => {
      resolve({
        url: `http://${host.includes(":") ? `[${host}]` : host}:${info.port}`,
        port: info.port,
        deps,
        close: () => new Promise<void>((res) => (server.close(() => res()), (server as { closeAllConnections?: () => void }).closeAllConnections?.())),
      });
    });
    // A port in use (EADDRINUSE) or a host that is not ours: the caller says so in one line.
    server.once("error", reject);
  });
}

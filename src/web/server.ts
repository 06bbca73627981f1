import { serve, type ServerType } from "@hono/node-server";
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { randomBytes } from "node:crypto";
import type { Sidecar } from "../access/open.ts";
import type { Campaign } from "../campaign/campaign.ts";
import type { EpochMs } from "../engine/calendar.ts";
import { identify } from "./auth.ts";
import { Mutex, type Env, type WebDeps } from "./context.ts";
import { DeliveryIndex } from "./deliveries.ts";
import { refuse, refusal } from "./refusal.ts";
import { registerApi } from "./routes-api.ts";
import { registerAuditRoutes } from "./audit-routes.ts";
import { registerOpenRoutes } from "./open-routes.ts";
import { registerPages } from "./routes-pages.ts";
import { registerPublishRoutes } from "./publish-routes.ts";
import { registerAssets } from "./assets.ts";
import { registerStatsPage } from "./stats-page.ts";
import { bodyLimits, sameSitePosts } from "./guard.ts";
import { siteOf } from "./site.ts";
import { Throttle } from "./throttle.ts";
import { registerRefusalRoutes } from "./refusal-routes.ts";
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
  /** How the public reaches the server (publicUrl, DUBAN_BASE_URL or the plan's baseUrl): https makes cookies `Secure` and `__Host-`. */
  publicUrl?: string;
  /** Refused sign-ins per client address in 10 minutes before sign-in answers 429. @default 50 */
  signInFailuresPerAddress?: number;
  /** Sign-ins per account in 10 minutes. @default 20 */
  signInsPerAccount?: number;
  /** Refusals of one account written to the log per minute. @default 10 */
  refusalsLoggedPerAccount?: number;
  /** Events per batch of the web's log check and export, between turns of other requests. @default 5000 */
  auditBatchSize?: number;
}

export function createApp(opts: ServerOptions): { app: Hono<Env>; deps: WebDeps } {
  const wallNow = opts.wallNow ?? Date.now;
  let loginKey: Promise<Buffer> | undefined;
  const deps: WebDeps = {
    campaign: opts.campaign,
    access: opts.sidecar.access,
    attachments: opts.sidecar.attachments,
    now: opts.now ?? Date.now,
    clockSet: opts.now !== undefined,
    wallNow,
    sessionTtlMs: opts.sessionTtlMs ?? 8 * 3600_000,
    deliveries: new DeliveryIndex(),
    lock: new Mutex(),
    site: siteOf(opts.publicUrl),
    loginKey: () => (loginKey ??= opts.sidecar.access.secret("login-form", randomBytes(32).toString("base64url")).then((k) => Buffer.from(k, "base64url"))),
    limits: {
      signInByAddress: new Throttle(opts.signInFailuresPerAddress ?? 50, 600_000, wallNow),
      signInByAccount: new Throttle(opts.signInsPerAccount ?? 20, 600_000, wallNow),
      refusalLogByAccount: new Throttle(opts.refusalsLoggedPerAccount ?? 10, 60_000, wallNow),
      signInRefusalLog: new Throttle(10, 60_000, wallNow),
    },
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
  // Before any handler reads a body: where the POST comes from, then how large it may be.
  app.use("*", sameSitePosts(deps));
  app.use("*", bodyLimits(deps));
  registerAssets(app);
  registerPublishRoutes(app, deps);
  registerStatsPage(app, deps);
  registerAuditRoutes(app, deps, opts.auditBatchSize ? { batchSize: opts.auditBatchSize } : {});
  registerApi(app, deps);
  registerRefusalRoutes(app, deps);
  registerOpenRoutes(app, deps);
  registerPages(app, deps);
  app.notFound((c) => refuse(c, deps, refusal(404, "NOT_FOUND", "页面不存在"), { api: c.req.path.startsWith("/api/") }));
  app.onError((err, c) => {
    // Hono's own refusals (a malformed body, say) are the user's mistake, not ours: their status, in Chinese.
    if (err instanceof HTTPException) {
      const status = err.status;
      const message = status === 413 ? "提交的内容过大" : status < 500 ? "请求有误，无法处理" : "操作未完成，请稍后重试";
      return c.req.path.startsWith("/api/") ? c.json({ error: { code: `HTTP_${status}`, message } }, status) : c.text(message, status);
    }
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

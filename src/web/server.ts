import { serve, type ServerType } from "@hono/node-server";
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { randomBytes } from "node:crypto";
import type { Sidecar } from "../access/open.ts";
import type { Campaign } from "../campaign/campaign.ts";
import type { EpochMs } from "../engine/calendar.ts";
import { identify } from "./auth.ts";
import { SubPlans } from "../campaign/subplans.ts";
import { hashToken } from "../access/tokens.ts";
import { Mutex, switcherFor, type CampaignChoice, type Env, type WebDeps } from "./context.ts";
import type { MiddlewareHandler } from "hono";
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
  /** Set by createStoreApp when the store holds several campaigns: the header's switcher and the membership rule. */
  switcher?: readonly CampaignChoice[];
  /** Set by createStoreApp: one set of sign-in and refusal limits for every campaign's app. */
  limits?: WebDeps["limits"];
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
    limits: opts.limits ?? {
      signInByAddress: new Throttle(opts.signInFailuresPerAddress ?? 50, 600_000, wallNow),
      signInByAccount: new Throttle(opts.signInsPerAccount ?? 20, 600_000, wallNow),
      refusalLogByAccount: new Throttle(opts.refusalsLoggedPerAccount ?? 10, 60_000, wallNow),
      signInRefusalLog: new Throttle(10, 60_000, wallNow),
    },
    ...(opts.switcher ? { switcher: opts.switcher } : {}),
    ...(opts.campaign.store ? { subPlans: new SubPlans(opts.campaign.store, opts.campaign.plan.campaign.id) } : {}),
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
  // Several campaigns in one store: a unit acts only in those whose plan gives it a role.
  if (opts.switcher) app.use("*", memberOnly(deps));
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

/** Paths a signed-in user reaches in any campaign: signing in and out, and the switch to another campaign. */
const ANY_CAMPAIGN = new Set(["/login", "/logout", "/switch"]);

function memberOnly(deps: WebDeps): MiddlewareHandler<Env> {
  return async (c, next) => {
    const v = c.get("viewer");
    const plan = deps.campaign.plan;
    if (!v || plan.units.has(v.user.unit) || ANY_CAMPAIGN.has(c.req.path)) return next();
    const mine = switcherFor(deps, v.user).campaigns ?? [];
    const where = mine.length ? `；本单位参与的专项行动：${mine.map((m) => `${m.title}（${m.id}）`).join("、")}` : "";
    return refuse(c, deps, refusal(403, "NOT_A_MEMBER", `${v.user.unit} 在专项行动“${plan.campaign.title}”中没有职责，不能查看或办理其事项${where}`), { api: c.req.path.startsWith("/api/") });
  };
}

export const CAMPAIGN_COOKIE = "duban_campaign";

/**
 * The web front of a store with several campaigns: one app per campaign (createApp, each with its own lock and
 * clock), sharing accounts and sessions, and a router in front. A request goes to the campaign it names
 * (`?campaign=` or the X-Duban-Campaign header, for scripts), else the one chosen with GET /switch?to=<id>
 * (a cookie), else the first one the signed-in user's unit is in.
 */
export function createStoreApp(opts: Omit<ServerOptions, "campaign" | "switcher" | "limits"> & { campaigns: readonly Campaign[] }): StoreApp {
  // Mutable, shared by every app: a campaign added later shows in the switchers of those already built.
  const switcher: CampaignChoice[] = [];
  const apps = new Map<string, { app: Hono<Env>; deps: WebDeps }>();
  let limits: WebDeps["limits"] | undefined;
  const add = (campaign: Campaign) => {
    const id = campaign.plan.campaign.id;
    if (apps.has(id)) return;
    // One metrics registry per process: the first campaign's app owns the gauges, as the daemon's does.
    const built = createApp({ ...opts, campaign, switcher, ...(limits ? { limits } : {}), ...(apps.size > 0 ? { metrics: new HostMetrics({ defaultMetrics: false }) } : {}) });
    // Sign-in limits count across campaigns: a guesser gets no fresh budget per campaign.
    limits ??= built.deps.limits;
    apps.set(id, built);
    switcher.push({ id, title: campaign.plan.campaign.title, has: (unit) => campaign.plan.units.has(unit) });
    // /metrics and /readyz of the front: every campaign's outbox, log head and overdue items.
    const campaigns = [...apps.values()].map((a) => a.deps.campaign);
    opts.metrics?.watch(campaigns[0]!, opts.now ?? Date.now, campaigns.map((c) => ({ id: c.plan.campaign.id, store: c.store, campaign: c })));
  };
  for (const c of opts.campaigns) add(c);
  const first = apps.values().next().value!;
  const access = opts.sidecar.access;
  const viewerUnit = async (req: Request): Promise<string | undefined> => {
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.get("authorization") ?? "")?.[1];
    if (bearer) return (await access.userByTokenHash(hashToken(bearer)))?.unit;
    // The session cookie by the name this site gives it (`__Host-` under https).
    const sid = getCookieFrom(req, first.deps.site.cookies.session);
    const s = sid ? await access.getSession(hashToken(sid)) : undefined;
    return s ? (await access.getUser(s.user))?.unit : undefined;
  };
  // env carries the Node adaptor's socket (getConnInfo reads the client address from it): pass it on.
  const fetch = async (req: Request, env?: unknown): Promise<Response> => {
    const url = new URL(req.url);
    if (url.pathname === "/switch" && req.method === "GET") {
      const to = url.searchParams.get("to") ?? "";
      if (!apps.has(to)) return new Response(`没有专项行动 ${to}`, { status: 404, headers: { "content-type": "text/plain; charset=utf-8" } });
      return new Response(null, { status: 303, headers: { location: "/", "set-cookie": campaignCookie(to, first.deps.site.secure) } });
    }
    const named = url.searchParams.get("campaign") ?? req.headers.get("x-duban-campaign") ?? undefined;
    if (named !== undefined) {
      const target = apps.get(named);
      if (!target) return Response.json({ error: { code: "CAMPAIGN_UNKNOWN", message: `此存储中没有专项行动 ${named}；现有：${[...apps.keys()].join("、")}` } }, { status: 404 });
      const res = await target.app.fetch(req, env);
      // A page opened by its campaign's name (a parent item's link to its sub-plan's board) keeps that
      // campaign for the links that follow, as the switcher would.
      if (req.method !== "GET" || !url.searchParams.has("campaign") || !res.headers.get("content-type")?.startsWith("text/html") || getCookieFrom(req, CAMPAIGN_COOKIE) === named) return res;
      const kept = new Response(res.body, res);
      kept.headers.append("set-cookie", campaignCookie(named, first.deps.site.secure));
      return kept;
    }
    // One campaign (a store that may gain more): nothing to choose, no viewer to look up before the app does.
    if (apps.size === 1) return first.app.fetch(req, env);
    const chosen = getCookieFrom(req, CAMPAIGN_COOKIE);
    const unit = await viewerUnit(req);
    const fits = (id: string) => unit === undefined || switcher.find((s) => s.id === id)!.has(unit);
    const id = chosen !== undefined && apps.has(chosen) && fits(chosen) ? chosen : (switcher.find((s) => fits(s.id))?.id ?? first.deps.campaign.plan.campaign.id);
    return apps.get(id)!.app.fetch(req, env);
  };
  return { fetch, deps: () => [...apps.values()].map((a) => a.deps), add };
}

/** The store's web front: the router, each campaign's deps, and a way to serve one more campaign. */
export interface StoreApp {
  fetch: (req: Request, env?: unknown) => Response | Promise<Response>;
  deps: () => WebDeps[];
  /** Serves a campaign added to the store since; the apps already built keep their state (sessions, limits, caches). */
  add: (campaign: Campaign) => void;
}

/** The cookie that keeps a browser's chosen campaign. */
function campaignCookie(id: string, secure: boolean): string {
  return `${CAMPAIGN_COOKIE}=${encodeURIComponent(id)}; Path=/; HttpOnly; SameSite=Lax${secure ? "; Secure" : ""}`;
}

function getCookieFrom(req: Request, name: string): string | undefined {
  for (const part of (req.headers.get("cookie") ?? "").split(/;\s*/)) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq) === name) return decodeURIComponent(part.slice(eq + 1));
  }
  return undefined;
}

export interface RunningServer {
  url: string;
  port: number;
  deps: WebDeps;
  close(): Promise<void>;
}

export interface StartServerExtras {
  port?: number;
  host?: string;
  /**
   * Campaigns added to the store since the server started (`duban init` while `serve` runs), asked every
   * watchMs: the front then serves them too, with the switcher, without a restart.
   */
  discover?: (known: ReadonlySet<string>) => Promise<readonly Campaign[]>;
  /** @default 60 000 */
  watchMs?: number;
}

export function startServer(opts: (ServerOptions | (Omit<ServerOptions, "campaign"> & { campaigns: readonly Campaign[] })) & StartServerExtras): Promise<RunningServer> {
  // One campaign in a fixed list: the app as it always was; several, or a store that may gain campaigns: the
  // store's router in front of one app each.
  const campaigns: readonly Campaign[] = "campaigns" in opts ? opts.campaigns : [opts.campaign];
  const store = campaigns.length > 1 || opts.discover ? createStoreApp({ ...opts, campaigns }) : undefined;
  const single = store ? undefined : createApp({ ...opts, campaign: campaigns[0]! });
  const fetch = store ? store.fetch : single!.app.fetch;
  const deps = store ? store.deps()[0]! : single!.deps;
  let timer: NodeJS.Timeout | undefined;
  if (opts.discover) {
    const discover = opts.discover;
    let asking = false;
    timer = setInterval(() => {
      if (asking) return;
      asking = true;
      discover(new Set(store!.deps().map((d) => d.campaign.plan.campaign.id)))
        .then((added) => {
          if (!added.length) return;
          for (const c of added) store!.add(c);
          opts.log?.(`serve-campaigns added=${added.map((c) => c.plan.campaign.id).join(",")}`, { event: "serve-campaigns", campaign: added.map((c) => c.plan.campaign.id).join(",") });
        })
        .catch((err: Error) => opts.log?.(`campaigns-error: 无法读取存储中的专项行动列表（${err.message}）；稍后重试`, { level: "error", event: "campaigns-error" }))
        .finally(() => (asking = false));
    }, opts.watchMs ?? 60_000);
    timer.unref();
  }
  const host = opts.host ?? "127.0.0.1";
  return new Promise((resolve, reject) => {
    const server: ServerType = serve({ fetch, port: opts.port ?? 8080, hostname: host }, (info) => {
      resolve({
        url: `http://${host.includes(":") ? `[${host}]` : host}:${info.port}`,
        port: info.port,
        deps,
        close: () => new Promise<void>((res) => (clearInterval(timer), server.close(() => res()), (server as { closeAllConnections?: () => void }).closeAllConnections?.())),
      });
    });
    // A port in use (EADDRINUSE) or a host that is not ours: the caller says so in one line.
    server.once("error", reject);
  });
}

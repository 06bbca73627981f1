import type { Context, Hono } from "hono";
import { CampaignError } from "../campaign/campaign.ts";
import { formatInstant, parseInstant } from "../engine/calendar.ts";
import { clampAsOf } from "./as-of.ts";
import { checkCsrf, loginFormToken, requireViewer, signIn, signOut } from "./auth.ts";
import { switcherFor, type Env, type Viewer, type WebDeps } from "./context.ts";
import { filterRows, visibleBoard, boardFilter } from "./data.ts";
import { ACTION_ZH } from "../text/labels.ts";
import { html } from "./html.ts";
import { idPath } from "../plan/ids.ts";
import { page } from "./layout.ts";
import { memoOn } from "./row-memo.ts";
import { itemData, unitData } from "./queries.ts";
import { refuse, refusal, signInHref, type WebRefusal } from "./refusal.ts";
import { parseItemPath, readActionBody, runItemAction, downloadAttachment } from "./item-routes.ts";
import { boardPage } from "./views/board.ts";
import { itemPage } from "./views/item.ts";
import { loginPage } from "./views/login.ts";
import { replayPage } from "./views/replay.ts";
import { unitPage } from "./views/unit.ts";
import { redListPage } from "./views/lights.ts";
import { lightList, readLightBody, runLightMark } from "./light-routes.ts";
import { registerUrgeRoutes } from "./urge-routes.ts";
import { actsAsOffice } from "../engine/authorize.ts";
import { unitName } from "../present/plan-text.ts";

const isRefusal = (x: unknown): x is WebRefusal => typeof x === "object" && x !== null && "status" in x && "code" in x && "message" in x;

/**
 * Only paths on this site, so the sign-in form cannot bounce anyone elsewhere. Resolved the way a browser
 * would (which drops tabs and newlines and treats "\\" as "/"), then kept only if it stays on our origin.
 */
export function safeNext(next: string | undefined): string | undefined {
  if (!next || !next.startsWith("/")) return undefined;
  const base = "http://duban.invalid";
  let u: URL;
  try {
    u = new URL(next, base);
  } catch {
    return undefined;
  }
  const path = `${u.pathname}${u.search}`;
  // "/..//evil.example" resolves to the path "//evil.example", which a Location header makes off-site.
  return u.origin === base && !/^\/[\/\\]/.test(path) ? path : undefined;
}

/** A sign-in or sign-out form's fields; an unreadable body is a 400 in Chinese, not a 500. */
async function readForm(c: Context<Env>): Promise<Record<string, unknown> | WebRefusal> {
  try {
    return await c.req.parseBody();
  } catch {
    return refusal(400, "BAD_BODY", "无法读取请求内容");
  }
}

export function registerPages(app: Hono<Env>, deps: WebDeps): void {
  // Read per request: after `duban plan apply` the campaign runs a new plan version.
  const current = () => deps.campaign.plan;
  const render = (c: Context<Env>, v: Viewer | undefined, title: string, body: ReturnType<typeof html>, status: 200 = 200) =>
    c.html(page({ plan: current(), ...(v ? { user: v.user, ...(v.csrf ? { csrf: v.csrf } : {}) } : {}), ...switcherFor(deps, v?.user) }, title, body), status);
  const pageRefuse = (c: Context<Env>, r: WebRefusal, assignment?: string) => refuse(c, deps, r, { api: false, ...(assignment ? { assignment } : {}) });

  app.get("/login", async (c) => render(c, c.get("viewer"), "登录", loginPage(await loginFormToken(c, deps), safeNext(c.req.query("next")) ?? "")));

  app.post("/login", async (c) => {
    const body = await readForm(c);
    if (isRefusal(body)) return pageRefuse(c, body);
    const str = (k: string) => (typeof body[k] === "string" ? (body[k] as string) : undefined);
    const v = await signIn(c, deps, { token: str("token"), csrf: str("_csrf") });
    if (isRefusal(v)) {
      if (v.retryAfterS !== undefined) c.header("Retry-After", String(v.retryAfterS));
      if (v.code === "BAD_TOKEN" || v.code === "TOO_MANY_SIGN_INS") return c.html(page({ plan: current() }, "登录", loginPage(await loginFormToken(c, deps), safeNext(str("next")) ?? "", v.message)), v.status as 401 | 429);
      return pageRefuse(c, v);
    }
    return c.redirect(safeNext(str("next")) ?? (v.user.role === "unit" ? `/units/${encodeURIComponent(v.user.unit)}` : "/"), 303);
  });

  app.post("/logout", async (c) => {
    const v = requireViewer(c);
    if (isRefusal(v)) return c.redirect("/login", 303);
    // The header, when sent, is checked before the body is read; the form's field after (bounded: bodyLimits).
    let sent = c.req.header("x-csrf-token");
    if (sent === undefined) {
      const body = await readForm(c);
      if (isRefusal(body)) return pageRefuse(c, body);
      sent = typeof body._csrf === "string" ? body._csrf : undefined;
    }
    const bad = checkCsrf(v, sent);
    if (bad) return pageRefuse(c, bad);
    await signOut(c, deps, v);
    return c.redirect("/login", 303);
  });

  app.get("/", async (c) => {
    const v = requireViewer(c);
    if (isRefusal(v)) return c.redirect(signInHref(c), 303);
    const f = boardFilter((name) => c.req.query(name));
    const { now, rows, subPlans } = await deps.lock.run(() => visibleBoard(deps, v));
    const plan = current();
    // The office may urge (催办); the board says which units were already urged today (once a day each).
    const today = formatInstant(now, plan.campaign.timezone).slice(0, 10);
    const urge = v.actor && v.csrf !== undefined && actsAsOffice(plan, v.actor) ? { csrf: v.csrf, urgedToday: memoOn(rows, `urged:${today}`, () => new Set(rows.filter((r) => r.urgedAt?.slice(0, 10) === today).map((r) => r.unit))) } : undefined;
    const urged = c.req.query("urged");
    const flash = urged && plan.units.has(urged) ? `已催办${unitName(plan, urged)}，提醒已发出。` : undefined;
    return render(c, v, "看板", boardPage(plan, now, rows, filterRows(plan, rows, f), f, v.user.role !== "unit", urge, flash, subPlans));
  });

  registerUrgeRoutes(app, deps);

  app.get("/units/:unit", async (c) => {
    const v = requireViewer(c);
    if (isRefusal(v)) return pageRefuse(c, v);
    const d = await unitData(deps, v, c.req.param("unit"));
    if (isRefusal(d)) return pageRefuse(c, d);
    return render(c, v, d.name, unitPage(current(), d, v.csrf));
  });

  app.get("/lights/:colour", async (c) => {
    const v = requireViewer(c);
    if (isRefusal(v)) return c.redirect(signInHref(c), 303);
    const l = await lightList(deps, v, c.req.param("colour"));
    if (isRefusal(l)) return pageRefuse(c, l);
    return render(c, v, "红灯清单", redListPage(current(), l.now, l.rows));
  });

  app.get("/replay", async (c) => {
    const v = requireViewer(c);
    if (isRefusal(v)) return pageRefuse(c, v);
    if (v.user.role === "unit") return pageRefuse(c, refusal(403, "REPLAY_FORBIDDEN", "历史回放仅限领导小组办公室和审计人员使用"));
    const q = c.req.query("asOf");
    if (!q) return render(c, v, "历史回放", replayPage(current(), formatInstant(deps.now(), current().campaign.timezone).slice(0, 16), undefined));
    const asked = parseInstant(q, current().campaign.timezone);
    if (Number.isNaN(asked)) return pageRefuse(c, refusal(400, "BAD_DATE", "请选择有效的回放时间"));
    const asOf = clampAsOf(deps, asked);
    let b;
    try {
      b = await deps.campaign.boardAsOf(asOf);
    } catch (err) {
      // Before the store's first event: the refusal says when it begins.
      if (err instanceof CampaignError) return pageRefuse(c, refusal(422, err.code, err.message));
      throw err;
    }
    return render(c, v, "历史回放", replayPage(b.plan, asOf === asked ? q.slice(0, 16) : formatInstant(asOf, current().campaign.timezone).slice(0, 16), b));
  });

  app.get("/items/*", async (c) => {
    const v = requireViewer(c);
    if (isRefusal(v)) return pageRefuse(c, v);
    const p = parseItemPath(c.req.path, "/items/");
    if (p.kind === "attachment") return downloadAttachment(c, deps, v, p.id, p.sha256, false);
    if (p.kind !== "item") return pageRefuse(c, refusal(404, "NOT_FOUND", "页面不存在"));
    const q = c.req.query("asOf");
    const asked = q ? parseInstant(q, current().campaign.timezone) : undefined;
    if (asked !== undefined && Number.isNaN(asked)) return pageRefuse(c, refusal(400, "BAD_DATE", "asOf 不是有效时刻"));
    const asOf = asked === undefined ? undefined : clampAsOf(deps, asked);
    let d;
    try {
      d = await itemData(deps, v, p.id, asOf);
    } catch (err) {
      if (err instanceof CampaignError) return pageRefuse(c, refusal(422, err.code, err.message));
      throw err;
    }
    if (isRefusal(d)) return pageRefuse(c, d, p.id);
    const done = c.req.query("done");
    const flash = done === "light" ? "已标注。" : done && Object.hasOwn(ACTION_ZH, done) ? `已${ACTION_ZH[done as keyof typeof ACTION_ZH]}。` : undefined;
    return render(c, v, d.assignment.title, itemPage(current(), d, v.csrf, flash));
  });

  app.post("/items/*", async (c) => {
    const v = requireViewer(c);
    if (isRefusal(v)) return pageRefuse(c, v);
    const p = parseItemPath(c.req.path, "/items/");
    if (p.kind === "light") {
      const lb = await readLightBody(c);
      if (isRefusal(lb)) return pageRefuse(c, lb, p.id);
      const m = await runLightMark(deps, v, p.id, lb);
      if (isRefusal(m)) return pageRefuse(c, m, p.id);
      return c.redirect(`/items/${idPath(p.id)}?done=light`, 303);
    }
    if (p.kind !== "action") return pageRefuse(c, refusal(404, "NOT_FOUND", "页面不存在"));
    const body = await readActionBody(c);
    if (isRefusal(body)) return pageRefuse(c, body, p.id);
    const r = await runItemAction(deps, v, p.id, p.verb, body);
    if (isRefusal(r)) return pageRefuse(c, r, p.id);
    // Post/redirect/get: a reload does not submit twice.
    return c.redirect(`/items/${idPath(p.id)}?done=${p.verb}`, 303);
  });
}

import type { Context, MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { logAccess } from "../access/audit.ts";
import { actorOf } from "../access/users.ts";
import { hashToken, newToken, sameToken } from "../access/tokens.ts";
import type { Env, Viewer, WebDeps } from "./context.ts";
import { refusal, type WebRefusal } from "./refusal.ts";

export const SESSION_COOKIE = "duban_session";
/** Double-submit token for the sign-in form, the one form posted before there is a session. */
export const LOGIN_COOKIE = "duban_login";

const cookieOpts = { httpOnly: true, sameSite: "Lax" as const, path: "/" };

/**
 * Refused sign-ins go into the audit log, but anyone can send a wrong token, and the log is append-only
 * and written under the one write lock: at most LOG_PER_MINUTE are logged per minute; the rest are
 * counted, and the next one logged carries how many were left out.
 */
const LOG_PER_MINUTE = 10;
/** One budget per server: two servers in one process (tests, a drill beside a live one) must not share it. */
const budgets = new WeakMap<WebDeps, { windowStart: number; logged: number; suppressed: number }>();

export async function logSignInRefused(deps: WebDeps, via: "bearer" | "form" | "feed", extra: Record<string, unknown> = {}): Promise<void> {
  let refusalBudget = budgets.get(deps);
  if (!refusalBudget) budgets.set(deps, (refusalBudget = { windowStart: 0, logged: 0, suppressed: 0 }));
  const wall = deps.wallNow();
  if (wall - refusalBudget.windowStart >= 60_000) Object.assign(refusalBudget, { windowStart: wall, logged: 0 });
  if (refusalBudget.logged >= LOG_PER_MINUTE) {
    refusalBudget.suppressed++;
    return;
  }
  refusalBudget.logged++;
  const suppressed = refusalBudget.suppressed;
  refusalBudget.suppressed = 0;
  await deps.lock.run(() =>
    logAccess(deps.campaign, deps.now, "signInRefused", { via, code: "BAD_TOKEN", ...extra, ...(suppressed ? { notLoggedBefore: suppressed } : {}) }),
  );
}

/**
 * Finds who is asking: a session cookie (pages and the browser), or `Authorization: Bearer <access token>`
 * (scripts). A wrong bearer token is refused at once and logged; a stale cookie only means "not signed in".
 */
export function identify(deps: WebDeps): MiddlewareHandler<Env> {
  return async (c, next) => {
    c.set("viewer", undefined);
    c.set("sessionProblem", undefined);
    const auth = c.req.header("authorization");
    if (auth !== undefined) {
      const m = /^Bearer\s+(\S+)$/i.exec(auth);
      const user = m ? await deps.access.userByTokenHash(hashToken(m[1]!)) : undefined;
      if (!user) {
        await logSignInRefused(deps, "bearer");
        return c.json({ error: { code: "BAD_TOKEN", message: "访问令牌无效或已停用" } }, 401);
      }
      c.set("viewer", { user, ...withActor(user), via: "bearer" });
      return next();
    }
    const sid = getCookie(c, SESSION_COOKIE);
    if (sid) {
      const idHash = hashToken(sid);
      const s = await deps.access.getSession(idHash);
      if (s && s.expiresAt > deps.wallNow()) {
        const user = await deps.access.getUser(s.user);
        if (user && !user.revokedAt) c.set("viewer", { user, ...withActor(user), via: "session", sessionHash: idHash, csrf: s.csrf });
        else c.set("sessionProblem", "ended");
      } else {
        // Not found: signed out, or the account was revoked (which ends its sessions).
        c.set("sessionProblem", s ? "expired" : "ended");
        if (s) await deps.access.deleteSession(idHash);
      }
    }
    return next();
  };
}

function withActor(user: Viewer["user"]): Pick<Viewer, "actor"> {
  const actor = actorOf(user);
  return actor ? { actor } : {};
}

/** The signed-in user, or why the request is refused (401). */
export function requireViewer(c: Context<Env>): Viewer | WebRefusal {
  const v = c.get("viewer");
  if (v) return v;
  const problem = c.get("sessionProblem");
  if (problem === "expired") return refusal(401, "SESSION_EXPIRED", "登录已过期，请重新登录");
  if (problem === "ended") return refusal(401, "SESSION_ENDED", "登录已失效（已退出或账号已停用），请重新登录");
  return refusal(401, "UNAUTHENTICATED", "请先使用访问令牌登录");
}

/**
 * CSRF: a cookie-borne session must echo its per-session token (form field `_csrf` or header
 * X-CSRF-Token). Bearer requests carry no ambient credential, so they need none.
 */
export function checkCsrf(viewer: Viewer, sent: string | undefined): WebRefusal | undefined {
  if (viewer.via === "bearer") return undefined;
  if (!sent) return refusal(403, "CSRF_MISSING", "缺少表单校验码，请刷新页面后重试");
  if (!viewer.csrf || !sameToken(sent, viewer.csrf)) return refusal(403, "CSRF_INVALID", "表单校验码不正确，请刷新页面后重试");
  return undefined;
}

export function loginFormToken(c: Context<Env>): string {
  const t = newToken();
  setCookie(c, LOGIN_COOKIE, t, { ...cookieOpts, maxAge: 3600 });
  return t;
}

/** Checks the sign-in form and the token; on success starts a session and logs it. */
export async function signIn(c: Context<Env>, deps: WebDeps, form: { token?: string; csrf?: string }): Promise<Viewer | WebRefusal> {
  const cookie = getCookie(c, LOGIN_COOKIE);
  if (!cookie || !form.csrf || !sameToken(cookie, form.csrf)) return refusal(403, "CSRF_INVALID", "登录表单已失效，请刷新页面后重试");
  const token = (form.token ?? "").trim();
  const user = token ? await deps.access.userByTokenHash(hashToken(token)) : undefined;
  if (!user) {
    await logSignInRefused(deps, "form");
    return refusal(401, "BAD_TOKEN", "访问令牌无效或已停用");
  }
  const sid = newToken();
  const csrf = newToken();
  await deps.access.purgeSessions(deps.wallNow());
  await deps.access.createSession(hashToken(sid), { user: user.name, csrf, expiresAt: deps.wallNow() + deps.sessionTtlMs });
  setCookie(c, SESSION_COOKIE, sid, { ...cookieOpts, maxAge: Math.floor(deps.sessionTtlMs / 1000) });
  deleteCookie(c, LOGIN_COOKIE, { path: "/" });
  await deps.lock.run(() => logAccess(deps.campaign, deps.now, "signedIn", { user: user.name, unit: user.unit, role: user.role }, actorOf(user)));
  return { user, ...withActor(user), via: "session", csrf };
}

export async function signOut(c: Context<Env>, deps: WebDeps, viewer: Viewer): Promise<void> {
  if (viewer.sessionHash) await deps.access.deleteSession(viewer.sessionHash);
  deleteCookie(c, SESSION_COOKIE, { path: "/" });
  await deps.lock.run(() => logAccess(deps.campaign, deps.now, "signedOut", { user: viewer.user.name }, viewer.actor));
}

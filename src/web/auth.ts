import type { Context, MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { logAccess } from "../access/audit.ts";
import { actorOf } from "../access/users.ts";
import { hashToken, newToken, sameToken } from "../access/tokens.ts";
import { clientAddress } from "./client-address.ts";
import type { Env, Viewer, WebDeps } from "./context.ts";
import { issueLoginToken, LOGIN_FORM_TTL_MS, validLoginToken } from "./login-token.ts";
import { refusal, type WebRefusal } from "./refusal.ts";
import { cookieOptions } from "./site.ts";
import { minutesZh } from "./throttle.ts";

/**
 * Refused sign-ins go into the audit log, but anyone can send a wrong token, and the log is append-only
 * and written under the one write lock: at most so many are logged per minute (limits.signInRefusalLog);
 * the rest are counted, and the next one logged carries how many were left out.
 */
export async function logSignInRefused(deps: WebDeps, via: "bearer" | "form" | "feed", extra: Record<string, unknown> = {}): Promise<void> {
  const budget = deps.limits.signInRefusalLog.hit("all");
  if (!budget.ok) return;
  await deps.lock.run(() =>
    logAccess(deps.campaign, deps.now, "signInRefused", { via, code: "BAD_TOKEN", ...extra, ...(budget.over ? { notLoggedBefore: budget.over } : {}) }),
  );
}

/** A refused sign-in from `address`: counted against it, and logged with it. */
async function signInFailed(deps: WebDeps, address: string, via: "bearer" | "form"): Promise<void> {
  deps.limits.signInByAddress.hit(address);
  await logSignInRefused(deps, via, { address });
}

/**
 * The 429 for an address that has used up its refused sign-ins, if it has. Asked only once a sign-in has
 * failed: a right token still gets in, because behind a reverse proxy every user shares one address, and a
 * stranger's wrong tokens must not lock the whole office out. What the limit stops is the wrong tokens
 * themselves: answered 429, neither counted further nor logged.
 */
export function signInBlocked(deps: WebDeps, address: string): WebRefusal | undefined {
  const wait = deps.limits.signInByAddress.blocked(address);
  return wait === undefined ? undefined : { ...refusal(429, "TOO_MANY_SIGN_INS", `此地址登录失败次数过多，请 ${minutesZh(wait)}后再试`), retryAfterS: Math.ceil(wait / 1000) };
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
        const address = clientAddress(c);
        const blocked = signInBlocked(deps, address);
        if (blocked) return c.json({ error: { code: blocked.code, message: blocked.message } }, 429, { "Retry-After": String(blocked.retryAfterS) });
        await signInFailed(deps, address, "bearer");
        return c.json({ error: { code: "BAD_TOKEN", message: "访问令牌无效或已停用" } }, 401);
      }
      c.set("viewer", { user, ...withActor(user), via: "bearer" });
      return next();
    }
    const sid = getCookie(c, deps.site.cookies.session);
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

/** A fresh sign-in form token, set as the double-submit cookie and returned for the form's hidden field. */
export async function loginFormToken(c: Context<Env>, deps: WebDeps): Promise<string> {
  const t = issueLoginToken(await deps.loginKey(), deps.wallNow());
  setCookie(c, deps.site.cookies.login, t, { ...cookieOptions(deps.site), maxAge: LOGIN_FORM_TTL_MS / 1000 });
  return t;
}

/** Checks the sign-in form and the token; on success starts a session and logs it. */
export async function signIn(c: Context<Env>, deps: WebDeps, form: { token?: string; csrf?: string }): Promise<Viewer | WebRefusal> {
  const address = clientAddress(c);
  const cookie = getCookie(c, deps.site.cookies.login);
  // Both halves must match, and the pair must be one this server issued (not made up and planted).
  if (!cookie || !form.csrf || !sameToken(cookie, form.csrf) || !validLoginToken(await deps.loginKey(), cookie, deps.wallNow())) {
    const blocked = signInBlocked(deps, address);
    if (blocked) return blocked;
    deps.limits.signInByAddress.hit(address);
    return refusal(403, "CSRF_INVALID", "登录表单已失效，请刷新页面后重试");
  }
  const token = (form.token ?? "").trim();
  const user = token ? await deps.access.userByTokenHash(hashToken(token)) : undefined;
  if (!user) {
    const blocked = signInBlocked(deps, address);
    if (blocked) return blocked;
    await signInFailed(deps, address, "form");
    return refusal(401, "BAD_TOKEN", "访问令牌无效或已停用");
  }
  const perAccount = deps.limits.signInByAccount.hit(user.name);
  if (!perAccount.ok) return { ...refusal(429, "TOO_MANY_SIGN_INS", `该账号登录过于频繁，请 ${minutesZh(perAccount.retryAfterMs)}后再试`), retryAfterS: Math.ceil(perAccount.retryAfterMs / 1000) };
  const sid = newToken();
  const csrf = newToken();
  await deps.access.purgeSessions(deps.wallNow());
  await deps.access.createSession(hashToken(sid), { user: user.name, csrf, expiresAt: deps.wallNow() + deps.sessionTtlMs });
  setCookie(c, deps.site.cookies.session, sid, { ...cookieOptions(deps.site), maxAge: Math.floor(deps.sessionTtlMs / 1000) });
  deleteCookie(c, deps.site.cookies.login, cookieOptions(deps.site));
  await deps.lock.run(() => logAccess(deps.campaign, deps.now, "signedIn", { user: user.name, unit: user.unit, role: user.role, address }, actorOf(user)));
  return { user, ...withActor(user), via: "session", csrf };
}

export async function signOut(c: Context<Env>, deps: WebDeps, viewer: Viewer): Promise<void> {
  if (viewer.sessionHash) await deps.access.deleteSession(viewer.sessionHash);
  deleteCookie(c, deps.site.cookies.session, cookieOptions(deps.site));
  await deps.lock.run(() => logAccess(deps.campaign, deps.now, "signedOut", { user: viewer.user.name }, viewer.actor));
}

import type { Context } from "hono";
import { logAccess } from "../access/audit.ts";
import { clientAddress } from "./client-address.ts";
import { switcherFor, type Env, type Viewer, type WebDeps } from "./context.ts";
import { html, type Html } from "./html.ts";
import { page } from "./layout.ts";

export type RefusalStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429;

/** A request the server will not carry out, with the reason in Chinese. */
export interface WebRefusal {
  status: RefusalStatus;
  code: string;
  message: string;
  /** A 429's Retry-After, in seconds. */
  retryAfterS?: number;
}

export function refusal(status: RefusalStatus, code: string, message: string): WebRefusal {
  return { status, code, message };
}

const TITLE: Record<RefusalStatus, string> = { 400: "请求有误", 401: "请先登录", 403: "无权访问", 404: "未找到", 409: "状态不允许", 413: "内容过大", 415: "文件类型不允许", 422: "无法办理", 429: "请求过于频繁" };

/**
 * Whether a refusal goes into the log: every refusal of a signed-in user's attempt to change something,
 * and every 403 (someone reaching for what is not theirs). Anonymous 401s are not logged, so nobody
 * can fill the log without a token; a wrong token is logged separately as signInRefused, at most 10 a minute.
 */
export function shouldLog(method: string, r: WebRefusal, viewer: Viewer | undefined): boolean {
  return viewer !== undefined && (method === "POST" || r.status === 403);
}

/** Where to sign in and come back to this very page, query included (the board's filters, say). */
export function signInHref(c: Context): string {
  const u = new URL(c.req.url);
  const here = `${u.pathname}${u.search}`;
  return here === "/" ? "/login" : `/login?next=${encodeURIComponent(here)}`;
}

/**
 * Writes a refusal to the audit log, at most limits.refusalLogByAccount a minute per account (the next one
 * logged says how many were left out). It names the client address and the item reached for (`target`),
 * but is not attached to the item: the item's trail belongs to the units that own it, and another unit's
 * refused reach belongs in the audit list (/audit/refusals), not on their record.
 */
async function logRefusal(c: Context<Env>, deps: WebDeps, viewer: Viewer, r: WebRefusal, target: string | undefined): Promise<void> {
  const budget = deps.limits.refusalLogByAccount.hit(viewer.user.name);
  if (!budget.ok) return;
  const payload = {
    user: viewer.user.name,
    role: viewer.user.role,
    method: c.req.method,
    path: c.req.path,
    status: r.status,
    code: r.code,
    reason: r.message,
    address: clientAddress(c),
    ...(target !== undefined ? { target } : {}),
    ...(budget.over ? { notLoggedBefore: budget.over } : {}),
  };
  await deps.lock.run(() => logAccess(deps.campaign, deps.now, "requestRefused", payload, viewer.actor));
}

/** `page`: what a page shows instead of the plain refusal (a form again, with the reason above it and what was typed kept). */
export async function refuse(c: Context<Env>, deps: WebDeps, r: WebRefusal, opts: { api: boolean; assignment?: string; page?: { title: string; body: Html } }): Promise<Response> {
  const viewer = c.get("viewer");
  if (shouldLog(c.req.method, r, viewer)) await logRefusal(c, deps, viewer!, r, opts.assignment !== undefined && deps.campaign.item(opts.assignment) ? opts.assignment : undefined);
  if (r.retryAfterS !== undefined) c.header("Retry-After", String(r.retryAfterS));
  if (opts.api) return c.json({ error: { code: r.code, message: r.message } }, r.status);
  if (opts.page) return c.html(page({ plan: deps.campaign.plan, ...(viewer ? { user: viewer.user, ...(viewer.csrf ? { csrf: viewer.csrf } : {}) } : {}), ...switcherFor(deps, viewer?.user) }, opts.page.title, opts.page.body), r.status);
  const body = html`<h1>${TITLE[r.status]}</h1><div class="error"><p>${r.message}</p><p class="muted">代码：${r.code}（HTTP ${r.status}）</p></div>
    ${r.status === 401 ? html`<p><a class="btn" href="${signInHref(c)}">登录</a></p>` : html`<p><a href="/">返回看板</a></p>`}`;
  return c.html(page({ plan: deps.campaign.plan, ...(viewer ? { user: viewer.user, ...(viewer.csrf ? { csrf: viewer.csrf } : {}) } : {}), ...switcherFor(deps, viewer?.user) }, TITLE[r.status], body), r.status);
}

import type { Context } from "hono";
import { logAccess } from "../access/audit.ts";
import { switcherFor, type Env, type Viewer, type WebDeps } from "./context.ts";
import { html, type Html } from "./html.ts";
import { page } from "./layout.ts";

export type RefusalStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422;

/** A request the server will not carry out, with the reason in Chinese. */
export interface WebRefusal {
  status: RefusalStatus;
  code: string;
  message: string;
}

export function refusal(status: RefusalStatus, code: string, message: string): WebRefusal {
  return { status, code, message };
}

const TITLE: Record<RefusalStatus, string> = { 400: "请求有误", 401: "请先登录", 403: "无权访问", 404: "未找到", 409: "状态不允许", 413: "文件过大", 415: "文件类型不允许", 422: "无法办理" };

/**
 * Whether a refusal goes into the log: every refusal of a signed-in user's attempt to change something,
 * and every 403 (someone reaching for what is not theirs). Anonymous 401s are not logged, so nobody
 * can fill the log without a token; a wrong token is logged separately as signInRefused, at most 10 a minute.
 */
export function shouldLog(method: string, r: WebRefusal, viewer: Viewer | undefined): boolean {
  return viewer !== undefined && (method === "POST" || r.status === 403);
}

/** `page`: what a page shows instead of the plain refusal (a form again, with the reason above it and what was typed kept). */
export async function refuse(c: Context<Env>, deps: WebDeps, r: WebRefusal, opts: { api: boolean; assignment?: string; page?: { title: string; body: Html } }): Promise<Response> {
  const viewer = c.get("viewer");
  if (shouldLog(c.req.method, r, viewer)) {
    await deps.lock.run(() =>
      logAccess(
        deps.campaign,
        deps.now,
        "requestRefused",
        { user: viewer!.user.name, role: viewer!.user.role, method: c.req.method, path: c.req.path, status: r.status, code: r.code, reason: r.message },
        viewer!.actor,
        opts.assignment !== undefined && deps.campaign.item(opts.assignment) ? opts.assignment : undefined,
      ),
    );
  }
  if (opts.api) return c.json({ error: { code: r.code, message: r.message } }, r.status);
  if (opts.page) return c.html(page({ plan: deps.campaign.plan, ...(viewer ? { user: viewer.user, ...(viewer.csrf ? { csrf: viewer.csrf } : {}) } : {}), ...switcherFor(deps, viewer?.user) }, opts.page.title, opts.page.body), r.status);
  const body = html`<h1>${TITLE[r.status]}</h1><div class="error"><p>${r.message}</p><p class="muted">代码：${r.code}（HTTP ${r.status}）</p></div>
    ${r.status === 401 ? html`<p><a class="btn" href="/login?next=${encodeURIComponent(c.req.path)}">登录</a></p>` : html`<p><a href="/">返回看板</a></p>`}`;
  return c.html(page({ plan: deps.campaign.plan, ...(viewer ? { user: viewer.user, ...(viewer.csrf ? { csrf: viewer.csrf } : {}) } : {}), ...switcherFor(deps, viewer?.user) }, TITLE[r.status], body), r.status);
}

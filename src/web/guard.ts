import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { Env, WebDeps } from "./context.ts";
import { refuse, refusal } from "./refusal.ts";
import { MAX_UPLOAD_BYTES } from "./uploads.ts";

/** Room for the form fields and multipart framing around 10 MB of files. */
const BODY_SLACK = 256 * 1024;
/** Every other body: a sign-in, a sign-out, a light mark, a JSON action without files. */
export const MAX_FORM_BYTES = 64 * 1024;

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

/** Multipart bodies to the routes that take files: the item actions (hand-in) and 交办 (an opening's attachment fields). JSON and urlencoded bodies carry no files. */
function takesFiles(c: Context): boolean {
  const p = c.req.path;
  return (c.req.header("content-type") ?? "").toLowerCase().startsWith("multipart/form-data") && (p.startsWith("/items/") || p.startsWith("/api/items/") || p.startsWith("/open/") || p.startsWith("/api/kinds/"));
}

/**
 * Before any body is read: a POST a browser sends from another site (its Origin or Sec-Fetch-Site says
 * so) is refused, whatever cookie it carries; that covers the sign-in form, which has no session to check
 * a token against. Scripts sending `Authorization: Bearer` carry no ambient credential and are not asked.
 */
export function sameSitePosts(deps: WebDeps): MiddlewareHandler<Env> {
  return async (c, next) => {
    if (SAFE.has(c.req.method) || c.req.header("authorization") !== undefined) return next();
    const fetchSite = c.req.header("sec-fetch-site");
    const origin = c.req.header("origin");
    const cross = (fetchSite !== undefined && fetchSite !== "same-origin" && fetchSite !== "none") || (origin !== undefined && !ownOrigin(c, deps, origin));
    if (cross) return refuse(c, deps, refusal(403, "CSRF_CROSS_SITE", "拒绝来自其他网站的提交；请在督办工作台的页面上操作"), { api: c.req.path.startsWith("/api/") });
    return next();
  };
}

function ownOrigin(c: Context, deps: WebDeps, origin: string): boolean {
  if (deps.site.origin !== undefined && origin === deps.site.origin) return true;
  try {
    // Behind a TLS proxy the browser says https and the request reaches us as http: the host decides.
    return new URL(origin).host === c.req.header("host");
  } catch {
    return false;
  }
}

/**
 * Every request's body is bounded before a handler reads it: 10 MB and some for the routes that take
 * files (multipart), 64 KB for the rest. A declared length over it is refused at once; a chunked body as soon as it
 * passes it. Either way a 413 in Chinese.
 */
export function bodyLimits(deps: WebDeps): MiddlewareHandler<Env> {
  const tooLarge = (code: string, what: string) => (c: Context<Env>) => refuse(c, deps, refusal(413, code, what), { api: c.req.path.startsWith("/api/") });
  const files = bodyLimit({ maxSize: MAX_UPLOAD_BYTES + BODY_SLACK, onError: tooLarge("FILE_TOO_LARGE", "附件合计不能超过 10 MB") });
  const forms = bodyLimit({ maxSize: MAX_FORM_BYTES, onError: tooLarge("BODY_TOO_LARGE", `提交的内容过大（上限 ${MAX_FORM_BYTES / 1024} KB）`) });
  return (c, next) => (SAFE.has(c.req.method) ? next() : takesFiles(c) ? files(c, next) : forms(c, next));
}

import type { Context, Hono } from "hono";
import { requireViewer } from "./auth.ts";
import type { Env, Viewer, WebDeps } from "./context.ts";
import { page } from "./layout.ts";
import { refuse, refusal, type WebRefusal } from "./refusal.ts";
import { refusalsPage, type RefusalLine } from "./views/refusals.ts";

/** Events read per page: the list never folds the whole log on the request thread. */
export const REFUSAL_WINDOW = 5000;

const TYPES = new Set(["requestRefused", "signInRefused"]);

/**
 * The refusals the log holds (requests of signed-in accounts refused, wrong tokens), newest first, for the
 * office and auditors: they are kept off the items' trails, and this is where they are read. One page
 * covers the REFUSAL_WINDOW events before `before` (default: the head); `older` is where the next page starts.
 */
export async function refusalList(deps: WebDeps, v: Viewer, beforeText: string | undefined): Promise<{ lines: RefusalLine[]; from: number; to: number; older?: number } | WebRefusal> {
  if (v.user.role === "unit") return refusal(403, "AUDIT_FORBIDDEN", "拒绝记录仅限领导小组办公室和审计人员查看");
  const head = (await deps.campaign.store.head()).seq;
  const before = beforeText === undefined ? head + 1 : Number(beforeText);
  if (!Number.isInteger(before) || before < 1) return refusal(400, "BAD_SEQ", "before 应为事件序号（正整数）");
  const to = Math.min(before - 1, head);
  const from = Math.max(1, to - REFUSAL_WINDOW + 1);
  const lines: RefusalLine[] = [];
  if (to >= 1) {
    for await (const e of deps.campaign.store.read({ fromSeq: from, toSeq: to })) {
      if (!TYPES.has(e.type)) continue;
      const p = e.payload as Record<string, unknown>;
      const s = (k: string) => (typeof p[k] === "string" ? (p[k] as string) : undefined);
      lines.push({
        seq: e.seq,
        at: e.at,
        type: e.type as RefusalLine["type"],
        ...(s("user") ? { user: s("user")! } : {}),
        ...(s("address") ? { address: s("address")! } : {}),
        ...(s("method") ? { method: s("method")! } : {}),
        ...(s("path") ? { path: s("path")! } : {}),
        ...(s("target") ? { target: s("target")! } : {}),
        ...(s("code") ? { code: s("code")! } : {}),
        ...(s("reason") ? { reason: s("reason")! } : {}),
        ...(typeof p.notLoggedBefore === "number" ? { notLoggedBefore: p.notLoggedBefore } : {}),
      });
    }
  }
  lines.reverse();
  return { lines, from, to, ...(from > 1 ? { older: from } : {}) };
}

export function registerRefusalRoutes(app: Hono<Env>, deps: WebDeps): void {
  const isRefusal = (x: unknown): x is WebRefusal => typeof x === "object" && x !== null && "status" in x && "code" in x && "message" in x;
  const list = async (c: Context<Env>, api: boolean) => {
    const v = requireViewer(c);
    if (isRefusal(v)) return refuse(c, deps, v, { api });
    const r = await refusalList(deps, v, c.req.query("before"));
    if (isRefusal(r)) return refuse(c, deps, r, { api });
    if (api) return c.json({ refusals: r.lines, fromSeq: r.from, toSeq: r.to, ...(r.older !== undefined ? { older: r.older } : {}) });
    return c.html(page({ plan: deps.campaign.plan, user: v.user, ...(v.csrf ? { csrf: v.csrf } : {}) }, "拒绝记录", refusalsPage(r)));
  };
  app.get("/api/audit/refusals", (c) => list(c, true));
  app.get("/audit/refusals", (c) => list(c, false));
}

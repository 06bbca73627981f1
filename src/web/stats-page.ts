import type { Hono } from "hono";
import { PublishError } from "../publish/source.ts";
import { statsSeries } from "../publish/stats-series.ts";
import { publishedStatistics } from "../publish/stats-scored.ts";
import { GROUPING_NAMES, type Grouping } from "../publish/stats.ts";
import { requireViewer } from "./auth.ts";
import { switcherFor, type Env, type WebDeps } from "./context.ts";
import { page } from "./layout.ts";
import { publishedStateFor } from "./publish-routes.ts";
import { refuse, refusal, type WebRefusal } from "./refusal.ts";
import { statsPage } from "./views/stats.ts";

const isRefusal = (x: unknown): x is WebRefusal => typeof x === "object" && x !== null && "status" in x && "code" in x && "message" in x;

/**
 * This page alone runs scripts: ECharts and the page's chart script, both from this server ('self'),
 * never inline; the chart data is JSON in a non-executed <script type="application/json">.
 */
export const STATS_CSP = "default-src 'self'; script-src 'self'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/** /stats?asOf=&by=: the statistics page, for the office and auditors (it covers every unit). */
export function registerStatsPage(app: Hono<Env>, deps: WebDeps): void {
  app.get("/stats", async (c) => {
    const no = (r: WebRefusal) => refuse(c, deps, r, { api: false });
    const v = requireViewer(c);
    if (isRefusal(v)) return c.redirect(`/login?next=${encodeURIComponent(c.req.path + (new URL(c.req.url).search))}`, 303);
    if (v.user.role === "unit") return no(refusal(403, "PUBLISH_FORBIDDEN", "统计涉及全部单位，仅限领导小组办公室和审计人员查看"));
    const by = (c.req.query("by") || "unit") as Grouping;
    if (!GROUPING_NAMES.includes(by)) return no(refusal(400, "BAD_GROUPING", `分组只能是 ${GROUPING_NAMES.join("、")}`));
    try {
      const state = await publishedStateFor(deps, c.req.query("asOf") || undefined);
      const s = publishedStatistics(state, by);
      const body = statsPage(s, statsSeries(state), s.asOf.slice(0, 16));
      c.header("Content-Security-Policy", STATS_CSP);
      return c.html(page({ plan: state.plan, user: v.user, ...(v.csrf ? { csrf: v.csrf } : {}), ...switcherFor(deps, v.user) }, "统计", body));
    } catch (err) {
      if (err instanceof PublishError) return no(refusal(400, err.code, err.message));
      throw err;
    }
  });
}

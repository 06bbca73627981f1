import type { Context, Hono } from "hono";
import { requireViewer } from "./auth.ts";
import type { Env, WebDeps } from "./context.ts";
import { refuse, refusal, type WebRefusal } from "./refusal.ts";
import { parseAsOf, publishedAsOf, publishedNow, PublishError } from "../publish/source.ts";
import { GROUPING_NAMES, statistics, type Grouping } from "../publish/stats.ts";

const isRefusal = (x: unknown): x is WebRefusal => typeof x === "object" && x !== null && "status" in x && "code" in x && "message" in x;

/** What the office publishes, over HTTP: statistics (JSON). Office and auditors only: they cover every unit. */
export function registerPublishRoutes(app: Hono<Env>, deps: WebDeps): void {
  const no = (c: Context<Env>, r: WebRefusal) => refuse(c, deps, r, { api: true });

  app.get("/api/stats", async (c) => {
    const v = requireViewer(c);
    if (isRefusal(v)) return no(c, v);
    if (v.user.role === "unit") return no(c, refusal(403, "STATS_FORBIDDEN", "统计涉及全部单位，仅限领导小组办公室和审计人员查看"));
    const by = (c.req.query("by") ?? "unit") as Grouping;
    if (!GROUPING_NAMES.includes(by)) return no(c, refusal(400, "BAD_GROUPING", `by 只能是 ${GROUPING_NAMES.join("、")}`));
    const campaign = deps.campaign;
    const asOfText = c.req.query("asOf");
    try {
      // As of an instant: an engine of its own folded from the log, no lock needed. Now: the shared state, under the lock.
      const state =
        asOfText !== undefined
          ? await publishedAsOf(campaign, parseAsOf(asOfText, campaign.plan.campaign.timezone, "asOf"))
          : await deps.lock.run(async () => (await campaign.refresh(), publishedNow(campaign, Math.max(deps.now(), campaign.plan.campaign.startAt))));
      return c.json(statistics(state, by));
    } catch (err) {
      if (err instanceof PublishError) return no(c, refusal(400, err.code, err.message));
      throw err;
    }
  });
}

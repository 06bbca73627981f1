import type { Context, Hono } from "hono";
import { CampaignError } from "../campaign/campaign.ts";
import { formatInstant, parseInstant } from "../engine/calendar.ts";
import { requireViewer } from "./auth.ts";
import type { Env, WebDeps } from "./context.ts";
import { filterRows, visibleBoard, boardFilter } from "./data.ts";
import { downloadAttachment, parseItemPath, readActionBody, runItemAction } from "./item-routes.ts";
import { openApiDocument } from "./openapi.ts";
import { readLightBody, runLightMark } from "./light-routes.ts";
import { itemData, unitData } from "./queries.ts";
import { refuse, refusal, type WebRefusal } from "./refusal.ts";
import { phaseCounts } from "./views/board.ts";

const isRefusal = (x: unknown): x is WebRefusal => typeof x === "object" && x !== null && "status" in x && "code" in x && "message" in x;

/** The JSON API: the same queries and actions as the pages, for scripts and other systems. */
export function registerApi(app: Hono<Env>, deps: WebDeps): void {
  // Read per request: after `duban plan apply` the campaign runs a new plan version.
  const current = () => deps.campaign.plan;
  const no = (c: Context<Env>, r: WebRefusal, assignment?: string) => refuse(c, deps, r, { api: true, ...(assignment ? { assignment } : {}) });

  app.get("/api/openapi.json", (c) => c.json(openApiDocument(current().campaign.title)));

  app.get("/api/me", async (c) => {
    const v = requireViewer(c);
    if (isRefusal(v)) return no(c, v);
    return c.json({ user: { name: v.user.name, unit: v.user.unit, role: v.user.role }, ...(v.csrf ? { csrf: v.csrf } : {}) });
  });

  app.get("/api/board", async (c) => {
    const v = requireViewer(c);
    if (isRefusal(v)) return no(c, v);
    const f = boardFilter((name) => c.req.query(name));
    const { now, rows } = await deps.lock.run(() => visibleBoard(deps, v));
    const shown = filterRows(current(), rows, f);
    // The per-phase counts answer for the rows the filter selects, like the page's table.
    return c.json({ asOf: formatInstant(now, current().campaign.timezone), campaign: deps.campaign.campaignState(), phases: phaseCounts(current(), shown), assignments: shown });
  });

  app.get("/api/units/:unit", async (c) => {
    const v = requireViewer(c);
    if (isRefusal(v)) return no(c, v);
    const d = await unitData(deps, v, c.req.param("unit"));
    return isRefusal(d) ? no(c, d) : c.json(d);
  });

  app.get("/api/replay", async (c) => {
    const v = requireViewer(c);
    if (isRefusal(v)) return no(c, v);
    if (v.user.role === "unit") return no(c, refusal(403, "REPLAY_FORBIDDEN", "历史回放仅限领导小组办公室和审计人员使用"));
    const asOf = parseInstant(c.req.query("asOf") ?? "", current().campaign.timezone);
    if (Number.isNaN(asOf)) return no(c, refusal(400, "BAD_DATE", "asOf 应为 ISO 8601 时间，如 2021-06-16T09:00+08:00"));
    // A replay builds its own engine from the log: it needs no write lock and holds up nobody.
    try {
      return c.json(await deps.campaign.replayAsOf(asOf));
    } catch (err) {
      // Before the store's first event: the refusal says when it begins.
      if (err instanceof CampaignError) return no(c, refusal(422, err.code, err.message));
      throw err;
    }
  });

  app.get("/api/items/*", async (c) => {
    const v = requireViewer(c);
    if (isRefusal(v)) return no(c, v);
    const p = parseItemPath(c.req.path, "/api/items/");
    if (p.kind === "attachment") return downloadAttachment(c, deps, v, p.id, p.sha256, true);
    if (p.kind !== "item") return no(c, refusal(404, "NOT_FOUND", "没有这个接口"));
    const d = await itemData(deps, v, p.id);
    return isRefusal(d) ? no(c, d, p.id) : c.json(d);
  });

  app.post("/api/items/*", async (c) => {
    const v = requireViewer(c);
    if (isRefusal(v)) return no(c, v);
    const p = parseItemPath(c.req.path, "/api/items/");
    if (p.kind === "light") {
      const lb = await readLightBody(c);
      if (isRefusal(lb)) return no(c, lb, p.id);
      const m = await runLightMark(deps, v, p.id, lb);
      return isRefusal(m) ? no(c, m, p.id) : c.json({ ok: true, event: m });
    }
    if (p.kind !== "action") return no(c, refusal(404, "NOT_FOUND", "没有这个接口"));
    const body = await readActionBody(c);
    if (isRefusal(body)) return no(c, body, p.id);
    const r = await runItemAction(deps, v, p.id, p.verb, body);
    return isRefusal(r) ? no(c, r, p.id) : c.json({ ok: true, event: r });
  });
}

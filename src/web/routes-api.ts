import type { Context, Hono } from "hono";
import { CampaignError } from "../campaign/campaign.ts";
import { formatInstant, parseInstant } from "../engine/calendar.ts";
import { clampAsOf } from "./as-of.ts";
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

/** Rows per page of /api/board: the default and the most one page holds (a national campaign has hundreds of thousands). */
export const BOARD_PAGE_MAX = 1000;

/**
 * One page of the filtered rows. The cursor is the id of the last row of the previous page: the rows keep
 * the engine's order (the plan's items, then those opened, in order), so a page is stable while items are
 * opened meanwhile. A cursor past the last row gives an empty page, not an error.
 */
export function pageOf<T extends { id: string }>(all: readonly T[], shown: readonly T[], cursor: string | undefined, limit: string | undefined): { rows: T[]; next: string | null } | WebRefusal {
  const n = limit === undefined || limit === "" ? BOARD_PAGE_MAX : Number(limit);
  if (!Number.isInteger(n) || n < 1) return refusal(400, "BAD_LIMIT", `limit 应为 1 到 ${BOARD_PAGE_MAX} 之间的整数`);
  const size = Math.min(n, BOARD_PAGE_MAX);
  let start = 0;
  if (cursor) {
    const pos = new Map(all.map((r, i) => [r.id, i]));
    const after = pos.get(cursor);
    if (after === undefined) return refusal(400, "BAD_CURSOR", "cursor 无效：请使用上一页返回的 nextCursor");
    // The first shown row after the cursor's row in the engine's order (the cursor's row may be filtered out).
    let lo = 0;
    let hi = shown.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (pos.get(shown[mid]!.id)! <= after) lo = mid + 1;
      else hi = mid;
    }
    start = lo;
  }
  const rows = shown.slice(start, start + size);
  return { rows, next: start + size < shown.length ? rows.at(-1)!.id : null };
}

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
    const { now, rows, subPlans } = await deps.lock.run(() => visibleBoard(deps, v));
    const shown = filterRows(current(), rows, f);
    const paged = pageOf(rows, shown, c.req.query("cursor"), c.req.query("limit"));
    if (isRefusal(paged)) return no(c, paged);
    // The per-phase counts answer for every row the filter selects (not only this page), like the page's table.
    return c.json({ asOf: formatInstant(now, current().campaign.timezone), campaign: deps.campaign.campaignState(), phases: phaseCounts(current(), shown), total: shown.length, assignments: paged.rows, nextCursor: paged.next, ...(subPlans.length ? { subPlans } : {}) });
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
    const asked = parseInstant(c.req.query("asOf") ?? "", current().campaign.timezone);
    if (Number.isNaN(asked)) return no(c, refusal(400, "BAD_DATE", "asOf 应为 ISO 8601 时间，如 2021-06-16T09:00+08:00"));
    const asOf = clampAsOf(deps, asked);
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

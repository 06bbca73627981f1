import { PassThrough, Readable } from "node:stream";
import type { Context, Hono } from "hono";
import { formatInstant } from "../engine/calendar.ts";
import type { PublishedState } from "../publish/items.ts";
import { logSignInRefused, requireViewer } from "./auth.ts";
import { clampAsOf } from "./as-of.ts";
import { clientAddress } from "./client-address.ts";
import { FeedLog } from "../publish/feed-log.ts";
import type { Env, WebDeps } from "./context.ts";
import { refuse, refusal, type WebRefusal } from "./refusal.ts";
import { marksAt } from "../publish/light-marks.ts";
import { parseAsOf, publishedAsOf, publishedNow, PublishError } from "../publish/source.ts";
import { publishedStatistics } from "../publish/stats-scored.ts";
import { GROUPING_NAMES, type Grouping } from "../publish/stats.ts";

const isRefusal = (x: unknown): x is WebRefusal => typeof x === "object" && x !== null && "status" in x && "code" in x && "message" in x;

/** The state at `asOf` (an engine of its own folded from the log, no lock needed), or now (the shared state, under the lock). */
export function publishedStateFor(deps: WebDeps, asOfText: string | undefined): Promise<PublishedState> {
  const campaign = deps.campaign;
  return asOfText !== undefined
    ? publishedAsOf(campaign, clampAsOf(deps, parseAsOf(asOfText, campaign.plan.campaign.timezone, "asOf")))
    : deps.lock.run(async () => {
        await campaign.refresh();
        const now = Math.max(deps.now(), campaign.plan.campaign.startAt);
        return publishedNow(campaign, now, await marksAt(campaign, now));
      });
}

/**
 * What the office publishes, over HTTP: statistics (JSON) and the 台账 (xlsx). Office and auditors only:
 * both cover every unit.
 */
export function registerPublishRoutes(app: Hono<Env>, deps: WebDeps): void {
  const no = (c: Context<Env>, r: WebRefusal) => refuse(c, deps, r, { api: true });
  const campaign = deps.campaign;

  const stateFor = (asOfText: string | undefined) => publishedStateFor(deps, asOfText);

  const officeOnly = (c: Context<Env>, what: string): WebRefusal | undefined => {
    const v = requireViewer(c);
    if (isRefusal(v)) return v;
    if (v.user.role === "unit") return refusal(403, "PUBLISH_FORBIDDEN", `${what}涉及全部单位，仅限领导小组办公室和审计人员查看`);
    return undefined;
  };

  const feeds = new FeedLog();
  /**
   * A unit's calendar feed, for calendar apps that subscribe by URL and send no credentials: the token in
   * the URL is the unit's read-only feed token (duban ics --issue-token). A wrong or revoked token, or an
   * unknown unit, gets the same 404 and no data (nothing tells a guesser which units exist), and is logged.
   */
  app.get("/units/:unit/calendar.ics", async (c) => {
    const unit = c.req.param("unit");
    const token = c.req.query("token") ?? "";
    const feed = await deps.lock.run(async () => {
      await campaign.refresh();
      await feeds.catchUp(campaign.store, campaign.plan.campaign.timezone);
      if (!campaign.plan.units.has(unit) || !feeds.accepts(unit, token)) return undefined;
      const state = publishedNow(campaign, Math.max(deps.now(), campaign.plan.campaign.startAt));
      return { state, moves: (id: string) => feeds.planMoves(id, state.asOf) };
    });
    if (!feed) {
      await logSignInRefused(deps, "feed", { path: c.req.path, address: clientAddress(c) });
      return c.text("未找到", 404);
    }
    const { unitFeedIcs } = await import("../publish/calendar-feed.ts");
    const text = await unitFeedIcs(feed.state, unit, feed.moves);
    return c.body(text, 200, { "content-type": "text/calendar; charset=utf-8", "content-disposition": `inline; filename="${unit}.ics"` });
  });

  app.get("/api/ledger.xlsx", async (c) => {
    const r = officeOnly(c, "台账");
    if (r) return no(c, r);
    let state: PublishedState;
    try {
      state = await stateFor(c.req.query("asOf"));
    } catch (err) {
      if (err instanceof PublishError) return no(c, refusal(400, err.code, err.message));
      throw err;
    }
    const { writeLedger } = await import("../publish/ledger-xlsx.ts");
    // Streamed as it is written: a large campaign's ledger is never held whole in memory.
    const body = new PassThrough();
    writeLedger(state, body).catch((err: unknown) => body.destroy(err as Error));
    const day = formatInstant(state.asOf, campaign.plan.campaign.timezone).slice(0, 10);
    const name = encodeURIComponent(`${campaign.plan.campaign.id}-台账-${day}.xlsx`);
    return new Response(Readable.toWeb(body) as ReadableStream, {
      headers: { "content-type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "content-disposition": `attachment; filename*=UTF-8''${name}` },
    });
  });

  app.get("/api/score", async (c) => {
    const r = officeOnly(c, "考评");
    if (r) return no(c, r);
    try {
      const { scores } = await import("../publish/score.ts");
      return c.json(scores(await stateFor(c.req.query("asOf"))));
    } catch (err) {
      if (err instanceof PublishError) return no(c, refusal(400, err.code, err.message));
      throw err;
    }
  });

  app.get("/api/bulletin.docx", async (c) => {
    const r = officeOnly(c, "通报");
    if (r) return no(c, r);
    try {
      const { publishDocument, templateDirOf } = await import("../publish/bulletin.ts");
      const state = await stateFor(c.req.query("asOf"));
      const fromText = c.req.query("from");
      const from = fromText !== undefined ? parseAsOf(fromText, campaign.plan.campaign.timezone, "from") : undefined;
      const kind = c.req.query("kind") === "report" ? "report" : "bulletin";
      const doc = await publishDocument(state, { kind, ...(from !== undefined ? { from } : {}), templateDir: await templateDirOf(campaign, state) });
      return c.body(new Uint8Array(doc.bytes), 200, {
        "content-type": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "content-disposition": `attachment; filename*=UTF-8''${encodeURIComponent(doc.name)}`,
      });
    } catch (err) {
      if (err instanceof PublishError) return no(c, refusal(400, err.code, err.message));
      throw err;
    }
  });

  app.get("/api/stats", async (c) => {
    const r = officeOnly(c, "统计");
    if (r) return no(c, r);
    const by = (c.req.query("by") ?? "unit") as Grouping;
    if (!GROUPING_NAMES.includes(by)) return no(c, refusal(400, "BAD_GROUPING", `by 只能是 ${GROUPING_NAMES.join("、")}`));
    try {
      return c.json(publishedStatistics(await stateFor(c.req.query("asOf")), by));
    } catch (err) {
      if (err instanceof PublishError) return no(c, refusal(400, err.code, err.message));
      throw err;
    }
  });
}

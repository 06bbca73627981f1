import type { Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { CampaignError } from "../campaign/campaign.ts";
import type { StoredEvent } from "../store/types.ts";
import { checkCsrf, requireViewer } from "./auth.ts";
import { STATUS } from "./actions.ts";
import type { Env, Viewer, WebDeps } from "./context.ts";
import { refuse, refusal, type WebRefusal } from "./refusal.ts";
import { readRequestBody } from "./request-body.ts";

const MAX_NOTE = 500;
/** A 催办 form carries a token and perhaps a short note: nothing near this. */
const MAX_BODY = 16 * 1024;

const isRefusal = (x: unknown): x is WebRefusal => typeof x === "object" && x !== null && "status" in x && "code" in x && "message" in x;

/**
 * The office's 催办 of a unit: CSRF (from the header before any body is read, else from the form), then
 * the engine's `urge` input under the write lock, so the reminder takes the ladder's one path (events and
 * outbox in one transaction) and the engine's rule of once per unit per day.
 */
export async function runUrge(c: Context<Env>, deps: WebDeps, v: Viewer, unit: string): Promise<StoredEvent[] | WebRefusal> {
  // A token in the header is checked before the body is read; a form's token comes with the body.
  const header = c.req.header("x-csrf-token");
  if (header) {
    const bad = checkCsrf(v, header);
    if (bad) return bad;
  }
  const body = await readRequestBody(c);
  if (isRefusal(body)) return body;
  const get = (k: string) => {
    const x = body.json ? body.json[k] : body.form[k];
    return typeof x === "string" ? x : undefined;
  };
  if (!header) {
    const bad = checkCsrf(v, get("_csrf"));
    if (bad) return bad;
  }
  const note = get("note")?.trim() || undefined;
  if (!v.actor) return refusal(403, "READ_ONLY", "审计账号只能查看，不能催办");
  if (note && note.length > MAX_NOTE) return refusal(400, "NOTE_TOO_LONG", `说明不能超过 ${MAX_NOTE} 字`);
  const extra = { via: "web", user: v.user.name, ...(deps.clockSet ? { clock: "set" } : {}) };
  try {
    const r = await deps.lock.run(() => deps.campaign.step({ type: "urge", unit, actor: v.actor!, ...(note ? { note } : {}) }, deps.now(), extra));
    if (r.refused) return refusal(STATUS[r.refused.code], r.refused.code, r.refused.message);
    return r.events.filter((e) => e.type === "reminded" && (e.payload as { reason?: string }).reason === "urged");
  } catch (err) {
    if (err instanceof CampaignError) return refusal(409, err.code, err.message);
    throw err;
  }
}

/** POST /units/:unit/urge (the board's button; back to the ranking) and POST /api/units/:unit/urge. */
export function registerUrgeRoutes(app: Hono<Env>, deps: WebDeps): void {
  const limit = (api: boolean) => bodyLimit({ maxSize: MAX_BODY, onError: (c) => refuse(c, deps, refusal(413, "BODY_TOO_LARGE", "请求内容过大"), { api }) });
  app.post("/units/:unit/urge", limit(false), async (c) => {
    const v = requireViewer(c);
    if (isRefusal(v)) return refuse(c, deps, v, { api: false });
    const unit = c.req.param("unit");
    const r = await runUrge(c, deps, v, unit);
    if (isRefusal(r)) return refuse(c, deps, r, { api: false });
    return c.redirect(`/?urged=${encodeURIComponent(unit)}#ranking`, 303);
  });
  app.post("/api/units/:unit/urge", limit(true), async (c) => {
    const v = requireViewer(c);
    if (isRefusal(v)) return refuse(c, deps, v, { api: true });
    const r = await runUrge(c, deps, v, c.req.param("unit"));
    return isRefusal(r) ? refuse(c, deps, r, { api: true }) : c.json({ ok: true, events: r });
  });
}

import type { Context } from "hono";
import { CampaignError } from "../campaign/campaign.ts";
import { byUrgency, parseLight } from "../publish/light.ts";
import { markLight, type MarkChoice } from "../publish/light-marks.ts";
import type { StoredEvent } from "../store/types.ts";
import { checkCsrf } from "./auth.ts";
import type { Env, Viewer, WebDeps } from "./context.ts";
import { visibleBoard } from "./data.ts";
import { refusal, type WebRefusal } from "./refusal.ts";
import type { LitRow } from "../publish/light.ts";

/** Why a refused mark answers with that HTTP status. */
const STATUS: Record<string, 400 | 403 | 404 | 409> = { NOT_PERMITTED: 403, UNKNOWN_ACTOR: 403, UNKNOWN_ASSIGNMENT: 404, NO_REASON: 400, BAD_LIGHT: 400, ITEM_CLOSED: 409, NOT_MARKED: 409 };

/** The body of a mark: form fields or JSON (`light`, `reason`), the CSRF token also as X-CSRF-Token. */
export async function readLightBody(c: Context<Env>): Promise<{ light: string; reason?: string; csrf?: string } | WebRefusal> {
  const header = c.req.header("x-csrf-token");
  try {
    const raw = (c.req.header("content-type") ?? "").startsWith("application/json") ? ((await c.req.json()) as Record<string, unknown>) : await c.req.parseBody();
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return refusal(400, "BAD_BODY", "请求内容应为 JSON 对象");
    const s = (k: string) => (typeof raw[k] === "string" ? (raw[k] as string) : undefined);
    const csrf = header ?? s("_csrf");
    return { light: s("light") ?? "", ...(s("reason") !== undefined ? { reason: s("reason")! } : {}), ...(csrf ? { csrf } : {}) };
  } catch {
    return refusal(400, "BAD_BODY", "无法读取请求内容");
  }
}

/** The office marks (or clears) an item's light: CSRF, then markLight under the write lock. */
export async function runLightMark(deps: WebDeps, v: Viewer, id: string, body: { light: string; reason?: string; csrf?: string }): Promise<StoredEvent | WebRefusal> {
  const bad = checkCsrf(v, body.csrf);
  if (bad) return bad;
  if (!v.actor) return refusal(403, "NOT_PERMITTED", "审计人员只能查看，不能标注红黄灯");
  const extra = { via: "web", user: v.user.name, ...(deps.clockSet ? { clock: "set" } : {}) };
  try {
    const r = await deps.lock.run(() => markLight(deps.campaign, id, body.light as MarkChoice, body.reason, v.actor!, deps.now(), extra));
    return "seq" in r ? r : refusal(STATUS[r.code] ?? 400, r.code, r.message);
  } catch (err) {
    // The log's clock is ahead of this request's: nothing was recorded (never clamped), and it may be retried.
    if (err instanceof CampaignError) return refusal(409, err.code, err.message);
    throw err;
  }
}

/** The rows of a light's list page (`/lights/red`): the office and auditors only; red sorted by urgency. */
export async function lightList(deps: WebDeps, v: Viewer, colour: string): Promise<{ now: number; rows: LitRow[] } | WebRefusal> {
  if (v.user.role === "unit") return refusal(403, "LIGHTS_FORBIDDEN", "红灯清单仅限领导小组办公室和审计人员查看");
  const light = parseLight(colour);
  if (light !== "red") return refusal(404, "NOT_FOUND", "只有红灯清单：/lights/red");
  const { now, rows } = await deps.lock.run(() => visibleBoard(deps, v));
  return { now, rows: rows.filter((r) => r.light.colour === "red").sort(byUrgency) };
}

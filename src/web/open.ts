import type { Context } from "hono";
import { CampaignError } from "../campaign/campaign.ts";
import type { BoardRow } from "../campaign/board.ts";
import { isRealDate, parseInstant, type EpochMs } from "../engine/calendar.ts";
import { inAudience, mayOpen } from "../engine/open-item.ts";
import { offsetFrom } from "../engine/offsets.ts";
import type { OpenRequest } from "../engine/types.ts";
import type { ItemKind, Offset } from "../model/kind.ts";
import type { ResolvedPlan } from "../plan/types.ts";
import type { StoredEvent } from "../store/types.ts";
import { checkCsrf } from "./auth.ts";
import type { Env, Viewer, WebDeps } from "./context.ts";
import { refusal, type WebRefusal } from "./refusal.ts";
import { checkUpload } from "./uploads.ts";
import { readRequestBody } from "./request-body.ts";
import { STATUS } from "./actions.ts";

/** What a 交办 form or an API call asks for; its kind comes from the path. */
export interface OpenInput {
  to: string[];
  title: string;
  /** A date (due at the plan's due time) or an ISO instant; only for kinds whose opener gives it. */
  due?: string;
  level?: string;
  note?: string;
  /** Field values by field id, as given: strings from a form, native values from JSON. */
  fields: Record<string, unknown>;
  /** Files for the kind's attachment fields, by field id. */
  files: Record<string, File[]>;
  csrf?: string;
}

const MAX_TITLE = 200;
const MAX_NOTE = 2000;
/** Form field names of a kind's fields: `f.basis`, so they never meet `title`, `to` or `_csrf`. */
export const FIELD_PREFIX = "f.";

/** The unit that opens: a person opens for the unit they belong to (as the engine counts it). */
export function openerUnit(plan: ResolvedPlan, v: Viewer): string | undefined {
  if (v.actor?.kind !== "unit") return undefined;
  const u = plan.units.get(v.actor.unit);
  return u?.kind === "person" ? (u.parent ?? u.id) : v.actor.unit;
}

/** The kinds this user may open (the engine's own rule, mayOpen), in the plan's order. */
export function openableKinds(plan: ResolvedPlan, v: Viewer): ItemKind[] {
  if (!v.actor) return [];
  return [...plan.kinds.values()].filter((k) => mayOpen(plan, k, v.actor!));
}

/** The units this user may open a kind to, in the plan's order (the form's choices; the engine decides). */
export function recipientChoices(plan: ResolvedPlan, kind: ItemKind, v: Viewer): string[] {
  const opener = openerUnit(plan, v);
  const self = new Set(opener ? [opener] : []);
  return [...plan.units.keys()].filter((u) => inAudience(plan, kind.recipients, u, self));
}

/** The date bound of a kind whose opener gives the deadline, at `now`: the form's min/max and its hint. */
export function dueBounds(deps: WebDeps, kind: ItemKind, now: EpochMs): { min: EpochMs; max: EpochMs; default?: EpochMs } | undefined {
  const rule = kind.due;
  if (rule.kind !== "given") return undefined;
  const plan = deps.campaign.plan;
  const clock = { calendar: deps.campaign.calendar, dueAt: plan.calendar.dueAt, sendAt: plan.calendar.sendAt };
  const at = (o: Offset) => offsetFrom(clock, now, o, kind.workingHours);
  return { min: rule.min ? at(rule.min) : now, max: at(rule.max), ...(rule.default ? { default: at(rule.default) } : {}) };
}

const str = (x: unknown): string | undefined => (typeof x === "string" ? x : undefined);

/**
 * The body of a 交办: form fields (urlencoded or multipart: `to` repeated, `f.<field>` per field, files
 * under the attachment field's name) or JSON (`{to, title, due, level, note, fields}`). Attachments come
 * only as files: a JSON reference to a file nobody uploaded would name bytes the server never had.
 */
export async function readOpenBody(c: Context<Env>, kind: ItemKind | undefined): Promise<OpenInput | WebRefusal> {
  const read = await readRequestBody(c);
  if ("status" in read) return read;
  const header = read.header;
  if (read.json) {
    const j = read.json;
    const to = Array.isArray(j.to) ? j.to.filter((u): u is string => typeof u === "string") : typeof j.to === "string" ? j.to.split(/[,，、]/) : [];
    const fields = j.fields === undefined ? {} : j.fields;
    if (typeof fields !== "object" || fields === null || Array.isArray(fields)) return refusal(400, "BAD_BODY", "fields 应为对象：{ 字段编号: 值 }");
    const attached = kind?.fields.find((f) => f.type === "attachment" && (fields as Record<string, unknown>)[f.id] !== undefined);
    if (attached) return refusal(400, "ATTACHMENT_AS_FILE", `附件字段“${attached.title}”请以 multipart/form-data 上传文件（字段名 ${FIELD_PREFIX}${attached.id}）`);
    const csrf = header ?? str(j._csrf);
    return {
      to: to.map((u) => u.trim()).filter(Boolean),
      title: str(j.title) ?? "",
      ...(str(j.due) ? { due: str(j.due)! } : {}),
      ...(str(j.level) ? { level: str(j.level)! } : {}),
      ...(str(j.note) ? { note: str(j.note)! } : {}),
      fields: fields as Record<string, unknown>,
      files: {},
      ...(csrf ? { csrf } : {}),
    };
  }
  const body = read.form;
  const all = (k: string) => {
    const v = body[k];
    return v === undefined ? [] : Array.isArray(v) ? v : [v];
  };
  const one = (k: string) => str(all(k)[0]);
  const fields: Record<string, unknown> = {};
  const files: Record<string, File[]> = {};
  for (const [name, v] of Object.entries(body)) {
    if (!name.startsWith(FIELD_PREFIX)) continue;
    const id = name.slice(FIELD_PREFIX.length);
    const parts = Array.isArray(v) ? v : [v];
    // An empty file input still sends a part with no name and no bytes.
    const fs = parts.filter((p): p is File => typeof p !== "string" && (p.size > 0 || p.name !== ""));
    if (fs.length) files[id] = fs;
    // A field left empty is a field not given: the engine says whether it was required.
    const text = parts.find((p): p is string => typeof p === "string" && p.trim() !== "");
    if (text !== undefined) fields[id] = text;
  }
  const csrf = header ?? one("_csrf");
  return {
    to: all("to").filter((u): u is string => typeof u === "string").map((u) => u.trim()).filter(Boolean),
    title: one("title") ?? "",
    ...(one("due")?.trim() ? { due: one("due")!.trim() } : {}),
    ...(one("level")?.trim() ? { level: one("level")!.trim() } : {}),
    ...(one("note")?.trim() ? { note: one("note")!.trim() } : {}),
    fields,
    files,
    ...(csrf ? { csrf } : {}),
  };
}

export interface Opened {
  id: string;
  row: BoardRow;
  events: StoredEvent[];
}

/**
 * Opens an item for a signed-in user (交办). The web checks only the request's shape; whether this user
 * may open the kind, to whom, by when and with which fields is Campaign.openItem's decision. Uploaded
 * files are stored first and removed again when the opening is refused: a refusal opens nothing.
 */
export async function performOpen(deps: WebDeps, v: Viewer, kindId: string, input: OpenInput): Promise<Opened | WebRefusal> {
  const bad = checkCsrf(v, input.csrf);
  if (bad) return bad;
  if (!v.actor) return refusal(403, "READ_ONLY", "审计账号只能查看，不能交办");
  const c = deps.campaign;
  const title = input.title.trim();
  if (!title) return refusal(400, "TITLE_REQUIRED", "请填写事项名称");
  if ([...title].length > MAX_TITLE) return refusal(400, "TITLE_TOO_LONG", `事项名称不能超过 ${MAX_TITLE} 字`);
  if (input.note && input.note.length > MAX_NOTE) return refusal(400, "NOTE_TOO_LONG", `说明不能超过 ${MAX_NOTE} 字`);
  let due: EpochMs | undefined;
  if (input.due !== undefined) {
    const u = input.due;
    due = parseInstant(isRealDate(u) ? `${u}T${c.plan.calendar.dueAt}` : u, c.plan.campaign.timezone);
    if (Number.isNaN(due)) return refusal(400, "BAD_DATE", `截止时间“${u}”无效：请写成 YYYY-MM-DD（当天 ${c.plan.calendar.dueAt} 截止）或 ISO 8601 时刻`);
  }
  const kind = c.plan.kinds.get(kindId);
  const uploads = Object.entries(input.files);
  if (uploads.length && !kind) return refusal(404, "UNKNOWN_KIND", `计划中没有事项类型“${kindId}”`);
  const checked = await checkUpload(uploads.flatMap(([, fs]) => fs));
  if (!Array.isArray(checked)) return checked;

  return deps.lock.run(async () => {
    const now = deps.now();
    const at = new Date(deps.wallNow()).toISOString();
    // checkUpload keeps the order of the files it was given: hand each field its own back.
    const byField: Record<string, { name: string; sha256: string; size: number }[]> = {};
    let i = 0;
    for (const [id, fs] of uploads) byField[id] = fs.map(() => checked[i++]!).map((f) => ({ name: f.name, sha256: f.sha256, size: f.size }));
    const added: string[] = [];
    // A file over the kind's limit is not stored at all: its size is enough for the engine to refuse it.
    for (const f of checked) if (f.size <= (kind?.maxAttachmentBytes ?? 0) && (await deps.attachments.put(f, at))) added.push(f.sha256);
    const req: OpenRequest = {
      kind: kindId,
      to: input.to,
      title,
      ...(due !== undefined ? { due } : {}),
      ...(input.level ? { level: input.level } : {}),
      fields: { ...input.fields, ...byField },
      ...(input.note ? { note: input.note } : {}),
      actor: v.actor!,
    };
    const drop = async () => {
      for (const h of added) await deps.attachments.delete(h);
    };
    let r;
    try {
      r = await c.openItem(req, now, { via: "web", user: v.user.name, ...(deps.clockSet ? { clock: "set" } : {}) });
    } catch (err) {
      await drop();
      if (err instanceof CampaignError) return refusal(409, err.code, err.message);
      throw err;
    }
    if (r.refused || !r.id) {
      await drop();
      return refusal(r.refused ? STATUS[r.refused.code] : 409, r.refused?.code ?? "NOT_OPENED", r.refused?.message ?? "未能交办，请重试");
    }
    return { id: r.id, row: c.row(r.id, now)!, events: r.events };
  });
}

/** An offset as words: 5 个工作日, 3 天, 24 小时. */
export function offsetZh(o: Offset): string {
  return `${o.n} ${o.unit === "wd" ? "个工作日" : o.unit === "d" ? "天" : "小时"}`;
}

import { CampaignError } from "../campaign/campaign.ts";
import { isRealDate, parseInstant } from "../engine/calendar.ts";
import type { RefusalCode, UnitAction } from "../engine/types.ts";
import type { StoredEvent } from "../store/types.ts";
import type { Viewer, WebDeps } from "./context.ts";
import type { Verb } from "./data.ts";
import { ACTION_ZH } from "../text/labels.ts";
import { refusal, type RefusalStatus, type WebRefusal } from "./refusal.ts";
import { checkUpload } from "./uploads.ts";

export interface ActionInput {
  note?: string;
  until?: string;
  files?: File[];
  /** 一事一报: this report is the final one (终报), not an interim one (续报). */
  final?: boolean;
}

const MAX_NOTE = 2000;

/** Why a refused action answers with that HTTP status. */
export const STATUS: Record<RefusalCode, RefusalStatus> = {
  UNKNOWN_ASSIGNMENT: 404,
  UNKNOWN_KIND: 404,
  NOT_PERMITTED: 403,
  NOT_OPENER: 403,
  OWN_ITEM: 403,
  UNKNOWN_ACTOR: 403,
  WRONG_STATE: 409,
  DUPLICATE_KEY: 409,
  SUB_PLAN_INCOMPLETE: 409,
  CAMPAIGN_OVER: 409,
  BAD_EXTENSION: 422,
  BAD_RECIPIENT: 422,
  BAD_DUE: 422,
  BAD_LEVEL: 422,
  BAD_FIELDS: 422,
  UNKNOWN_UNIT: 404,
  NOTHING_TO_URGE: 409,
  ALREADY_URGED: 409,
};

/**
 * Carries out one action for a signed-in user. The web layer only checks the request's shape; who may
 * do what is the Campaign's (authorize.ts) decision. Uploaded files are stored before the step and
 * removed again when it is refused, so a refusal leaves no trace but its log entry.
 */
export async function performAction(deps: WebDeps, v: Viewer, id: string, verb: Verb, input: ActionInput): Promise<StoredEvent | WebRefusal> {
  if (!v.actor) return refusal(403, "READ_ONLY", `审计账号只能查看，不能${ACTION_ZH[verb]}`);
  const c = deps.campaign;
  if (!c.item(id)) return refusal(404, "UNKNOWN_ASSIGNMENT", `没有编号为“${id}”的事项`);
  const note = input.note?.trim() || undefined;
  if (note && note.length > MAX_NOTE) return refusal(400, "NOTE_TOO_LONG", `说明不能超过 ${MAX_NOTE} 字`);
  if (verb === "return" && !note) return refusal(400, "COMMENT_REQUIRED", "退回时请填写退回意见");
  const files = input.files ?? [];
  if (files.length && verb !== "submit") return refusal(400, "UNEXPECTED_FILES", "只有报送时可以上传附件");
  let until: number | undefined;
  if (verb === "extend") {
    const u = input.until?.trim() ?? "";
    until = parseInstant(isRealDate(u) ? `${u}T${c.plan.calendar.dueAt}` : u, c.plan.campaign.timezone);
    if (!u || Number.isNaN(until)) return refusal(400, "BAD_DATE", "请填写新的截止日期（YYYY-MM-DD）");
  }
  const checked = await checkUpload(files);
  if (!Array.isArray(checked)) return checked;

  return deps.lock.run(async () => {
    const now = deps.now();
    const at = new Date(deps.wallNow()).toISOString();
    const added: string[] = [];
    for (const f of checked) if (await deps.attachments.put(f, at)) added.push(f.sha256);
    const base = { assignment: id, actor: v.actor!, ...(note ? { note } : {}) };
    const action: UnitAction =
      verb === "extend"
        ? { type: "extend", ...base, until: until! }
        : verb === "submit"
          ? { type: "submit", ...base, ...(checked.length ? { attachments: checked.map((f) => ({ name: f.name, sha256: f.sha256, size: f.size })) } : {}), ...(input.final ? { final: true } : {}) }
          : { type: verb, ...base };
    let r;
    try {
      r = await c.step(action, now, { via: "web", user: v.user.name, ...(deps.clockSet ? { clock: "set" } : {}) });
    } catch (err) {
      for (const h of added) await deps.attachments.delete(h);
      // The log kept moving under this change: nothing was recorded, and the clerk may simply retry.
      if (err instanceof CampaignError) return refusal(409, err.code, err.message);
      throw err;
    }
    if (r.refused) {
      for (const h of added) await deps.attachments.delete(h);
      return refusal(STATUS[r.refused.code], r.refused.code, r.refused.message);
    }
    return r.events.find((e) => e.assignment === id && e.actor.kind !== "engine") ?? r.events.at(-1)!;
  });
}

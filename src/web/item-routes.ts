import type { Context } from "hono";
import { checkCsrf } from "./auth.ts";
import type { Env, Viewer, WebDeps } from "./context.ts";
import { canSee, namedFiles, VERBS, type Verb } from "./data.ts";
import { performAction, type ActionInput } from "./actions.ts";
import { refuse, refusal, type WebRefusal } from "./refusal.ts";
import type { StoredEvent } from "../store/types.ts";
import { readRequestBody } from "./request-body.ts";

export type ItemPath =
  | { kind: "item"; id: string }
  | { kind: "action"; id: string; verb: Verb }
  | { kind: "attachment"; id: string; sha256: string }
  /** The office marks the item's 三色 light (POST …/light). */
  | { kind: "light"; id: string }
  | { kind: "bad" };

/** Assignment ids contain slashes ("progress-report/yuzhong"), so item routes are parsed by hand. */
export function parseItemPath(path: string, prefix: string): ItemPath {
  let segs: string[];
  try {
    segs = path.slice(prefix.length).split("/").filter(Boolean).map(decodeURIComponent);
  } catch {
    return { kind: "bad" };
  }
  const n = segs.length;
  if (n >= 3 && segs[n - 2] === "attachments" && /^[0-9a-f]{64}$/.test(segs[n - 1]!)) return { kind: "attachment", id: segs.slice(0, n - 2).join("/"), sha256: segs[n - 1]! };
  if (n >= 2 && segs[n - 1] === "light") return { kind: "light", id: segs.slice(0, n - 1).join("/") };
  if (n >= 2 && (VERBS as readonly string[]).includes(segs[n - 1]!)) return { kind: "action", id: segs.slice(0, n - 1).join("/"), verb: segs[n - 1] as Verb };
  if (n >= 1) return { kind: "item", id: segs.join("/") };
  return { kind: "bad" };
}

export interface ActionBody extends ActionInput {
  csrf?: string;
}

/** Form fields (urlencoded or multipart) or JSON; the CSRF token may also come as X-CSRF-Token. */
export async function readActionBody(c: Context<Env>): Promise<ActionBody | WebRefusal> {
  const read = await readRequestBody(c);
  if ("status" in read) return read;
  const header = read.header;
  if (read.json) {
    const j = read.json;
    const s = (k: string) => (typeof j[k] === "string" ? (j[k] as string) : undefined);
    return { ...(s("note") !== undefined ? { note: s("note")! } : {}), ...(s("until") !== undefined ? { until: s("until")! } : {}), ...(j.final === true ? { final: true } : {}), ...(header ?? s("_csrf") ? { csrf: (header ?? s("_csrf"))! } : {}) };
  }
  const body = read.form;
  const one = (k: string) => {
    const v = body[k];
    const x = Array.isArray(v) ? v[0] : v;
    return typeof x === "string" ? x : undefined;
  };
  const raw = body.files ?? body["files[]"];
  // An empty file input still sends a part with no name and no bytes.
  const files = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).filter((f): f is File => typeof f !== "string" && (f.size > 0 || f.name !== ""));
  const csrf = header ?? one("_csrf");
  return { ...(one("note") !== undefined ? { note: one("note")! } : {}), ...(one("until") !== undefined ? { until: one("until")! } : {}), ...(one("report") === "final" ? { final: true } : {}), files, ...(csrf ? { csrf } : {}) };
}

/** CSRF first, then the action itself. */
export async function runItemAction(deps: WebDeps, v: Viewer, id: string, verb: Verb, body: ActionBody): Promise<StoredEvent | WebRefusal> {
  const bad = checkCsrf(v, body.csrf);
  if (bad) return bad;
  return performAction(deps, v, id, verb, body);
}

/** A file handed in with an item, to whoever may see the item; only files its history names. */
export async function downloadAttachment(c: Context<Env>, deps: WebDeps, v: Viewer, id: string, sha256: string, api: boolean): Promise<Response> {
  const plan = deps.campaign.plan;
  const a = deps.campaign.item(id);
  if (!a) return refuse(c, deps, refusal(404, "UNKNOWN_ASSIGNMENT", `没有编号为“${id}”的事项`), { api });
  if (!canSee(plan, v, a)) return refuse(c, deps, refusal(403, "NOT_YOUR_ITEM", "无权下载其他单位的附件"), { api, assignment: id });
  // Reading the log needs no write lock.
  const history = await deps.campaign.history(id);
  // Files are stored once per content hash; the name is the one this item's submission (or the
  // opening's attachment field) gave it.
  const named = history.flatMap((e) => namedFiles(e)).find((f) => f.sha256 === sha256);
  const file = named ? await deps.attachments.get(sha256) : undefined;
  if (!file) return refuse(c, deps, refusal(404, "NO_SUCH_ATTACHMENT", "该事项没有这个附件"), { api });
  return new Response(new Uint8Array(file.bytes), {
    headers: {
      "content-type": file.mime,
      "content-length": String(file.size),
      "content-disposition": `attachment; filename*=UTF-8''${encodeURIComponent(named!.name)}`,
      "x-content-type-options": "nosniff",
    },
  });
}


import type { Context, Hono } from "hono";
import { requireViewer } from "./auth.ts";
import { switcherFor, type Env, type Viewer, type WebDeps } from "./context.ts";
import { page } from "./layout.ts";
import { dueBounds, openableKinds, performOpen, readOpenBody, recipientChoices, type OpenInput } from "./open.ts";
import type { ItemKind } from "../model/kind.ts";
import { refuse, refusal, signInHref, type WebRefusal } from "./refusal.ts";
import { openFormPage, openListPage } from "./views/open.ts";
import { idPath } from "../plan/ids.ts";
import { mayOpen } from "../engine/open-item.ts";
import { formatInstant } from "../engine/calendar.ts";

const isRefusal = (x: unknown): x is WebRefusal => typeof x === "object" && x !== null && "status" in x && "code" in x && "message" in x;

/** What a client needs to build a 交办 form: a kind as the API describes it. */
function kindJson(deps: WebDeps, v: Viewer, id: string) {
  const plan = deps.campaign.plan;
  const k = plan.kinds.get(id)!;
  const b = dueBounds(deps, k, Math.max(deps.now(), plan.campaign.startAt));
  const iso = (t: number) => formatInstant(t, plan.campaign.timezone);
  return {
    id: k.id,
    title: k.title,
    ...(k.description ? { description: k.description } : {}),
    ...(k.source ? { source: k.source } : {}),
    recipients: recipientChoices(plan, k, v),
    joint: k.joint,
    levels: k.levels.map((l) => l.id),
    due: k.due.kind === "given" ? { given: true, ...(b ? { min: iso(b.min), max: iso(b.max), ...(b.default !== undefined ? { default: iso(b.default) } : {}) } : {}) } : { given: false },
    acknowledge: k.acknowledge !== null,
    followUp: k.followUp !== null,
    fields: k.fields,
    maxAttachmentBytes: k.maxAttachmentBytes,
  };
}

/**
 * 交办 in the web and the API: the list of kinds this user may open, a kind's form, and the opening
 * itself (one call, Campaign.openItem, for both).
 */
export function registerOpenRoutes(app: Hono<Env>, deps: WebDeps): void {
  const current = () => deps.campaign.plan;
  const render = (c: Context<Env>, v: Viewer, title: string, body: ReturnType<typeof openListPage>) => c.html(page({ plan: current(), user: v.user, ...(v.csrf ? { csrf: v.csrf } : {}), ...switcherFor(deps, v.user) }, title, body));

  /** A kind's form for this user now, with the date bound; after a refusal, with its reason and what was typed. */
  const formOf = (k: ItemKind, v: Viewer, csrf: string, again?: { error: string; values: OpenInput }) => {
    const plan = current();
    const b = dueBounds(deps, k, Math.max(deps.now(), plan.campaign.startAt));
    const day = (t: number) => deps.campaign.calendar.dateOf(t);
    return openFormPage(plan, {
      kind: k,
      recipients: recipientChoices(plan, k, v),
      ...(b ? { due: { min: day(b.min), max: day(b.max), ...(b.default !== undefined ? { default: day(b.default) } : {}) } } : {}),
      dueAt: plan.calendar.dueAt,
      csrf,
      ...(again ? { error: again.error, values: again.values } : {}),
    });
  };

  app.get("/open", async (c) => {
    const v = requireViewer(c);
    if (isRefusal(v)) return c.redirect(signInHref(c), 303);
    return render(c, v, "交办", openListPage(current(), openableKinds(current(), v)));
  });

  app.get("/open/:kind", async (c) => {
    const v = requireViewer(c);
    if (isRefusal(v)) return c.redirect(signInHref(c), 303);
    const plan = current();
    const k = plan.kinds.get(c.req.param("kind"));
    if (!k) return refuse(c, deps, refusal(404, "UNKNOWN_KIND", `计划中没有事项类型“${c.req.param("kind")}”`), { api: false });
    if (!v.actor || !v.csrf || !mayOpen(plan, k, v.actor)) return refuse(c, deps, refusal(403, "NOT_OPENER", `本账号无权交办“${k.title}”`), { api: false });
    return render(c, v, `交办：${k.title}`, formOf(k, v, v.csrf));
  });

  app.post("/open/:kind", async (c) => {
    const v = requireViewer(c);
    if (isRefusal(v)) return refuse(c, deps, v, { api: false });
    const kind = c.req.param("kind");
    const body = await readOpenBody(c, current().kinds.get(kind));
    if (isRefusal(body)) return refuse(c, deps, body, { api: false });
    const r = await performOpen(deps, v, kind, body);
    if (isRefusal(r)) {
      const k = current().kinds.get(kind);
      // Refused on its merits (not a bad token or a read-only account): the form again, nothing typed lost.
      const again = k && v.csrf && v.actor && !r.code.startsWith("CSRF") && mayOpen(current(), k, v.actor);
      return refuse(c, deps, r, { api: false, ...(again ? { page: { title: `交办：${k.title}`, body: formOf(k, v, v.csrf!, { error: r.message, values: body }) } } : {}) });
    }
    return c.redirect(`/items/${idPath(r.id)}?done=open`, 303);
  });

  app.get("/api/kinds", async (c) => {
    const v = requireViewer(c);
    if (isRefusal(v)) return refuse(c, deps, v, { api: true });
    const mine = new Set(openableKinds(current(), v).map((k) => k.id));
    return c.json({ kinds: [...current().kinds.keys()].map((id) => ({ ...kindJson(deps, v, id), mayOpen: mine.has(id) })) });
  });

  app.post("/api/kinds/:kind/items", async (c) => {
    const v = requireViewer(c);
    if (isRefusal(v)) return refuse(c, deps, v, { api: true });
    const kind = c.req.param("kind");
    const body = await readOpenBody(c, current().kinds.get(kind));
    if (isRefusal(body)) return refuse(c, deps, body, { api: true });
    const r = await performOpen(deps, v, kind, body);
    if (isRefusal(r)) return refuse(c, deps, r, { api: true });
    return c.json({ ok: true, id: r.id, row: r.row, events: r.events }, 201);
  });
}

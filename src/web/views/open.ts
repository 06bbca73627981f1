import type { FieldSpec, ItemKind } from "../../model/kind.ts";
import type { ResolvedPlan } from "../../plan/types.ts";
import { unitName } from "../../present/plan-text.ts";
import { html, type Html } from "../html.ts";
import { FIELD_PREFIX, offsetZh } from "../open.ts";
import { ACCEPT_ATTR } from "../uploads.ts";

/** What the form needs to know beyond the kind: whom this user may choose, and the date bound now. */
export interface OpenFormContext {
  kind: ItemKind;
  recipients: string[];
  /** Dates (YYYY-MM-DD) of a kind whose opener gives the deadline. */
  due?: { min: string; max: string; default?: string };
  dueAt: string;
  csrf: string;
  /** After a refusal: the reason, shown above the form, and what was typed, kept in it. */
  error?: string;
  values?: { to: string[]; title: string; due?: string; level?: string; note?: string; fields: Record<string, unknown> };
}

/** The kinds this user may open, each a link to its form. */
export function openListPage(plan: ResolvedPlan, kinds: ItemKind[]): Html {
  return html`<h1>交办</h1>
  ${kinds.length
    ? html`<div class="actions">${kinds.map(
        (k) => html`<div class="card"><h3><a href="/open/${encodeURIComponent(k.id)}">${k.title}</a></h3>${k.description ? html`<p>${k.description}</p>` : ""}${k.source ? html`<p class="muted">依据：${k.source}</p>` : ""}<p class="muted">${dueRuleZh(k)}</p></div>`,
      )}</div>`
    : html`<p class="muted">${plan.kinds.size ? "本账号无权交办计划中的任何事项类型。" : "本计划未声明可在运行中交办的事项类型。"}</p>`}`;
}

function dueRuleZh(k: ItemKind): string {
  const d = k.due;
  const base = d.kind === "offset" ? `交办后 ${offsetZh(d.offset)}内办结` : `由交办方给出截止日期（交办后${d.min ? ` ${offsetZh(d.min)}至` : ""} ${offsetZh(d.max)}内）`;
  return [base, k.acknowledge ? `${offsetZh(k.acknowledge.within)}内签收` : "", k.followUp ? `${offsetZh(k.followUp.first)}内首报，此后每 ${k.followUp.everyWorkingDays} 个工作日续报，直至终报` : ""].filter(Boolean).join("；");
}

const star = (f: FieldSpec) => (f.required ? html`<b class="req" title="必填">*</b>` : html`<span class="muted">（选填）</span>`);

/** One field of the kind as a form control; the HTML attributes mirror the engine's checks (fields.ts). */
function fieldControl(plan: ResolvedPlan, f: FieldSpec, maxBytes: number, given: unknown): Html {
  const name = `${FIELD_PREFIX}${f.id}`;
  const v = typeof given === "string" || typeof given === "number" ? String(given) : "";
  const val = v ? html` value="${v}"` : "";
  const sel = (o: string) => (o === v ? html` selected` : "");
  const req = f.required ? html` required` : "";
  const max = f.maxLength !== undefined ? html` maxlength="${f.maxLength}"` : "";
  const label = html`${f.title}${star(f)}`;
  switch (f.type) {
    case "text":
      return html`<label>${label}<input type="text" name="${name}"${req}${max}${val}></label>`;
    case "longText":
      return html`<label>${label}<textarea name="${name}"${req}${max}>${v}</textarea></label>`;
    case "date":
      return html`<label>${label}<input type="date" name="${name}"${req}${val}></label>`;
    case "number":
      return html`<label>${label}<input type="number" step="any" name="${name}"${req}${val}></label>`;
    case "unit":
      return html`<label>${label}<select name="${name}"${req}><option value="">请选择</option>${[...plan.units.values()].filter((u) => u.kind !== "person").map((u) => html`<option value="${u.id}"${sel(u.id)}>${u.short ?? u.name}</option>`)}</select></label>`;
    case "choice":
      return html`<label>${label}<select name="${name}"${req}><option value="">请选择</option>${(f.choices ?? []).map((c) => html`<option value="${c}"${sel(c)}>${c}</option>`)}</select></label>`;
    case "attachment":
      return html`<label>${label}（每个文件不超过 ${(maxBytes / 1048576).toFixed(maxBytes < 1048576 ? 2 : 0)} MB；pdf、doc、docx、xls、xlsx、jpg、png、zip）<input type="file" name="${name}" multiple accept="${ACCEPT_ATTR}"${req}></label>`;
  }
}

/** The 交办 form of one kind: title, whom, urgency, deadline when the opener gives it, the kind's fields. */
export function openFormPage(plan: ResolvedPlan, x: OpenFormContext): Html {
  const k = x.kind;
  const given = x.values;
  const lead = given?.to[0];
  const options = (first: string) => html`<option value="">${first}</option>${x.recipients.map((u) => html`<option value="${u}"${u === lead ? html` selected` : ""}>${unitName(plan, u)}</option>`)}`;
  const to =
    x.recipients.length === 1 && !k.joint
      ? html`<div>承办单位：<b>${unitName(plan, x.recipients[0]!)}</b><input type="hidden" name="to" value="${x.recipients[0]!}"></div>`
      : k.joint
        ? html`<label>牵头承办单位<b class="req">*</b><select name="to" required>${options("请选择")}</select></label>
          <fieldset class="members"><legend>共同承办单位（最多共 ${k.joint.maxUnits} 个单位；${k.joint.submit === "lead" ? "由牵头单位报送" : "任一承办单位均可报送"}）</legend>
          ${x.recipients.map((u) => html`<label class="check"><input type="checkbox" name="to" value="${u}"${given?.to.slice(1).includes(u) ? html` checked` : ""}> ${unitName(plan, u)}</label>`)}</fieldset>`
        : html`<label>承办单位<b class="req">*</b><select name="to" required>${options("请选择")}</select></label>`;
  const levels =
    k.levels.length > 1
      ? html`<label>紧急程度<select name="level">${k.levels.map((l, i) => html`<option value="${l.id}"${(given?.level ? l.id === given.level : i === 0) ? html` selected` : ""}>${l.id}${l.due?.kind === "offset" ? `（交办后 ${offsetZh(l.due.offset)}内办结）` : ""}</option>`)}</select></label>`
      : "";
  const due = x.due
    ? html`<label>截止日期<b class="req">*</b><input type="date" name="due" min="${x.due.min}" max="${x.due.max}"${given?.due ?? x.due.default ? html` value="${(given?.due ?? x.due.default)!}"` : ""} required></label><p class="muted">可选 ${x.due.min} 至 ${x.due.max}，当天 ${x.dueAt} 截止。</p>`
    : html`<p class="muted">截止：${dueRuleZh(k)}。</p>`;
  return html`<h1>交办：${k.title}</h1>
  ${k.description ? html`<p>${k.description}</p>` : ""}${k.source ? html`<p class="muted">依据：${k.source}</p>` : ""}
  ${x.error ? html`<div class="error"><p>未能交办：${x.error}</p><p class="muted">已填写的内容保留在下面，修改后可再次交办。附件须重新选择。</p></div>` : ""}
  <form class="card open-form" method="post" action="/open/${encodeURIComponent(k.id)}" enctype="multipart/form-data">
    <input type="hidden" name="_csrf" value="${x.csrf}">
    <label>事项名称<b class="req">*</b><input type="text" name="title" required maxlength="200" placeholder="如：关于某区欠薪问题的督办单"${given?.title ? html` value="${given.title}"` : ""}></label>
    ${to}
    ${levels}
    ${due}
    ${k.fields.length ? html`<h3>${k.title}内容</h3>${k.fields.map((f) => fieldControl(plan, f, k.maxAttachmentBytes, given?.fields[f.id]))}` : ""}
    <label>交办说明<span class="muted">（选填）</span><textarea name="note" maxlength="2000">${given?.note ?? ""}</textarea></label>
    <button class="btn" type="submit">交办</button>
  </form>`;
}

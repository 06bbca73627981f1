import type { ChildRollup } from "../../campaign/rollup.ts";
import { rollupZh } from "../../present/subplan-text.ts";
import { parseInstant } from "../../engine/calendar.ts";
import type { ResolvedPlan } from "../../plan/types.ts";
import { recipientName, unitName } from "../../present/plan-text.ts";
import { formatLocal } from "../../engine/calendar.ts";
import type { StoredEvent } from "../../store/types.ts";
import { lightBadge, lightForm } from "./lights.ts";
import { html, type Html } from "../html.ts";
import { idPath } from "../../plan/ids.ts";
import { channelZh, deferralZh, DELIVERY_ZH, eventZh, levelZh, reminderReasonZh, STATE_ZH } from "../../text/labels.ts";
import type { ItemData } from "../queries.ts";
import { actionForms } from "./forms.ts";
import { namedFiles } from "../data.ts";
import { assumedZh, NO_DEADLINE_ZH } from "../../present/due-note.ts";
import { fileSizeZh } from "../../present/file-size.ts";

function who(plan: ResolvedPlan, e: StoredEvent): string {
  const a = e.actor;
  if (a.kind === "engine") return "系统";
  if (a.kind === "person") return unitName(plan, a.person);
  return recipientName(plan, a.unit);
}

function at(plan: ResolvedPlan, iso: string): string {
  return formatLocal(parseInstant(iso, plan.campaign.timezone), plan.campaign.timezone);
}

function trailEntry(plan: ResolvedPlan, id: string, e: StoredEvent): Html {
  const p = e.payload as { report?: string; nextDueAt?: string; note?: string; until?: string; late?: boolean; recipients?: string[]; level?: number; attachments?: { name: string; sha256: string; size: number }[]; reason?: string; user?: string };
  const act = e.actor.kind !== "engine";
  return html`<li class="${act ? "act" : ""}"><b>${eventZh(e.type, p)}</b>　${at(plan, e.at)}　${who(plan, e)}${act && p.user ? html`<span class="muted">（${p.user}）</span>` : ""}
    ${p.late && e.type === "submitted" ? html`<b style="color:#a40e26">逾期报送</b>` : ""}
    ${p.recipients ? html`<div class="muted">告知：${p.recipients.map((r) => recipientName(plan, r)).join("、")}${p.level ? `（${levelZh(p.level)}）` : ""}</div>` : ""}
    ${p.until ? html`<div>新的截止时间：${at(plan, p.until)}</div>` : ""}
    ${p.nextDueAt ? html`<div>下次续报截止：${at(plan, p.nextDueAt)}</div>` : ""}
    ${e.type === "itemOpened" ? openingEntry(plan, id, e) : ""}
    ${p.note ? html`<div class="comment">${p.note}</div>` : ""}
    ${p.reason ? html`<div class="muted">原因：${p.reason}</div>` : ""}
    ${p.attachments?.length ? html`<div>附件：${p.attachments.map((f) => fileLink(id, f))}</div>` : ""}
    ${hashes(e)}</li>`;
}

/**
 * The record's place in the hash chain: its seq and hash, with the previous hash on opening (a <details>,
 * so a phone shows it on a tap), for an auditor to compare with an export or `duban verify`.
 */
function hashes(e: StoredEvent): Html {
  return html`<details class="chain"><summary class="muted">#${e.seq} · 哈希 <code class="hash">${e.hash.slice(0, 12)}…</code></summary>
    <div class="muted">本条哈希 <code class="hash">${e.hash}</code></div><div class="muted">前一条哈希 <code class="hash">${e.prevHash}</code></div></details>`;
}

/** What an opening recorded: to whom, by when, how urgent, and its note (the fields show above the trail). */
function openingEntry(plan: ResolvedPlan, id: string, e: StoredEvent): Html {
  const item = (e.payload as { item?: { title?: string; unit?: string; members?: string[]; dueAt?: string | null; opened?: { level?: string; note?: string } } }).item;
  if (!item) return html``;
  const files = namedFiles(e);
  return html`<div>“${item.title}”　承办：${(item.members ?? [item.unit ?? ""]).map((u) => unitName(plan, u)).join("、")}　截止：${item.dueAt ? at(plan, item.dueAt) : NO_DEADLINE_ZH}　${item.opened?.level ?? ""}</div>
    ${item.opened?.note ? html`<div class="comment">${item.opened.note}</div>` : ""}
    ${files.length ? html`<div>附件：${files.map((f) => fileLink(id, f))}</div>` : ""}`;
}

function fileLink(id: string, f: { name: string; sha256: string; size: number }): Html {
  return html`<a href="/items/${idPath(id)}/attachments/${f.sha256}">${f.name}</a>（${fileSizeZh(f.size)}，SHA-256 ${f.sha256.slice(0, 12)}…） `;
}

/** An opened item's kind, number, urgency, opener, members, 签收 and the fields filled in at the opening. */
function openedCard(plan: ResolvedPlan, d: ItemData): Html {
  const o = d.opened!;
  const value = (f: NonNullable<ItemData["fields"]>[number]) =>
    f.value === undefined || f.value === ""
      ? html`<span class="muted">（未填）</span>`
      : Array.isArray(f.value)
        ? f.value.map((x) => fileLink(d.assignment.id, x))
        : f.type === "unit"
          ? unitName(plan, String(f.value))
          : f.type === "longText"
            ? html`<div style="white-space:pre-wrap">${String(f.value)}</div>`
            : String(f.value);
  return html`<div class="card opened">
    <div>类型：<a href="/?kind=${encodeURIComponent(o.kind)}">${o.kindTitle}</a> 第 ${o.number} 号　紧急程度：<b>${o.urgency}</b>　交办单位：${o.openedByName}</div>
    <div>承办单位：${o.members.map((m, i) => html`<a href="/units/${encodeURIComponent(m.unit)}">${m.name}</a>${o.members.length > 1 && i === 0 ? "（牵头）" : ""}${i < o.members.length - 1 ? "、" : ""}`)}</div>
    ${o.acknowledgedAt !== undefined ? html`<div>签收：${o.acknowledgedAt === null ? html`<b style="color:#a60">待签收</b>` : html`已签收（${at(plan, o.acknowledgedAt)}）`}</div>` : ""}
    ${o.followUp ? html`<div>一事一报：已续报 ${o.reports ?? 0} 次；终报后由${d.assignment.toName}审核销号</div>` : ""}
    ${d.fields?.length ? html`<table class="fields"><tbody>${d.fields.map((f) => html`<tr><th>${f.title}</th><td>${value(f)}</td></tr>`)}</tbody></table>` : ""}
  </div>`;
}

/**
 * What the item asks for, in the plan's own words: the deliverable's description, checklist, template and
 * source; a task's scope; an opened item's kind. Nothing when the plan says nothing.
 */
export function requirements(plan: ResolvedPlan, a: ItemData["assignment"]): Html {
  const d = a.deliverable ? plan.deliverables.find((x) => x.id === a.deliverable) : undefined;
  const t = a.task ? plan.tasks.find((x) => x.id === a.task) : undefined;
  const k = a.opened ? plan.kinds.get(a.opened.kind) : undefined;
  const text = d?.description ?? (a.kind === "task" ? t?.scope : undefined) ?? k?.description;
  const parts = [
    text ? html`<div>${text}</div>` : "",
    d?.checklist?.length ? html`<div>须包含：</div><ol class="checklist">${d.checklist.map((c) => html`<li>${c}</li>`)}</ol>` : "",
    d?.template ? html`<div>模板/格式：${/^https?:\/\//.test(d.template) ? html`<a href="${d.template}" rel="noopener noreferrer">${d.template}</a>` : d.template}</div>` : "",
    t && a.kind !== "task" ? html`<div class="muted">所属重点任务：${t.title}</div>` : "",
    d?.source ?? k?.source ? html`<div class="muted">依据：${plan.campaign.document ? `${plan.campaign.document} ` : ""}${d?.source ?? k?.source}</div>` : "",
  ].filter((x) => x !== "");
  return parts.length ? html`<div class="card requirements"><h3>报送要求</h3>${parts}</div>` : html``;
}

/** The sub-plans written for the item, each linking to its own board (the store's front routes `?campaign=`). */
function subPlansCard(plan: ResolvedPlan, subPlans: readonly ChildRollup[], required: boolean): Html {
  const rule = required ? html`<p class="muted">本事项须待下级专项行动的事项全部完成后才能报送。</p>` : "";
  if (!subPlans.length) return html`<div class="card sub-plans"><h2>下级专项行动</h2>${rule}<p class="muted">尚无挂在本事项下的下级专项行动。</p></div>`;
  return html`<div class="card sub-plans"><h2>下级专项行动</h2>${rule}<ul>${subPlans.map(
    (s) => html`<li data-campaign="${s.campaign}"><a href="/?campaign=${encodeURIComponent(s.campaign)}">${s.title}</a>（${s.campaign}）：${rollupZh(s, plan.campaign.timezone)}</li>`,
  )}</ul></div>`;
}

export function itemPage(plan: ResolvedPlan, d: ItemData, csrf: string | undefined, flash?: string): Html {
  const a = d.assignment;
  const r = d.row;
  return html`<h1>${a.kind === "task" ? "任务：" : d.opened ? `${d.opened.kindTitle}：` : ""}${a.title}</h1>
  ${flash ? html`<div class="ok">${flash}</div>` : ""}
  ${d.asOf ? html`<div class="card asof">以下为 ${d.asOf.replace("T", " ")} 时的状态与经过，由事件日志重算得出（只读）。<a href="/items/${idPath(a.id)}">查看当前状态</a></div>` : ""}
  <div class="card">
    <div>责任单位：<a href="/units/${encodeURIComponent(a.unit)}">${a.unitName}</a>　报送给：${a.toName}${a.lead !== a.to ? html`　牵头单位：${a.leadName}` : ""}</div>
    <div>状态：<span class="cell s-${r.state}" style="display:inline">${STATE_ZH[r.state]}</span>　${lightBadge(d.light)}${d.light.mark ? html`<span class="muted">（${d.light.mark.at.slice(0, 16).replace("T", " ")} 办公室标${d.light.mark.light === "red" ? "红" : "黄"}：${d.light.mark.reason}）</span>` : ""}${r.level ? `　${levelZh(r.level)}` : ""}</div>
    <div>截止：${r.due === null ? NO_DEADLINE_ZH : at(plan, r.due)}${r.dueAssumed !== undefined ? html`<b style="color:#a60">${assumedZh(r.dueAssumed)}</b>` : ""}${r.extensions ? `（已延期 ${r.extensions} 次）` : ""}${r.returns ? `　退回 ${r.returns} 次` : ""}</div>
    <div class="muted">事项编号：${a.id}</div>
  </div>
  ${d.subPlans?.length || a.requiresSubPlan ? subPlansCard(plan, d.subPlans ?? [], a.requiresSubPlan === true) : ""}
  ${requirements(plan, a)}
  ${d.opened ? openedCard(plan, d) : ""}
  ${csrf && d.allowed.length ? html`<h2>办理</h2>${actionForms(a.id, d.allowed, csrf, { opened: d.opened !== undefined, followUp: d.opened?.followUp ?? false })}` : ""}
  ${csrf && d.canMark ? html`<div class="actions">${lightForm(a.id, d.light, csrf)}</div>` : ""}
  <h2>办理经过</h2>
  <ul class="trail">${d.history.filter((e) => e.type !== "reminded").map((e) => trailEntry(plan, a.id, e))}</ul>
  <h2>提醒记录</h2>
  ${d.reminders.length
    ? html`<div class="scroll"><table><thead><tr><th>时间</th><th>告知</th><th>级别</th><th>渠道</th><th>状态</th></tr></thead><tbody>${d.reminders.map(
        (x) => html`<tr><td>${at(plan, x.at)}</td><td>${x.recipientName}</td><td>${levelZh(x.level)}${deferralZh(x.deferred)}${reminderReasonZh(x.reason)}</td><td>${x.channels.map(channelZh).join("、") || "—"}</td><td>${DELIVERY_ZH[x.status]}${x.deliveredAt ? html`<span class="muted"> ${at(plan, x.deliveredAt)}</span>` : ""}</td></tr>`,
      )}</tbody></table></div>`
    : html`<p class="muted">尚未发出提醒。</p>`}`;
}

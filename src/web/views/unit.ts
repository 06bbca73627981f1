import { STATE_ZH } from "../../text/labels.ts";
import { parseInstant } from "../../engine/calendar.ts";
import type { ResolvedPlan } from "../../plan/types.ts";
import { formatLocal } from "../../engine/calendar.ts";
import { html, type Html } from "../html.ts";
import { idPath } from "../../plan/ids.ts";
import type { UnitData, UnitItem } from "../queries.ts";
import { actionForms } from "./forms.ts";
import { lightBadge } from "./lights.ts";
import { assumedZh, NO_DEADLINE_ZH } from "../../present/due-note.ts";

/**
 * Where the item stands against its deadline: an owed item counts working days left (or overdue, in red);
 * a hand-in waiting for review says whether it came in time; a closed item says how it closed, never an alarm.
 */
export function standingZh(i: Pick<UnitItem, "state" | "late" | "daysLate" | "workingDaysLeft">): { text: string; alarm: boolean } {
  const lateBy = i.daysLate > 0 ? `逾期 ${i.daysLate} 个工作日` : "逾期";
  switch (i.state) {
    case "accepted":
      return { text: i.late ? `${lateBy}办结` : "按时办结", alarm: false };
    case "waived":
      return { text: "已免报", alarm: false };
    case "withdrawn":
      return { text: "已撤销", alarm: false };
    case "submitted":
      return { text: i.late ? `${lateBy}报送，待审核` : "按时报送，待审核", alarm: false };
    default:
      if (i.late) return { text: `已逾期 ${i.daysLate} 个工作日`, alarm: true };
      return { text: i.workingDaysLeft === null ? "" : `还剩 ${i.workingDaysLeft} 个工作日`, alarm: false };
  }
}

function dueText(plan: ResolvedPlan, i: UnitItem): Html {
  if (i.due === null) return html`<span class="muted">${NO_DEADLINE_ZH}</span>`;
  const due = formatLocal(parseInstant(i.due, plan.campaign.timezone), plan.campaign.timezone) + assumedZh(i.dueAssumed);
  const s = standingZh(i);
  return html`${due}　${s.alarm ? html`<b class="standing" style="color:#a40e26">${s.text}</b>` : html`<span class="standing muted">${s.text}</span>`}`;
}

export function unitPage(plan: ResolvedPlan, d: UnitData, csrf: string | undefined): Html {
  const item = (i: UnitItem, withForm: boolean) => html`<div class="card" id="${i.id}">
    <div><a href="/items/${idPath(i.id)}"><b>${i.kind === "task" ? "任务：" : i.opened ? `${i.opened.kindTitle}：` : ""}${i.title}</b></a>　<span class="cell s-${i.state}" style="display:inline">${STATE_ZH[i.state]}</span>　${lightBadge(i.light)}</div>
    ${i.opened ? html`<div class="muted">${i.opened.openedByName}交办 · ${i.opened.urgency}${i.opened.members.length > 1 ? ` · 共同承办：${i.opened.members.map((m) => m.name).join("、")}` : ""}${i.opened.acknowledgedAt === null ? html` · <b style="color:#a60">待签收</b>` : i.opened.acknowledgedAt ? " · 已签收" : ""}</div>` : ""}
    <div>截止：${dueText(plan, i)}</div>
    ${i.returnedComment ? html`<div class="comment"><b>${i.returnedComment.by}退回意见</b>（${i.returnedComment.at.slice(0, 16).replace("T", " ")}）：${i.returnedComment.note ?? "（未填写）"}</div>` : ""}
    ${withForm && (i.canSubmit || i.canAcknowledge || i.canRecall) && csrf ? actionForms(i.id, [...(i.canAcknowledge ? (["acknowledge"] as const) : []), ...(i.canSubmit ? (["submit"] as const) : []), ...(i.canRecall ? (["recall"] as const) : [])], csrf, { opened: i.opened !== undefined, followUp: i.opened?.followUp ?? false }) : ""}
  </div>`;
  const returned = d.owed.filter((i) => i.state === "returned");
  return html`<h1>${d.name} <span class="muted">截至 ${formatLocal(parseInstant(d.asOf, plan.campaign.timezone), plan.campaign.timezone)}</span></h1>
    ${returned.length ? html`<div class="error">有 ${returned.length} 项被退回，请按意见修改后重新报送。</div>` : ""}
    <h2>待报送（${d.owed.length}）</h2>${d.owed.length ? d.owed.map((i) => item(i, i.state !== "waiting")) : html`<p class="muted">没有待报送的事项。</p>`}
    ${d.tasks.length ? html`<h2>承担的重点任务（${d.tasks.length}）</h2>${d.tasks.map((i) => item(i, false))}` : ""}
    <h2>待审核（${d.inReview.length}）</h2>${d.inReview.map((i) => item(i, true))}
    <h2>已完成（${d.done.length}）</h2>${d.done.map((i) => item(i, false))}`;
}

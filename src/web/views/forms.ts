import { html, type Html } from "../html.ts";
import { idPath } from "../../plan/ids.ts";
import { ACCEPT_ATTR } from "../uploads.ts";
import type { Verb } from "../data.ts";

/**
 * How an item is handed in: the plan's items are 报送; an opened item's hand-in is its 办结报告, and a
 * 一事一报 item's each report is a 续报 until the unit files its 终报.
 */
export interface FormOptions {
  opened?: boolean;
  followUp?: boolean;
}

/** The action forms a user is allowed (decided by the caller through authorize()). */
export function actionForms(id: string, verbs: Verb[], csrf: string, o: FormOptions = {}): Html {
  const path = `/items/${idPath(id)}`;
  const hidden = html`<input type="hidden" name="_csrf" value="${csrf}">`;
  const forms: Html[] = [];
  if (verbs.includes("acknowledge"))
    forms.push(html`<form class="card" method="post" action="${path}/acknowledge"><h3>签收</h3>${hidden}
      <label>签收说明（可选）<textarea name="note" maxlength="2000" placeholder="如：已收到，由某科室承办"></textarea></label>
      <button class="btn" type="submit">签收</button></form>`);
  if (verbs.includes("submit")) {
    const title = o.followUp ? "报告情况" : o.opened ? "办结报告" : "报送材料";
    forms.push(html`<form class="card" method="post" action="${path}/submit" enctype="multipart/form-data">
      <h3>${title}</h3>${hidden}
      ${o.followUp ? html`<fieldset class="members"><legend>报告类型</legend><label class="check"><input type="radio" name="report" value="interim" checked> 续报（事项继续办理）</label><label class="check"><input type="radio" name="report" value="final"> 终报（办结，报请销号）</label></fieldset>` : ""}
      <label>${o.opened ? "报告内容" : "报送说明"}<textarea name="note" maxlength="2000" placeholder="${o.opened ? "办理情况、结果" : "简要说明报送内容"}"></textarea></label>
      <label>附件（pdf、doc、docx、xls、xlsx、jpg、png、zip；合计不超过 10 MB）<input type="file" name="files" multiple accept="${ACCEPT_ATTR}"></label>
      <button class="btn" type="submit">${o.followUp ? "报告" : o.opened ? "提交办结报告" : "报送"}</button></form>`);
  }
  if (verbs.includes("accept"))
    forms.push(html`<form class="card" method="post" action="${path}/accept"><h3>审核通过</h3>${hidden}
      <label>意见（可选）<textarea name="note" maxlength="2000"></textarea></label><button class="btn" type="submit">通过</button></form>`);
  if (verbs.includes("return"))
    forms.push(html`<form class="card" method="post" action="${path}/return"><h3>退回重报</h3>${hidden}
      <label>退回意见（必填）<textarea name="note" maxlength="2000" required></textarea></label><button class="btn secondary" type="submit">退回</button></form>`);
  if (verbs.includes("extend"))
    forms.push(html`<form class="card" method="post" action="${path}/extend"><h3>批准延期</h3>${hidden}
      <label>新的截止日期<input type="date" name="until" required></label>
      <label>说明（可选）<textarea name="note" maxlength="2000"></textarea></label><button class="btn secondary" type="submit">延期</button></form>`);
  if (verbs.includes("waive"))
    forms.push(html`<form class="card" method="post" action="${path}/waive"><h3>免报</h3>${hidden}
      <label>理由（可选）<textarea name="note" maxlength="2000"></textarea></label><button class="btn secondary" type="submit">免报</button></form>`);
  if (verbs.includes("recall"))
    forms.push(html`<form class="card" method="post" action="${path}/recall"><h3>撤回报送</h3>${hidden}
      <p class="muted">审核前可撤回本次报送，修改后重新报送；撤回记入办理经过。</p>
      <label>撤回原因（可选）<textarea name="note" maxlength="2000" placeholder="如：附件有误，更正后重报"></textarea></label><button class="btn secondary" type="submit">撤回报送</button></form>`);
  if (verbs.includes("withdraw"))
    forms.push(html`<form class="card" method="post" action="${path}/withdraw"><h3>撤销交办</h3>${hidden}
      <label>撤销理由（可选）<textarea name="note" maxlength="2000"></textarea></label><button class="btn secondary" type="submit">撤销</button></form>`);
  return forms.length ? html`<div class="actions">${forms}</div>` : html``;
}

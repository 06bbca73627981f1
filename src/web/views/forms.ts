import { html, type Html } from "../html.ts";
import { idPath } from "../../plan/ids.ts";
import { ACCEPT_ATTR } from "../uploads.ts";
import type { Verb } from "../data.ts";

/** The action forms a user is allowed (decided by the caller through authorize()). */
export function actionForms(id: string, verbs: Verb[], csrf: string): Html {
  const path = `/items/${idPath(id)}`;
  const hidden = html`<input type="hidden" name="_csrf" value="${csrf}">`;
  const forms: Html[] = [];
  if (verbs.includes("submit"))
    forms.push(html`<form class="card" method="post" action="${path}/submit" enctype="multipart/form-data">
      <h3>报送材料</h3>${hidden}
      <label>报送说明<textarea name="note" maxlength="2000" placeholder="简要说明报送内容"></textarea></label>
      <label>附件（pdf、doc、docx、xls、xlsx、jpg、png、zip；合计不超过 10 MB）<input type="file" name="files" multiple accept="${ACCEPT_ATTR}"></label>
      <button class="btn" type="submit">报送</button></form>`);
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
  return forms.length ? html`<div class="actions">${forms}</div>` : html``;
}

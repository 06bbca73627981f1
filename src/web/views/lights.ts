import type { EpochMs } from "../../engine/calendar.ts";
import { formatLocal } from "../../engine/calendar.ts";
import { idPath } from "../../plan/ids.ts";
import type { ResolvedPlan } from "../../plan/types.ts";
import { unitName } from "../../present/plan-text.ts";
import { LIGHT_HEX, redReason, type Light, type LitRow } from "../../publish/light.ts";
import { levelZh, LIGHT_ZH } from "../../text/labels.ts";
import { html, type Html } from "../html.ts";


/** A light as a coloured dot and its words (the colour is never the only sign: the words say it too). */
export function lightBadge(light: Light): Html {
  return html`<span class="light light-${light.colour}" title="${LIGHT_ZH[light.colour]}：${light.label}"><span style="display:inline-block;width:.7em;height:.7em;border-radius:50%;background:${LIGHT_HEX[light.colour]};margin-right:.25em"></span>${LIGHT_ZH[light.colour]}：${light.label}</span>`;
}

/** The office's form to mark an item red or yellow with a reason, or clear its mark. */
export function lightForm(id: string, light: Light, csrf: string): Html {
  if (light.closed) return html``;
  const hidden = html`<input type="hidden" name="_csrf" value="${csrf}">`;
  return html`<form class="card" method="post" action="/items/${idPath(id)}/light"><h3>标注红黄灯</h3>${hidden}
    <label>灯色<select name="light"><option value="red">红灯</option><option value="yellow">黄灯</option>${light.mark ? html`<option value="clear">清除标注</option>` : ""}</select></label>
    <label>原因（标红、标黄必填）<textarea name="reason" maxlength="500"></textarea></label><button class="btn secondary" type="submit">标注</button></form>`;
}

/** The 红灯清单: every red item, highest ladder level first, then most working days late. */
export function redListPage(plan: ResolvedPlan, now: EpochMs, rows: LitRow[]): Html {
  return html`<h1>红灯清单 <span class="muted">截至 ${formatLocal(now, plan.campaign.timezone)}，共 ${rows.length} 项</span></h1>
  <p class="muted">逾期未报或经办公室标红的事项，按督办级别、逾期工作日排序。<a href="/?light=red">在看板中查看</a></p>
  ${rows.length
    ? html`<div class="scroll"><table><thead><tr><th>序号</th><th>责任单位</th><th>事项</th><th>督办级别</th><th>逾期</th><th>原因</th></tr></thead><tbody>${rows.map(
        (r, i) => html`<tr><td>${i + 1}</td><td><a href="/units/${encodeURIComponent(r.unit)}">${unitName(plan, r.unit)}</a></td><td><a href="/items/${idPath(r.id)}">${r.title}</a></td><td>${r.level ? levelZh(r.level) : "—"}</td><td>${r.light.daysLate ? `${r.light.daysLate} 个工作日` : "未逾期"}</td><td>${redReason(r.light)}</td></tr>`,
      )}</tbody></table></div>`
    : html`<p class="muted">没有红灯事项。</p>`}`;
}

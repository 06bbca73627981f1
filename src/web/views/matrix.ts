import { instanceOf, assignmentsById } from "../../plan/ids.ts";
import type { BoardRow } from "../../campaign/board.ts";
import type { ResolvedPlan } from "../../plan/types.ts";
import { unitName } from "../../present/plan-text.ts";
import { dueLocalZh } from "../../present/due-note.ts";
import { LIGHT_ZH, STATE_SHORT_ZH, STATE_ZH } from "../../text/labels.ts";
import { html, type Html } from "../html.ts";
import { idPath } from "../../plan/ids.ts";
import { isOverdue } from "../data.ts";
import type { Light, LightColour } from "../../publish/light.ts";

export type MatrixRow = Pick<BoardRow, "id" | "unit" | "state" | "late"> & Partial<Pick<BoardRow, "daysLate" | "due">> & { light?: Light };

/** A cell's light as a bar under it (its words are in the cell's title). */
const BAR: Record<LightColour, string> = { red: "#d1242f", yellow: "#d4a72c", green: "#2da44e", none: "#afb8c1" };

export function legend(): Html {
  const states = Object.keys(STATE_SHORT_ZH) as (keyof typeof STATE_SHORT_ZH)[];
  return html`<p class="legend">${states.map((s) => html`<span class="s-${s}">${STATE_SHORT_ZH[s]} ${STATE_ZH[s]}</span>`)}<span class="s-open late">红框 逾期</span> 格下色条：<span style="box-shadow: inset 0 -4px 0 #d1242f">红灯</span> <span style="box-shadow: inset 0 -4px 0 #d4a72c">黄灯</span> <span style="box-shadow: inset 0 -4px 0 #2da44e">绿灯</span> <span style="box-shadow: inset 0 -4px 0 #afb8c1">无截止时间</span></p>`;
}

/**
 * Deliverables × units: one row per unit, one numbered column per deliverable or task instance (the
 * numbers keep the table narrow enough for a phone; the key below names them).
 */
/** `asOf`: the cells open each item as of that instant (a replay), not as it is now. */
export function matrix(plan: ResolvedPlan, rows: MatrixRow[], opts: { link: boolean; asOf?: string }): Html {
  const zone = plan.campaign.timezone;
  const byAssignment = assignmentsById(plan);
  // Columns in plan order, only those with a row shown; each instance's first assignment names it.
  const shown = new Set(rows.map((r) => instanceOf(r.id)));
  const first = new Map<string, (typeof plan.assignments)[number]>();
  for (const a of plan.assignments) {
    const k = instanceOf(a.id);
    if (shown.has(k) && !first.has(k)) first.set(k, a);
  }
  const cols = [...first.keys()];
  const order = new Map([...plan.units.keys()].map((u, i) => [u, i]));
  const units = [...new Set(rows.map((r) => r.unit))].sort((x, y) => order.get(x)! - order.get(y)!);
  const cell = new Map(rows.map((r) => [`${instanceOf(r.id)}|${r.unit}`, r]));
  const meta = (k: string) => first.get(k)!;
  const asOf = opts.asOf ? `?asOf=${encodeURIComponent(opts.asOf)}` : "";
  if (rows.length === 0) return html`<p class="muted">没有符合条件的事项。</p>`;
  return html`<div class="scroll"><table class="matrix">
    <thead><tr><th class="unit">单位</th>${cols.map((k, i) => html`<th title="${meta(k).title}">${i + 1}</th>`)}</tr></thead>
    <tbody>${units.map(
      (u) => html`<tr><th class="unit">${opts.link ? html`<a href="/units/${encodeURIComponent(u)}">${unitName(plan, u)}</a>` : unitName(plan, u)}</th>${cols.map((k) => {
        const r = cell.get(`${k}|${u}`);
        if (!r) return html`<td></td>`;
        const late = r.late && (isOverdue(r) || r.state === "submitted" || r.state === "accepted");
        const label = html`${STATE_SHORT_ZH[r.state]}${r.daysLate ? html`<small>+${r.daysLate}</small>` : ""}`;
        const lit = r.light ? `｜${LIGHT_ZH[r.light.colour]}：${r.light.label}` : r.late ? "｜逾期" : "";
        const title = `${byAssignment.get(r.id)?.title ?? r.id}｜${unitName(plan, u)}｜${STATE_ZH[r.state]}${lit}`;
        const cls = `cell s-${r.state}${late ? " late" : ""}${r.light ? ` light-${r.light.colour}` : ""}`;
        const style = r.light ? `box-shadow: inset 0 -4px 0 ${BAR[r.light.colour]}` : "";
        return html`<td>${opts.link ? html`<a class="${cls}" style="${style}" href="/items/${idPath(r.id)}${asOf}" title="${title}">${label}</a>` : html`<span class="${cls}" style="${style}" title="${title}">${label}</span>`}</td>`;
      })}</tr>`,
    )}</tbody></table></div>
    <div class="scroll"><table><thead><tr><th>序号</th><th>事项</th><th>截止</th></tr></thead><tbody>${cols.map((k, i) => {
      const a = meta(k);
      return html`<tr><td>${i + 1}</td><td>${a.kind === "task" ? "任务：" : ""}${a.title}</td><td>${dueLocalZh(a.dueAt, zone, a.dueAssumed)}</td></tr>`;
    })}</tbody></table></div>`;
}

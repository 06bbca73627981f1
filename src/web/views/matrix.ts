import { instanceOf, assignmentsById } from "../../plan/ids.ts";
import type { BoardRow } from "../../campaign/board.ts";
import type { Assignment, ResolvedPlan } from "../../plan/types.ts";
import { unitName } from "../../present/plan-text.ts";
import { dueLocalZh } from "../../present/due-note.ts";
import { LIGHT_ZH, levelZh, STATE_SHORT_ZH, STATE_ZH } from "../../text/labels.ts";
import { html, type Html } from "../html.ts";
import { idPath } from "../../plan/ids.ts";
import { isOverdue } from "../data.ts";
import { LIGHT_HEX, type Light } from "../../publish/light.ts";

export type MatrixRow = Pick<BoardRow, "id" | "unit" | "state" | "late"> & Partial<Pick<BoardRow, "daysLate" | "due" | "level" | "subPlans">> & { light?: Light };

/** One column of the matrix: a deliverable instance (or task) with its number in the whole plan. */
export interface MatrixColumn {
  key: string;
  /** 1-based, in plan order over every instance: the same column has the same number in every view. */
  no: number;
  /** A few characters of the title (and a recurring instance's date), shown in the header. */
  short: string;
  first: Assignment;
}

const columnIndex = new WeakMap<ResolvedPlan, Map<string, MatrixColumn>>();

/** How many characters of a title the header shows (written vertically, so a column stays narrow). */
const SHORT_CHARS = 6;

function shortName(a: Assignment, key: string): string {
  const t = [...a.title];
  const head = t.length > SHORT_CHARS ? `${t.slice(0, SHORT_CHARS).join("")}…` : a.title;
  // A recurring deliverable's instances share a title: their date tells them apart.
  const at = /@(\d{4})-(\d{2})-(\d{2})$/.exec(key);
  return at ? `${head}${Number(at[2])}/${Number(at[3])}` : head;
}

/** Every column of the plan, numbered once per plan version. */
export function matrixColumns(plan: ResolvedPlan): Map<string, MatrixColumn> {
  let m = columnIndex.get(plan);
  if (m) return m;
  m = new Map();
  for (const a of plan.assignments) {
    const key = instanceOf(a.id);
    if (!m.has(key)) m.set(key, { key, no: m.size + 1, short: shortName(a, key), first: a });
  }
  columnIndex.set(plan, m);
  return m;
}

/**
 * Still owed and past due, or handed in late: two different things, drawn in the 三色 light's colours
 * (red: still owed; green: closed, and the "+N" says how late it closed).
 */
export function lateness(r: MatrixRow): "owed" | "closed" | undefined {
  if (isOverdue(r)) return "owed";
  if (r.late && (r.state === "submitted" || r.state === "accepted")) return "closed";
  return undefined;
}

export function legend(): Html {
  const states = Object.keys(STATE_SHORT_ZH) as (keyof typeof STATE_SHORT_ZH)[];
  const bar = (c: keyof typeof LIGHT_HEX) => `box-shadow: inset 0 -4px 0 ${LIGHT_HEX[c]}`;
  return html`<p class="legend">${states.map((s) => html`<span class="s-${s}">${STATE_SHORT_ZH[s]} ${STATE_ZH[s]}</span>`)}<span class="s-open late">红框 逾期未报</span><span class="s-accepted late-closed">绿虚框 逾期办结</span><span class="s-open">+N 逾期工作日</span><span class="s-open"><small class="lv">二级</small> 督办级别</span> 格下色条：<span style="${bar("red")}">红灯</span> <span style="${bar("yellow")}">黄灯</span> <span style="${bar("green")}">绿灯</span> <span style="${bar("none")}">无截止时间</span></p>`;
}

/**
 * Deliverables × units: one row per unit, one column per deliverable or task instance. Each column keeps
 * its number in the whole plan (column 12 is the same deliverable in the full board and in any filtered
 * view) and shows a short name under it, since phones have no hover; the key below names them in full.
 * `asOf`: the cells open each item as of that instant (a replay), not as it is now. `unitOrder`: the rows'
 * order (default the plan's).
 */
export function matrix(plan: ResolvedPlan, all: MatrixRow[], opts: { link: boolean; asOf?: string; unitOrder?: string[] }): Html {
  const zone = plan.campaign.timezone;
  const byAssignment = assignmentsById(plan);
  const columns = matrixColumns(plan);
  // Only columns with a row shown, in plan order. Items opened while the campaign runs have no column of
  // the plan's: the board lists them apart.
  const shown = new Set(all.map((r) => instanceOf(r.id)));
  const cols = [...columns.values()].filter((c) => shown.has(c.key));
  const rows = all.filter((r) => columns.has(instanceOf(r.id)));
  const order = new Map((opts.unitOrder ?? [...plan.units.keys()]).map((u, i) => [u, i]));
  const rank = (u: string) => order.get(u) ?? Number.MAX_SAFE_INTEGER;
  const units = [...new Set(rows.map((r) => r.unit))].sort((x, y) => rank(x) - rank(y));
  const cell = new Map(rows.map((r) => [`${instanceOf(r.id)}|${r.unit}`, r]));
  const asOf = opts.asOf ? `?asOf=${encodeURIComponent(opts.asOf)}` : "";
  if (rows.length === 0) return html`<p class="muted">没有符合条件的事项。</p>`;
  return html`<div class="scroll"><table class="matrix">
    <thead><tr><th class="unit">单位</th>${cols.map((c) => html`<th class="col" id="col-${c.no}" title="${c.first.title}"><span class="col-no">${c.no}</span><span class="col-name">${c.short}</span></th>`)}</tr></thead>
    <tbody>${units.map(
      (u) => html`<tr><th class="unit">${opts.link ? html`<a href="/units/${encodeURIComponent(u)}">${unitName(plan, u)}</a>` : unitName(plan, u)}</th>${cols.map((c) => {
        const r = cell.get(`${c.key}|${u}`);
        if (!r) return html`<td></td>`;
        const late = lateness(r);
        const level = r.level ?? 0;
        // A parent item's sub-plans: their items done of those to hand in, beside the item's own state.
        const sub = r.subPlans?.length ? html`<small class="sub">下级${r.subPlans.reduce((n, s) => n + s.done, 0)}/${r.subPlans.reduce((n, s) => n + s.total, 0)}</small>` : "";
        const label = html`${STATE_SHORT_ZH[r.state]}${r.daysLate ? html`<small>+${r.daysLate}</small>` : ""}${level > 0 && late === "owed" ? html`<small class="lv">${levelZh(level).replace("督办", "")}</small>` : ""}${sub}`;
        const lit = r.light ? `｜${LIGHT_ZH[r.light.colour]}：${r.light.label}` : r.late ? "｜逾期" : "";
        const title = `${c.no}. ${byAssignment.get(r.id)?.title ?? r.id}｜${unitName(plan, u)}｜${STATE_ZH[r.state]}${lit}${level > 0 ? `｜${levelZh(level)}` : ""}${(r.subPlans ?? []).map((s) => `｜下级专项行动“${s.title}”：已完成 ${s.done}/${s.total}，逾期 ${s.overdue}`).join("")}`;
        const cls = `cell s-${r.state}${late === "owed" ? " late" : late === "closed" ? " late-closed" : ""}${r.light ? ` light-${r.light.colour}` : ""}${level > 0 ? ` level-${level}` : ""}`;
        const style = r.light ? `box-shadow: inset 0 -4px 0 ${LIGHT_HEX[r.light.colour]}` : "";
        return html`<td>${opts.link ? html`<a class="${cls}" style="${style}" href="/items/${idPath(r.id)}${asOf}" title="${title}">${label}</a>` : html`<span class="${cls}" style="${style}" title="${title}">${label}</span>`}</td>`;
      })}</tr>`,
    )}</tbody></table></div>
    <div class="scroll"><table class="key"><thead><tr><th>序号</th><th>事项</th><th>截止</th></tr></thead><tbody>${cols.map((c) => {
      const a = c.first;
      return html`<tr><td>${c.no}</td><td>${a.kind === "task" ? "任务：" : ""}${a.title}</td><td>${dueLocalZh(a.dueAt, zone, a.dueAssumed)}</td></tr>`;
    })}</tbody></table></div>`;
}

import type { BoardRow } from "../../campaign/board.ts";
import type { SubPlan } from "../../campaign/subplans.ts";
import type { EpochMs } from "../../engine/calendar.ts";
import type { ResolvedPlan } from "../../plan/types.ts";
import { unitName } from "../../present/plan-text.ts";
import { formatLocal } from "../../engine/calendar.ts";
import { isOverdue, PLANNED_KIND, type BoardFilter } from "../data.ts";
import { idPath } from "../../plan/ids.ts";
import { parseInstant } from "../../engine/calendar.ts";
import { STATE_ZH } from "../../text/labels.ts";
import { NO_DEADLINE_ZH } from "../../present/due-note.ts";
import { html, type Html } from "../html.ts";
import { gantt } from "./gantt.ts";
import { legend, matrix } from "./matrix.ts";
import { instanceOf } from "../../plan/ids.ts";
import { LIGHT_COLOURS, type LitRow } from "../../publish/light.ts";
import { LIGHT_ZH } from "../../text/labels.ts";
import { isOutstanding } from "../../model/states.ts";
import { levelZh } from "../../text/labels.ts";
import { unitRanking, type RankOrder } from "../../campaign/board-rank.ts";
import { MATRIX_MAX_ROWS, summarize, type SummaryLine } from "../board-summary.ts";
import { memoOn } from "../row-memo.ts";

export interface PhaseCount {
  phase: string;
  name: string;
  total: number;
  accepted: number;
  submitted: number;
  owed: number;
  overdue: number;
}

export function phaseCounts(plan: ResolvedPlan, rows: BoardRow[]): PhaseCount[] {
  return memoOn(rows, "phases", () => phaseCountsNow(plan, rows));
}

function phaseCountsNow(plan: ResolvedPlan, rows: BoardRow[]): PhaseCount[] {
  // One pass over the rows (a national board has hundreds of thousands), not five per phase.
  const by = new Map(plan.phases.map((p) => [p.id, { phase: p.id, name: p.name, total: 0, accepted: 0, submitted: 0, owed: 0, overdue: 0 }]));
  for (const r of rows) {
    const c = r.phase === undefined ? undefined : by.get(r.phase);
    if (!c) continue;
    c.total++;
    if (r.state === "accepted" || r.state === "waived") c.accepted++;
    else if (r.state === "submitted") c.submitted++;
    if (isOutstanding(r.state)) c.owed++;
    if (isOverdue(r)) c.overdue++;
  }
  return [...by.values()];
}

function select(name: string, label: string, current: string | undefined, options: [string, string][]): Html {
  return html`<label>${label}<br><select name="${name}"><option value="">全部</option>${options.map(
    ([v, t]) => html`<option value="${v}"${v === current ? html` selected` : ""}>${t}</option>`,
  )}</select></label>`;
}

const when = (plan: ResolvedPlan, iso: string | undefined | null) => (iso ? formatLocal(parseInstant(iso, plan.campaign.timezone), plan.campaign.timezone) : "");

/** Rows the opened-items table lists at most: past it, the most urgent, and a note to narrow the filters. */
export const OPENED_MAX_ROWS = 200;

/**
 * Items opened while the campaign runs, one row each: a joint item once, with every member. A campaign
 * may open tens of thousands (问题清单 rows of every county): past OPENED_MAX_ROWS the table lists the most
 * urgent (overdue longest first, then outstanding by deadline, then the rest) and says how many it left out.
 */
export function openedTable(plan: ResolvedPlan, all: BoardRow[], asOf?: string): Html {
  const q = asOf ? `?asOf=${encodeURIComponent(asOf)}` : "";
  if (all.length === 0) return html`<p class="muted">没有符合条件的交办事项。</p>`;
  const rows = all.length > OPENED_MAX_ROWS ? memoOn(all, "opened-urgent", () => mostUrgent(all, OPENED_MAX_ROWS)) : all;
  const note = rows.length < all.length ? html`<p class="muted">仅列最紧迫的 ${rows.length} 条（共 ${all.length} 条：先列逾期最久的，再按截止时间）；请按事项类型、单位或“只看逾期”筛选以缩小范围，全部事项见<a href="/api/ledger.xlsx">台账（xlsx）</a>。</p>` : "";
  return html`${note}<div class="scroll"><table class="opened"><thead><tr><th>编号</th><th>类型</th><th>事项</th><th>承办单位</th><th>紧急程度</th><th>交办</th><th>截止</th><th>签收</th><th>状态</th></tr></thead><tbody>${rows.map(
    (r) => html`<tr id="row-${r.id}"><td><a href="/items/${idPath(r.id)}${q}">${r.id}</a></td><td>${plan.kinds.get(r.kind!)?.title ?? r.kind}</td><td>${r.title}</td>
      <td>${(r.members ?? [r.unit]).map((u, i, all) => html`${unitName(plan, u)}${all.length > 1 && i === 0 ? "（牵头）" : ""}${i < all.length - 1 ? "、" : ""}`)}</td>
      <td>${r.urgency ?? ""}</td><td>${r.openedBy ? unitName(plan, r.openedBy) : ""}<div class="muted">${when(plan, r.openedAt)}</div></td>
      <td${isOverdue(r) ? html` class="late"` : ""}>${r.due === null ? NO_DEADLINE_ZH : when(plan, r.due)}</td>
      <td>${r.acknowledgedAt === undefined ? html`<span class="muted">无需签收</span>` : r.acknowledgedAt === null ? html`<b style="color:#a60">待签收</b>` : html`已签收<div class="muted">${when(plan, r.acknowledgedAt)}</div>`}</td>
      <td><span class="cell s-${r.state}" style="display:inline">${STATE_ZH[r.state]}</span>${r.reports ? html`<div class="muted">续报 ${r.reports} 次</div>` : ""}</td></tr>`,
  )}</tbody></table></div>`;
}

/** The `max` most urgent rows: overdue (longest first), then outstanding by deadline (none last), then the rest in order. */
function mostUrgent(rows: readonly BoardRow[], max: number): BoardRow[] {
  const rank = (r: BoardRow) => (isOverdue(r) ? 0 : isOutstanding(r.state) ? 1 : 2);
  const due = (r: BoardRow) => (r.due === null ? Infinity : Date.parse(r.due));
  return rows
    .map((r, i) => ({ r, i, k: rank(r), d: due(r) }))
    .sort((x, y) => x.k - y.k || (x.k < 2 ? x.d - y.d : 0) || x.i - y.i)
    .slice(0, max)
    .map((x) => x.r);
}

/** Where the board's links go: the current filter with some parts changed (undefined drops one). */
export function boardHref(f: BoardFilter, change: Partial<Record<keyof BoardFilter, string | number | boolean | undefined>> = {}): string {
  const q = new URLSearchParams();
  const merged: Record<string, unknown> = { ...f, ...change };
  for (const k of ["phase", "task", "deliverable", "group", "unit", "q", "level", "light", "kind", "overdue", "sort"] as const) {
    const v = merged[k];
    if (v === undefined || v === false || v === "") continue;
    q.set(k, v === true ? "1" : String(v));
  }
  const s = q.toString();
  return s ? `/?${s}` : "/";
}

/** The office's 催办 on the board: the form's token and the units already urged today (once a day each). */
export interface UrgeOptions {
  csrf: string;
  urgedToday: ReadonlySet<string>;
}

const pct = (x: number | null) => (x === null ? "—" : `${(x * 100).toFixed(1).replace(/\.0$/, "")}%`);

/** The per-unit ranking over the filtered rows, sortable by overdue count, on-time rate or ladder level. */
export function rankingTable(plan: ResolvedPlan, rows: BoardRow[], f: BoardFilter, urge: UrgeOptions | undefined): Html {
  const order: RankOrder = f.sort === "rate" || f.sort === "level" ? f.sort : "overdue";
  const all = ranked(plan, rows, order);
  // A national board ranks thousands of units: the head of the list, the search box finds the rest.
  const ranks = all.slice(0, MAX_RANKED);
  if (ranks.length === 0) return html``;
  const head = (key: RankOrder, label: string) => (order === key ? html`<th aria-sort="descending">${label} ▼</th>` : html`<th><a href="${boardHref(f, { sort: key })}">${label}</a></th>`);
  return html`<div class="scroll"><table class="ranking"><thead><tr><th>名次</th><th>单位</th><th>事项</th>${head("overdue", "逾期未报")}<th>逾期办结</th>${head("rate", "按时办结率")}${head("level", "最高督办级别")}${urge ? html`<th>催办</th>` : ""}</tr></thead><tbody>
  ${ranks.map(
    (u, i) => html`<tr data-unit="${u.unit}"><td>${i + 1}</td><th><a href="${boardHref(f, { unit: u.unit, q: undefined })}">${unitName(plan, u.unit)}</a></th><td>${u.items}</td>
      <td>${u.overdue ? html`<b class="owed-late">${u.overdue}</b>` : 0}</td><td>${u.closedLate}</td><td>${pct(u.onTimeRate)}</td><td>${u.maxLevel ? levelZh(u.maxLevel) : "—"}</td>
      ${urge ? html`<td>${urgeCell(u.unit, u.overdue, urge)}</td>` : ""}</tr>`,
  )}</tbody></table></div>${all.length > ranks.length ? html`<p class="muted">仅列前 ${ranks.length} 名（共 ${all.length} 个单位）；用单位搜索或汇总表逐级查看其余单位。</p>` : ""}`;
}

/** More units than this: no dropdown of them all (the search box finds one). */
const MAX_UNIT_OPTIONS = 300;
/** The ranking lists at most this many units. */
const MAX_RANKED = 100;

/** The group or deliverable the board is narrowed to (a drill-down), with a link back out. */
function scope(plan: ResolvedPlan, f: BoardFilter): Html {
  const parts: Html[] = [];
  if (f.group) parts.push(html`${plan.groups.get(f.group)?.name ?? f.group} <a href="${boardHref(f, { group: undefined })}" title="取消">✕</a>`);
  if (f.deliverable) parts.push(html`${plan.deliverables.find((d) => d.id === f.deliverable)?.title ?? plan.tasks.find((t) => t.id === f.deliverable)?.title ?? f.deliverable} <a href="${boardHref(f, { deliverable: undefined })}" title="取消">✕</a>`);
  return parts.length ? html`<p class="scope">当前范围：${parts.map((p, i) => html`${i ? "；" : ""}${p}`)}</p>` : html``;
}

/**
 * The board at national size: instead of a matrix of hundreds of thousands of cells, one line per group
 * of units (or per unit, once narrowed to a group or a search) and one per deliverable, each with its
 * counts and lights and a link one level down.
 */
function summaryTables(plan: ResolvedPlan, rows: LitRow[], f: BoardFilter): Html {
  const by = f.group || f.q ? "unit" : "group";
  const table = (title: string, lines: SummaryLine[]) => html`<div class="scroll"><table class="summary" data-by="${title}"><thead><tr><th>${title}</th><th>单位</th><th>事项</th><th>逾期未报</th><th>逾期办结</th><th>红灯</th><th>黄灯</th><th>按时办结率</th></tr></thead><tbody>${lines.map(
    (l) => html`<tr data-key="${l.key}"><th><a href="${boardHref(f, l.drill)}">${l.name}</a></th><td>${l.units}</td><td>${l.items}</td><td>${l.overdue ? html`<b class="owed-late">${l.overdue}</b>` : 0}</td><td>${l.closedLate}</td><td>${l.red}</td><td>${l.yellow}</td><td>${pct(l.onTimeRate)}</td></tr>`,
  )}</tbody></table></div>`;
  const byUnits = memoOn(rows, `summary:${by}`, () => summarize(plan, rows, by).sort((a, b) => b.overdue - a.overdue || b.items - a.items));
  return html`<p class="muted">符合条件的事项共 ${rows.length} 条，超过 ${MATRIX_MAX_ROWS} 条，按${by === "group" ? "单位分组" : "单位"}和事项汇总；点击名称逐级查看，范围足够小时显示责任分解表。</p>
    ${table(by === "group" ? "单位分组" : "单位", byUnits.slice(0, 500))}
    ${byUnits.length > 500 ? html`<p class="muted">仅列逾期最多的 500 个（共 ${byUnits.length} 个）；请用单位搜索缩小范围。</p>` : ""}
    ${table("事项", memoOn(rows, "summary:deliverable", () => summarize(plan, rows, "deliverable")))}`;
}

function urgeCell(unit: string, overdue: number, urge: UrgeOptions): Html {
  if (urge.urgedToday.has(unit)) return html`<span class="muted">今日已催办</span>`;
  if (!overdue) return html``;
  return html`<form method="post" action="/units/${encodeURIComponent(unit)}/urge" class="urge"><input type="hidden" name="_csrf" value="${urge.csrf}"><button class="btn small" type="submit">催办</button></form>`;
}

/** The highest ladder level any policy of the plan reaches: the level filter offers 1 to it. */
function maxPlanLevel(plan: ResolvedPlan): number {
  let n = 0;
  for (const p of plan.policies.values()) for (const s of p.steps) n = Math.max(n, s.level ?? 0);
  return n;
}

/**
 * The sub-plans under this campaign: each with the item (or unit) it serves, its progress and a link to
 * its own board (`/?campaign=<id>`, the store's front routes it).
 */
export function subPlansTable(plan: ResolvedPlan, subPlans: readonly SubPlan[]): Html {
  if (!subPlans.length) return html``;
  const zone = plan.campaign.timezone;
  return html`<h2 id="sub-plans">下级专项行动</h2>
  <div class="scroll"><table class="sub-plans"><thead><tr><th>下级专项行动</th><th>所服务的上级事项或单位</th><th>已完成</th><th>待审核</th><th>逾期</th><th>最近办理</th></tr></thead><tbody>${subPlans.map(
    (s) => html`<tr data-campaign="${s.campaign}"><th><a href="/?campaign=${encodeURIComponent(s.campaign)}">${s.title}</a><div class="muted">${s.campaign}</div></th>
      <td>${s.item !== undefined ? html`<a href="/items/${idPath(s.item)}">${plan.assignments.find((a) => a.id === s.item)?.title ?? s.item}</a>（${unitName(plan, s.item.slice(s.item.lastIndexOf("/") + 1))}）` : s.unit !== undefined ? unitName(plan, s.unit) : ""}</td>
      <td>${s.done}/${s.total}${s.complete ? "（已全部完成）" : ""}</td><td>${s.handedIn}</td><td>${s.overdue ? html`<b class="owed-late">${s.overdue}</b>` : 0}</td><td>${s.lastActivity ? formatLocal(parseInstant(s.lastActivity, zone), zone) : html`<span class="muted">尚无人办理</span>`}</td></tr>`,
  )}</tbody></table></div>`;
}

export function boardPage(plan: ResolvedPlan, now: EpochMs, all: LitRow[], rows: LitRow[], f: BoardFilter, showUnitFilter: boolean, urge?: UrgeOptions, flash?: string, subPlans: readonly SubPlan[] = []): Html {
  const { reds, yellows, units } = memoOn(all, "tallies", () => tallies(all));
  const { counts, overdueInstances, opened, planned, overdue } = memoOn(rows, "shown", () => shownTallies(plan, rows));

  const levels = Array.from({ length: maxPlanLevel(plan) }, (_, i) => i + 1);
  const unitOrder = f.sort === "level" || f.sort === "overdue" || f.sort === "rate" ? memoOn(planned, `order:${f.sort}`, () => ranked(plan, planned, f.sort as RankOrder).map((u) => u.unit)) : undefined;
  return html`<h1>督办看板 <span class="muted">截至 ${formatLocal(now, plan.campaign.timezone)}</span></h1>
  ${flash ? html`<p class="ok">${flash}</p>` : ""}
  ${gantt(plan, now, overdueInstances, showUnitFilter ? undefined : new Set(all.map((r) => r.id)))}
  <h2>各阶段进度</h2>
  <div class="scroll"><table class="counts"><thead><tr><th>阶段</th><th>事项</th><th>已通过/免报</th><th>待审核</th><th>未完成</th><th>逾期未报</th></tr></thead><tbody>
  ${counts.map((c) => html`<tr data-phase="${c.phase}"><th><a href="${boardHref(f, { phase: c.phase })}">${c.name}</a></th><td>${c.total}</td><td>${c.accepted}</td><td>${c.submitted}</td><td>${c.owed}</td><td>${c.overdue ? html`<b class="owed-late">${c.overdue}</b>` : 0}</td></tr>`)}
  </tbody></table></div>
  ${subPlansTable(plan, subPlans)}
  <h2>责任分解</h2>
  <form class="filters" method="get" action="/">
    ${showUnitFilter ? html`<label>单位搜索<br><input type="search" name="q" list="unit-names" value="${f.q ?? ""}" placeholder="输入单位名称" maxlength="50"></label><datalist id="unit-names">${units.slice(0, MAX_UNIT_OPTIONS).map((u) => html`<option value="${unitName(plan, u)}">`)}</datalist>` : ""}
    ${select("phase", "阶段", f.phase, plan.phases.map((p) => [p.id, p.name]))}
    ${select("task", "重点任务", f.task, plan.tasks.map((t) => [t.id, t.title]))}
    ${showUnitFilter && units.length <= MAX_UNIT_OPTIONS ? select("unit", "单位", f.unit, units.map((u) => [u, unitName(plan, u)])) : f.unit ? html`<input type="hidden" name="unit" value="${f.unit}">` : ""}
    ${f.group ? html`<input type="hidden" name="group" value="${f.group}">` : ""}${f.deliverable ? html`<input type="hidden" name="deliverable" value="${f.deliverable}">` : ""}
    ${levels.length ? select("level", "督办级别", f.level === undefined ? undefined : String(f.level), levels.map((l) => [String(l), l === levels.length ? levelZh(l) : `${levelZh(l)}及以上`])) : ""}
    ${select("light", "灯色", f.light, LIGHT_COLOURS.map((c) => [c, c === "none" ? "无截止时间" : LIGHT_ZH[c]]))}
    ${plan.kinds.size ? select("kind", "事项类型", f.kind, [[PLANNED_KIND, "计划内事项"], ...[...plan.kinds.values()].map((k): [string, string] => [k.id, k.title])]) : ""}
    ${select("sort", "排序", f.sort, [["level", "按督办级别"], ["overdue", "按逾期数"], ["rate", "按按时办结率"]])}
    <label><input type="checkbox" name="overdue" value="1"${f.overdue ? html` checked` : ""}> 只看逾期</label>
    <button class="btn" type="submit">筛选</button>
  </form>
  ${legend()}
  <p class="muted">共 ${rows.length} 条，其中逾期未报 ${overdue} 条。全部事项中红灯 <a href="/?light=red">${reds}</a> 项、黄灯 <a href="/?light=yellow">${yellows}</a> 项${showUnitFilter ? html`（<a href="/lights/red">红灯清单</a>）` : ""}。点击格子查看事项。</p>
  ${scope(plan, f)}
  ${f.kind === undefined || f.kind === PLANNED_KIND ? (planned.length > MATRIX_MAX_ROWS ? summaryTables(plan, planned, f) : matrix(plan, rows, { link: true, ...(unitOrder ? { unitOrder } : {}) })) : ""}
  ${plan.kinds.size && f.kind !== PLANNED_KIND ? html`<h2>交办事项（${opened.length}）</h2>${openedTable(plan, opened)}` : ""}
  ${showUnitFilter ? html`<h2 id="ranking">各单位排名</h2><p class="muted">按筛选后的计划内事项统计；按时办结率 = 按时报送 ÷（按时报送 + 逾期报送 + 逾期未报）。${urge ? "催办即时向该单位发送提醒，每个单位每天至多一次。" : ""}</p>${rankingTable(plan, planned, f, urge)}` : ""}`;
}

/** A unit ranking of these rows, computed once per rows (see row-memo.ts). */
function ranked(plan: ResolvedPlan, rows: readonly BoardRow[], order: RankOrder) {
  return memoOn(rows, `rank:${order}`, () => unitRanking(rows, [...plan.units.keys()], order));
}

/** The whole board's lights and units, in one pass: a national board has hundreds of thousands of rows. */
function tallies(all: readonly LitRow[]): { reds: number; yellows: number; units: string[] } {
  let reds = 0;
  let yellows = 0;
  const seen = new Set<string>();
  for (const r of all) {
    if (r.light.colour === "red") reds++;
    else if (r.light.colour === "yellow") yellows++;
    if (r.members) for (const u of r.members) seen.add(u);
    else seen.add(r.unit);
  }
  return { reds, yellows, units: [...seen] };
}

/** The shown rows' counts, in one pass. */
function shownTallies(plan: ResolvedPlan, rows: LitRow[]) {
  // Counts answer for what the filters select, the same rows as the matrix below.
  const counts = phaseCounts(plan, rows);
  const overdueInstances = new Set<string>();
  const opened: LitRow[] = [];
  const planned: LitRow[] = [];
  let overdue = 0;
  for (const r of rows) {
    if (isOverdue(r)) (overdue++, overdueInstances.add(instanceOf(r.id)));
    (r.kind !== undefined ? opened : planned).push(r);
  }
  return { counts, overdueInstances, opened, planned, overdue };
}

import type { StatsSeries } from "../../publish/stats-series.ts";
import { cellText, statsColumns } from "../../publish/stats-text.ts";
import { GROUPING_NAMES, groupingLabel, type Statistics } from "../../publish/stats.ts";
import { html, raw, type Html } from "../html.ts";
import { ECHARTS_PATH, STATS_SCRIPT_PATH } from "../assets.ts";

/** JSON that can sit inside a <script> element: no "</script>" (or "<!--") can close it early. */
function scriptJson(data: unknown): string {
  return JSON.stringify(data).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

/**
 * The statistics page: charts drawn by ECharts from the JSON in #stats-data (by /assets/stats-charts.js,
 * both served by this server), and the same numbers as a table below, readable without scripts.
 */
export function statsPage(s: Statistics, series: StatsSeries, asOfLocal: string): Html {
  const columns = statsColumns(s);
  const chartBox = (id: string, title: string) => html`<div class="card"><h3 style="margin:.2rem 0;font-size:1rem">${title}</h3><div id="${id}" class="chart" style="width:100%;height:320px"></div></div>`;
  return html`<h1>统计</h1>
  <form class="filters" method="get" action="/stats">
    <label>截至<br><input type="datetime-local" name="asOf" value="${asOfLocal}"></label>
    <label>分组<br><select name="by">${GROUPING_NAMES.map((g) => html`<option value="${g}" ${g === s.by ? raw("selected") : ""}>${groupingLabel(g)}</option>`)}</select></label>
    <button class="btn" type="submit">查看</button>
    <a href="/api/stats?by=${s.by}&amp;asOf=${encodeURIComponent(s.asOf)}">JSON</a>
    <a href="/api/ledger.xlsx?asOf=${encodeURIComponent(s.asOf)}">台账（xlsx）</a>
  </form>
  <p class="muted">截至 ${s.asOf.slice(0, 16).replace("T", " ")}，由事件日志计算。按时完成率 = 按时办结 ÷ 已到期；逾期率 =（逾期办结 + 当前逾期）÷ 已到期。</p>
  <noscript><p class="muted">浏览器未启用脚本，图表不显示；数字见下表。</p></noscript>
  ${chartBox("chart-rate", "各单位按时完成率")}
  ${chartBox("chart-overdue", "逾期事项数（每个工作日结束时）")}
  ${series.cumulative.map((g, i) => chartBox(`chart-cum-${i}`, `${g.name}：累计应报与已报`))}
  <h2>统计表（按${groupingLabel(s.by)}）</h2>
  <div class="scroll"><table class="counts" id="stats-table"><thead><tr><th>${groupingLabel(s.by)}</th>${columns.map((c) => html`<th>${c.header}</th>`)}</tr></thead><tbody>
  ${[...s.lines, s.total].map((l) => html`<tr data-key="${l.key}"><th>${l.name}</th>${columns.map((c) => html`<td data-col="${c.key}">${cellText(l, c.key)}</td>`)}</tr>`)}
  </tbody></table></div>
  <script type="application/json" id="stats-data">${raw(scriptJson(series))}</script>
  <script src="${ECHARTS_PATH}"></script>
  <script src="${STATS_SCRIPT_PATH}"></script>`;
}

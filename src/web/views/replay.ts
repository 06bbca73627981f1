import type { BoardRow } from "../../campaign/board.ts";
import type { ResolvedPlan } from "../../plan/types.ts";
import { html, type Html } from "../html.ts";
import { openedTable, phaseCounts } from "./board.ts";
import { legend, matrix } from "./matrix.ts";

/**
 * The auditor's replay: the board as the log alone says it was at an instant. Rows are whole board rows
 * (each placed in its phase by the board's own rule), and each cell opens its item as of that instant.
 */
export function replayPage(plan: ResolvedPlan, local: string, r: { asOf: string; rows: BoardRow[] } | undefined): Html {
  return html`<h1>历史回放</h1>
  <form class="filters" method="get" action="/replay">
    <label>回放到<br><input type="datetime-local" name="asOf" value="${local}" required></label>
    <button class="btn" type="submit">回放</button>
  </form>
  ${r
    ? html`<p class="muted">以下为 ${r.asOf.replace("T", " ")} 时的状态，完全由事件日志重算得出。</p>
      <div class="scroll"><table class="counts"><thead><tr><th>阶段</th><th>事项</th><th>已通过/免报</th><th>待审核</th><th>未完成</th><th>逾期未报</th></tr></thead><tbody>
      ${phaseCounts(plan, r.rows).map((c) => html`<tr><th>${c.name}</th><td>${c.total}</td><td>${c.accepted}</td><td>${c.submitted}</td><td>${c.owed}</td><td>${c.overdue}</td></tr>`)}
      </tbody></table></div>
      ${legend()}${matrix(plan, r.rows, { link: true, asOf: r.asOf })}
      ${r.rows.some((x) => x.kind !== undefined) ? html`<h2>交办事项</h2>${openedTable(plan, r.rows.filter((x) => x.kind !== undefined), r.asOf)}` : ""}`
    : html`<p class="muted">请选择一个时间点。</p>`}`;
}

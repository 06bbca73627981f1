import type { AuditProgress, AuditResult } from "../../campaign/audit-check.ts";
import { auditResultZh } from "../../campaign/audit-check.ts";
import { html, type Html } from "../html.ts";

/** A daily summary as the log recorded its sending, with the 日志头 it reported. */
export interface SummaryHead {
  date: string;
  sentAt: string;
  seq: number;
  hash: string;
}

const hashCell = (h: string) => html`<code class="hash">${h}</code>`;

/** /verify: the log's head now, the heads the daily summaries reported, the check and the downloads. */
export function verifyPage(head: { seq: number; hash: string; at?: string }, summaries: SummaryHead[], given: string): Html {
  return html`<h1>日志核验</h1>
  <div class="card">
    <div>当前日志头：第 ${head.seq} 条${head.at ? html`（${head.at.replace("T", " ")}）` : ""}</div>
    <div>${hashCell(head.hash)}</div>
  </div>
  <form class="card" method="get" action="/verify/run">
    <h3>核验哈希链</h3>
    <p class="muted">逐条重算每条记录的 SHA-256 哈希并与前一条相接，再核对发送队列与日志是否一致。填写日报中的“日志头”，还可核实该日志头之前的记录没有被删除或改写。</p>
    <label>日志头哈希（可选，64 位十六进制）<input type="text" name="head" value="${given}" pattern="[0-9a-f]{64}" spellcheck="false" autocomplete="off"></label>
    <button class="btn" type="submit">开始核验</button>
  </form>
  <h2>日报记录的日志头</h2>
  ${summaries.length
    ? html`<div class="scroll"><table class="heads"><thead><tr><th>日报</th><th>发出</th><th>日志头</th><th></th></tr></thead><tbody>${summaries.map(
        (s) => html`<tr><td>${s.date}</td><td>${s.sentAt.replace("T", " ")}</td><td>第 ${s.seq} 条<br>${hashCell(s.hash)}</td><td><a href="/verify/run?head=${s.hash}">按此核验</a></td></tr>`,
      )}</tbody></table></div>`
    : html`<p class="muted">尚无已发出的日报记录日志头（日报由 duban serve --daemon 或 duban run 每个工作日发出）。</p>`}
  <h2>导出日志</h2>
  <p>完整事件日志，含每条记录的前一哈希与本条哈希，可在留存副本上用 <code>duban verify</code> 复核：
    <a class="btn secondary" href="/api/export?format=jsonl" download>下载 JSONL</a>
    <a class="btn secondary" href="/api/export?format=csv" download>下载 CSV</a></p>
  <h2>拒绝记录</h2>
  <p>越权访问、被拒绝的操作和无效令牌（不记在被访问事项的记录上）：<a href="/audit/refusals">查看拒绝记录</a></p>`;
}

/** The streamed check: what goes before the progress lines. */
export function verifyRunHead(total: number, given: string | undefined): Html {
  return html`<h1>日志核验</h1>
  <p>共 ${total} 条记录${given ? html`；核对日志头 ${hashCell(given)}` : ""}。<span id="running">核验进行中，请勿关闭页面……</span></p>
  <div class="progress-lines">`;
}

export function progressLine(p: AuditProgress): Html {
  const pct = p.total ? Math.min(100, Math.floor((p.checked / p.total) * 100)) : 100;
  return html`<div class="muted progress" data-stage="${p.stage}" data-checked="${p.checked}">${p.stage === "chain" ? "哈希链" : "发送队列"}：已读 ${p.checked} / ${p.total} 条（${pct}%）</div>`;
}

/** The result; a page without scripts hides its "under way" note with a style sent at the end. */
export function verifyRunTail(r: AuditResult, given: string | undefined): Html {
  return html`</div><style>#running{display:none}</style>
  <div id="result" class="${r.ok ? "ok" : "error"}" data-ok="${r.ok ? "true" : "false"}">${auditResultZh(r)}</div>
  ${r.ok ? html`<p>当前日志头：${hashCell(r.head)}</p>` : ""}
  ${r.ok && given ? html`<p class="ok">记录的日志头 ${hashCell(given)} 在此日志中：它及其之前的记录均未被改动或删除。</p>` : ""}
  <p><a href="/verify">返回日志核验</a></p>`;
}

import { html, type Html } from "../html.ts";

export interface RefusalLine {
  seq: number;
  at: string;
  type: "requestRefused" | "signInRefused";
  user?: string;
  address?: string;
  method?: string;
  path?: string;
  /** The item the request reached for; the refusal is not on that item's trail. */
  target?: string;
  code?: string;
  reason?: string;
  notLoggedBefore?: number;
}

/** The audit list of refusals: who, from where, what for, why; newest first. */
export function refusalsPage(r: { lines: RefusalLine[]; from: number; to: number; older?: number }): Html {
  return html`<h1>拒绝记录</h1>
  <p class="muted">越权访问、被拒绝的操作和无效令牌的登录尝试，按时间倒序；不记入相关事项的办理经过。本页为日志第 ${r.from}–${r.to} 号事件中的记录。</p>
  ${r.lines.length === 0
    ? html`<p>这段日志中没有拒绝记录。</p>`
    : html`<div class="scroll"><table><thead><tr><th>序号</th><th>时间</th><th>类型</th><th>账号</th><th>地址</th><th>请求</th><th>事项</th><th>原因</th></tr></thead><tbody>
      ${r.lines.map(
        (l) => html`<tr><td>${l.seq}</td><td>${l.at.replace("T", " ")}</td><td>${l.type === "signInRefused" ? "登录被拒绝" : "拒绝操作"}</td><td>${l.user ?? "—"}</td><td>${l.address ?? "—"}</td>
          <td>${l.method ?? ""} ${l.path ?? ""}</td><td>${l.target ?? ""}</td><td>${l.reason ?? ""}${l.code ? html` <span class="muted">${l.code}</span>` : ""}${l.notLoggedBefore ? html`<br><span class="muted">此前另有 ${l.notLoggedBefore} 次未逐条记录</span>` : ""}</td></tr>`,
      )}
      </tbody></table></div>`}
  ${r.older !== undefined ? html`<p><a href="/audit/refusals?before=${r.older}">更早的记录</a></p>` : ""}`;
}

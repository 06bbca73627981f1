import { html, type Html } from "../html.ts";

export function loginPage(csrf: string, next: string, error?: string): Html {
  return html`<h1>登录</h1>
  ${error ? html`<div class="error">${error}</div>` : ""}
  <form class="card" method="post" action="/login">
    <input type="hidden" name="_csrf" value="${csrf}">
    <input type="hidden" name="next" value="${next}">
    <label>访问令牌<input type="password" name="token" autocomplete="off" required placeholder="由领导小组办公室发放"></label>
    <button class="btn" type="submit">登录</button>
  </form>
  <p class="muted">访问令牌由管理员用 duban users add 生成，只显示一次；遗失请联系领导小组办公室重新发放。</p>`;
}

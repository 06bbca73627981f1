import type { User } from "../access/types.ts";
import { ROLE_ZH } from "../text/labels.ts";
import type { ResolvedPlan } from "../plan/types.ts";
import { unitName } from "../present/plan-text.ts";
import { html, raw, type Html } from "./html.ts";
import { FAVICON_PATH } from "./assets.ts";

const CSS = `
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 -apple-system,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei","WenQuanYi Micro Hei",sans-serif;color:#1f2328;background:#f6f7f9}
header{background:#9f1c1c;color:#fff;padding:.6rem 1rem;display:flex;flex-wrap:wrap;gap:.4rem 1rem;align-items:center}
header a{color:#fff;text-decoration:none}
header .title{font-weight:600;font-size:1.05rem;margin-right:auto;min-width:0}
header nav{display:flex;gap:.8rem;flex-wrap:wrap;align-items:center}
header nav .who{opacity:.9}
header form{display:inline;margin:0}
header button{background:none;border:1px solid #fff8;color:#fff;border-radius:4px;padding:.1rem .5rem;cursor:pointer}
main{padding:1rem;max-width:1400px;margin:0 auto}
h1{font-size:1.3rem;margin:.2rem 0 .8rem}
h2{font-size:1.1rem;margin:1.4rem 0 .6rem;border-left:4px solid #9f1c1c;padding-left:.5rem}
.card{background:#fff;border:1px solid #dde1e6;border-radius:6px;padding:.8rem 1rem;margin:.6rem 0}
.muted{color:#656d76;font-size:.9rem}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}
.scroll+.scroll{margin-top:1rem}
table{border-collapse:collapse;background:#fff}
th,td{border:1px solid #dde1e6;padding:.25rem .45rem;text-align:left;vertical-align:top}
th{background:#f0f2f5;font-weight:600;white-space:nowrap}
.matrix td,.matrix th{text-align:center;padding:.15rem}
.matrix th.unit{text-align:left;white-space:nowrap;position:sticky;left:0;background:#f0f2f5;z-index:1}
.matrix th.col{vertical-align:bottom;font-weight:600;padding:.2rem .1rem}
.matrix .col-no{display:block;font-size:.8rem}
.matrix .col-name{display:block;margin:0 auto;writing-mode:vertical-rl;font-weight:400;font-size:.72rem;line-height:1.1;color:#424a53;max-height:8.5em;overflow:hidden}
.cell small{font-size:.7rem}
.cell .lv{display:block;font-size:.65rem;line-height:1;font-weight:700;color:#fff;background:#a40e26;border-radius:2px;margin-top:1px}
.owed-late{color:#a40e26}
.cell{display:block;min-width:2.2rem;padding:.15rem .2rem;border-radius:3px;text-decoration:none;color:#1f2328;font-size:.8rem}
.s-waiting{background:#eef0f3;color:#8c959f}
.s-open{background:#fff3c4}
.s-submitted{background:#cfe3ff}
.s-returned{background:#ffd9b3}
.s-accepted{background:#c9efd0}
.s-waived{background:#e7e1f5}
.s-withdrawn{background:#eef0f3;color:#8c959f;text-decoration:line-through}
.req{color:#a40e26;margin-left:.15rem}
fieldset.members{border:1px solid #dde1e6;border-radius:4px;max-width:28rem;margin:.3rem 0}
label.check{display:inline-block;margin-right:.8rem}
.open-form label>input:not([type=checkbox]),.open-form label>select,.open-form label>textarea{display:block}
.late{outline:2px solid #d1242f;outline-offset:-2px;font-weight:700;color:#a40e26}
.late-closed{outline:1px dashed #2da44e;outline-offset:-2px}
.late-closed small{color:#1a7f37}
.legend span{display:inline-block;margin:.1rem .4rem .1rem 0;padding:.05rem .4rem;border-radius:3px;font-size:.85rem}
form.filters{display:flex;flex-wrap:wrap;gap:.5rem;align-items:end}
label{display:block;font-size:.9rem;margin:.3rem 0}
label>textarea,label>input[type=file],label>input[type=date]{display:block;margin-top:.2rem}
input,select,textarea,button{font:inherit}
input[type=text],input[type=date],input[type=datetime-local],input[type=password],select,textarea{width:100%;max-width:28rem;padding:.35rem;border:1px solid #c4cad1;border-radius:4px}
form.filters label{width:auto}
form.filters select{width:auto;max-width:min(16rem,calc(100vw - 2rem))}
form.filters input[type=search]{width:12rem;max-width:100%;padding:.35rem;border:1px solid #c4cad1;border-radius:4px}
.btn.small{padding:.15rem .6rem;font-size:.85rem}
.ranking td{text-align:right}
form.urge{margin:0}
textarea{min-height:4.5rem}
.btn{background:#9f1c1c;color:#fff;border:0;border-radius:4px;padding:.4rem .9rem;cursor:pointer}
.btn.secondary{background:#57606a}
.actions{display:flex;flex-wrap:wrap;gap:1rem}
.actions .card{flex:1 1 16rem}
.error{background:#ffebe9;border:1px solid #ff8182;border-radius:6px;padding:.8rem 1rem}
.ok{background:#dafbe1;border:1px solid #4ac26b;border-radius:6px;padding:.6rem 1rem}
.comment{background:#fff8c5;border-left:4px solid #d4a72c;padding:.4rem .6rem;margin:.3rem 0}
.gantt{position:relative;background:#fff;border:1px solid #dde1e6;border-radius:6px;padding:.5rem .5rem 1.6rem;overflow:hidden}
.g-phase{margin:.2rem 0}
.g-name{font-size:.8rem;line-height:1.3;color:#424a53}
.g-row{position:relative;height:1.7rem;margin:.2rem 0}
.g-phase .g-row{height:.9rem;margin:0 0 .35rem}
.g-bar{position:absolute;top:0;height:100%;background:#f3c1c1;border:1px solid #c9787a;border-radius:3px}
.g-due{position:absolute;top:.15rem;width:.8rem;height:.8rem;margin-left:-.4rem;background:#1f2328;transform:rotate(45deg)}
.g-due.late{background:#d1242f;outline:none}
.g-label{position:absolute;top:.95rem;font-size:.7rem;color:#656d76;white-space:nowrap;transform:translateX(-50%)}
.g-now{position:absolute;top:0;bottom:0;border-left:2px dashed #0969da}
.g-now span{position:absolute;bottom:0;left:.2rem;font-size:.75rem;color:#0969da;white-space:nowrap}
.g-now.late-half span{left:auto;right:.2rem}
.counts td{text-align:right}
code.hash{font-size:.78rem;word-break:break-all;color:#57606a}
details.chain summary{cursor:pointer}
ul.trail{list-style:none;padding:0;margin:0}
ul.trail li{border-left:3px solid #dde1e6;padding:.2rem .6rem;margin:.2rem 0}
ul.trail li.act{border-color:#9f1c1c}
@media (max-width:600px){main{padding:.6rem}h1{font-size:1.15rem}th,td{font-size:.85rem}
header{padding:.4rem .6rem;gap:.2rem .6rem}
header .title{flex:1 1 100%;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;font-size:.95rem}
header nav{flex:1 1 100%;flex-wrap:nowrap;overflow-x:auto;white-space:nowrap;gap:.7rem;font-size:.9rem;scrollbar-width:none}
header nav .who{overflow:hidden;text-overflow:ellipsis;max-width:9rem}
.g-label{display:none}
form.filters{display:grid;grid-template-columns:1fr 1fr;gap:.3rem .5rem}
form.filters label{margin:0;min-width:0}
form.filters select,form.filters input[type=search]{width:100%;max-width:100%}
.matrix th.unit{white-space:normal;min-width:5.5em;max-width:7em;font-size:.8rem;line-height:1.25}}
`;

export interface PageContext {
  plan: ResolvedPlan;
  user?: User;
  csrf?: string;
  /** The store's campaigns this user is in (several only): a switcher in the header. */
  campaigns?: { id: string; title: string; current: boolean }[];
}

/** Links to the user's other campaigns; GET /switch sets which one the next pages show. */
function switcher(ctx: PageContext): Html | string {
  const list = ctx.campaigns;
  if (!list || list.length < 2) return "";
  return html`<span class="switcher">专项行动：${list.map((c) => (c.current ? html`<strong aria-current="true">${c.title}</strong> ` : html`<a href="/switch?to=${encodeURIComponent(c.id)}">${c.title}</a> `))}</span>`;
}

/** The page shell: header with the campaign, navigation for the signed-in user, and the body. */
export function page(ctx: PageContext, title: string, body: Html): string {
  const u = ctx.user;
  const nav = u
    ? html`<nav>
        ${switcher(ctx)}
        <a href="/">看板</a>
        ${u.role === "unit" ? html`<a href="/units/${encodeURIComponent(u.unit)}">本单位事项</a>` : ""}
        ${u.role !== "auditor" && ctx.plan.kinds.size ? html`<a href="/open">交办</a>` : ""}
        ${u.role !== "unit" ? html`<a href="/replay">回放</a>` : ""}
        ${u.role !== "unit" ? html`<a href="/stats">统计</a>` : ""}
        ${u.role !== "unit" ? html`<a href="/verify">核验</a>` : ""}
        <span class="who" title="${unitName(ctx.plan, u.unit)} · ${u.name}（${ROLE_ZH[u.role]}）">${unitName(ctx.plan, u.unit)} · ${u.name}（${ROLE_ZH[u.role]}）</span>
        <form method="post" action="/logout"><input type="hidden" name="_csrf" value="${ctx.csrf ?? ""}"><button type="submit">退出</button></form>
      </nav>`
    : html`<nav><a href="/login">登录</a></nav>`;
  return html`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title} · ${ctx.plan.campaign.title}</title><link rel="icon" href="${FAVICON_PATH}" type="image/svg+xml"><style>${raw(CSS)}</style></head>
<body><header><a class="title" href="/">${ctx.plan.campaign.title}</a>${nav}</header>
<main>${body}</main></body></html>`.value;
}

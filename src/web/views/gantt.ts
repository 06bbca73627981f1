import { instanceOf } from "../../plan/ids.ts";
import type { EpochMs } from "../../engine/calendar.ts";
import type { ResolvedPlan } from "../../plan/types.ts";
import { html, type Html } from "../html.ts";
import { assumedZh } from "../../present/due-note.ts";

/**
 * Phases as bars and deliverable deadlines as diamonds on the campaign's span, with a line for today.
 * `only`: the items whose deadlines to show (a unit sees the deadlines it owes, not every district's).
 */
export function gantt(plan: ResolvedPlan, now: EpochMs, overdueInstances: Set<string>, only?: ReadonlySet<string>): Html {
  const { startAt, endAt } = plan.campaign;
  const span = endAt - startAt;
  const pct = (t: number) => `${Math.max(0, Math.min(100, ((t - startAt) / span) * 100)).toFixed(2)}%`;
  const dues = new Map<number, { titles: string[]; late: boolean }>();
  for (const a of plan.assignments) {
    if (a.kind !== "deliverable" || a.dueAt === null || (only && !only.has(a.id))) continue;
    const d = dues.get(a.dueAt) ?? dues.set(a.dueAt, { titles: [], late: false }).get(a.dueAt)!;
    const title = a.dueAssumed !== undefined ? `${a.title}${assumedZh(a.dueAssumed)}` : a.title;
    if (!d.titles.includes(title)) d.titles.push(title);
    if (overdueInstances.has(instanceOf(a.id))) d.late = true;
  }
  // A date label near either end is anchored inside the chart instead of centred over its diamond.
  const edge = (t: number) => {
    const x = (t - startAt) / span;
    return x < 0.06 ? "transform:none" : x > 0.94 ? "transform:translateX(-100%)" : "";
  };
  const md = (t: number) => monthDay(t, plan.campaign.timezone);
  return html`<div class="gantt" role="img" aria-label="阶段与截止时间">
    ${plan.phases.map(
      // The name sits above its bar, not inside it, so a short phase on a phone never clips it; it starts
      // where the bar starts, but never so far right that it would run off the chart.
      (p) => html`<div class="g-phase"><div class="g-name" style="padding-left:min(${pct(p.startAt)}, 55%)">${p.name} <span class="muted">${md(p.startAt)}～${md(p.endAt - 1)}</span></div><div class="g-row"><div class="g-bar" style="left:${pct(p.startAt)};width:calc(${pct(p.endAt)} - ${pct(p.startAt)})" title="${p.name} ${p.start}～${p.end}"></div></div></div>`,
    )}
    <div class="g-row">${[...dues].map(
      ([t, d]) => html`<div class="g-due${d.late ? " late" : ""}" style="left:${pct(t)}" title="${md(t)} ${d.titles.join("、")}"></div><div class="g-label" style="left:${pct(t)};${edge(t)}">${md(t)}</div>`,
    )}</div>
    ${now >= startAt && now <= endAt ? html`<div class="g-now${(now - startAt) / span > 0.5 ? " late-half" : ""}" style="left:calc(.5rem + (100% - 1rem) * ${((now - startAt) / span).toFixed(4)})"><span>今天 ${md(now)}</span></div>` : ""}
  </div>`;
}

// toLocaleDateString costs tens of microseconds, and a national plan's chart draws the same few hundred dates on every page.
const monthDays = new Map<string, string>();

function monthDay(t: number, zone: string): string {
  const key = `${zone}|${t}`;
  let s = monthDays.get(key);
  if (s === undefined) {
    s = new Date(t).toLocaleDateString("zh-CN", { timeZone: zone, month: "numeric", day: "numeric" });
    if (monthDays.size > 10_000) monthDays.clear();
    monthDays.set(key, s);
  }
  return s;
}

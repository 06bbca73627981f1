import { DateTime } from "luxon";
import { formatInstant, WEEKDAY_ZH } from "../engine/calendar.ts";
import type { ResolvedPlan } from "../plan/types.ts";
import { assignmentsById, instanceOf } from "../plan/ids.ts";
import type { Timeline, TimelineEntry } from "../simulate/simulate.ts";
import { recipientName, unitList } from "./plan-text.ts";
import { eventZh, levelZh } from "../text/labels.ts";

/** A timeline line's kind: the log's event it stands for reads as `duban history` names it. */
function label(kind: TimelineEntry["kind"], level = 0): string {
  switch (kind) {
    case "reminder":
      return levelZh(0);
    case "escalation":
      return levelZh(level);
    case "refused":
      return "拒绝";
    case "message":
      return "发送";
    default:
      return eventZh(kind);
  }
}

/**
 * An assignment's title for a timeline line; an instance of a recurring deliverable carries its own
 * date (and where the rest-day rule moved it), so "旬报" on 07-19 says which 旬报 it is.
 */
function titleOf(plan: ResolvedPlan, id: string): string {
  const a = assignmentsById(plan).get(id);
  if (!a) return "";
  const at = id.indexOf("@");
  if (a.kind !== "deliverable" || at < 0 || a.dueAt === null) return a.title;
  const written = id.slice(at + 1, at + 11);
  const due = formatInstant(a.dueAt, plan.campaign.timezone).slice(0, 10);
  return `${a.title}（${written}${due === written ? "" : `，${due > written ? "顺延" : "提前"}至 ${due.slice(5)}`}）`;
}

/** A group of digests that went out at one time: how many, of which ladder level, to whom. */
function messageLine(plan: ResolvedPlan, g: TimelineEntry[]): string {
  const e = g[0]!;
  const what = (e.level ?? 0) > 0 ? `${levelZh(e.level!)}通知` : levelZh(0);
  const items = g.reduce((n, x) => n + (x.items ?? 0), 0);
  const ids = [...new Set(g.map((x) => x.recipient!).filter(Boolean))];
  // The office is named as the office (recipientName), everyone else as the unit list groups them.
  const office = plan.leadingGroup.office.unit;
  const to = [...(ids.includes(office) ? [recipientName(plan, office)] : []), unitList(plan, ids.filter((id) => id !== office))].filter(Boolean).join("、");
  return `  ${e.at.slice(11, 16)} 发送  ${what} ${g.length} 封（共 ${items} 项）：${to}`;
}

/**
 * A compact day-by-day timeline: one header per day with counts, then one line per group of alike
 * entries (same kind, level, deliverable, time and recipients), so 38 districts read as one line.
 */
export function timelineText(plan: ResolvedPlan, t: Timeline): string {
  const zone = plan.campaign.timezone;
  const phaseName = new Map(plan.phases.map((p) => [p.id, p.name]));
  const days = new Map<string, TimelineEntry[]>();
  for (const e of t.entries) {
    const d = e.at.slice(0, 10);
    (days.get(d) ?? days.set(d, []).get(d)!).push(e);
  }
  const out = [`${plan.campaign.title}：模拟 ${t.from.slice(0, 10)} 至 ${t.to.slice(0, 10)}`];
  const totals = new Map<string, number>();
  for (const [day, entries] of days) {
    const dt = DateTime.fromISO(day, { zone });
    const counts = new Map<string, number>();
    for (const e of entries) {
      if (e.kind === "phase" || e.kind === "phaseEnded" || e.kind === "closed") continue;
      const l = label(e.kind, e.level);
      counts.set(l, (counts.get(l) ?? 0) + 1);
      totals.set(l, (totals.get(l) ?? 0) + 1);
    }
    out.push("", `${day} ${WEEKDAY_ZH[dt.weekday]}  ${[...counts].map(([k, n]) => `${k} ${n}`).join(" · ")}`.trimEnd());
    const groups = new Map<string, TimelineEntry[]>();
    for (const e of entries) {
      const deliverable = e.assignment ? instanceOf(e.assignment) : "";
      const who = e.kind === "escalation" ? (e.recipients ?? []).join(",") : "";
      const key = [e.at.slice(11, 16), e.kind, e.phase ?? "", e.level ?? 0, deliverable, who, e.code ?? ""].join("|");
      (groups.get(key) ?? groups.set(key, []).get(key)!).push(e);
    }
    for (const g of groups.values()) {
      const e = g[0]!;
      const time = e.at.slice(11, 16);
      if (e.kind === "phase") out.push(`  ${time} ▶ 进入${phaseName.get(e.phase!) ?? e.phase}`);
      else if (e.kind === "phaseEnded") {
        // Said only where it is news: when the next phase starts (or the campaign closes) at that instant, that line says it.
        if (!entries.some((x) => x.at === e.at && (x.kind === "phase" || x.kind === "closed"))) out.push(`  ${time} ■ ${phaseName.get(e.phase!) ?? e.phase}结束`);
      }
      else if (e.kind === "closed") out.push(`  ${time} ■ 专项行动结束`);
      else if (e.kind === "message") out.push(messageLine(plan, g));
      else {
        const title = titleOf(plan, e.assignment ?? "");
        const units = unitList(plan, [...new Set(g.map((x) => x.unit!).filter(Boolean))]);
        let line = `  ${time} ${label(e.kind, e.level)}  ${title}：${units}`;
        if (e.recipients && e.kind === "escalation") line += ` → 告知 ${e.recipients.map((r) => recipientName(plan, r)).join("、")}`;
        if (e.kind === "submitted" && g.some((x) => x.late)) line += `（其中逾期报送 ${g.filter((x) => x.late).length}）`;
        if (e.kind === "extended") line += ` 至 ${e.until?.slice(0, 16).replace("T", " ")}`;
        if (e.kind === "refused") line += `：${e.message}`;
        out.push(line);
      }
    }
  }
  out.push("", `合计：${[...totals].map(([k, n]) => `${k} ${n}`).join(" · ") || "无"}`);
  return out.join("\n");
}

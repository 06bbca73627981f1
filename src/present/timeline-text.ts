import { DateTime } from "luxon";
import { formatInstant, WEEKDAY_ZH } from "../engine/calendar.ts";
import type { ResolvedPlan } from "../plan/types.ts";
import { assignmentsById, instanceOf } from "../plan/ids.ts";
import type { Timeline, TimelineEntry } from "../simulate/simulate.ts";
import { recipientName, unitList, unitName } from "./plan-text.ts";
import { eventZh, levelZh, REMINDER_REASON_ZH } from "../text/labels.ts";

/**
 * The word of a timeline line: the log's event it stands for, as `duban history` names it; for a
 * 一事一报 which report, for a 签收 reminder what it is about.
 */
function entryLabel(e: TimelineEntry): string {
  if (e.kind === "submitted" && e.report) return e.report === "first" ? "首报" : e.report === "final" ? "终报" : "续报";
  if ((e.kind === "reminder" || e.kind === "escalation") && e.reason) return REMINDER_REASON_ZH[e.reason];
  return label(e.kind, e.level);
}

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

/**
 * An item opened at run time, as a line names it: its kind, its number and its title; several of one
 * kind at one instant (an import) as a count, so 30 rows read as one line.
 */
function openedTitle(plan: ResolvedPlan, g: TimelineEntry[]): string {
  const e = g[0]!;
  const kind = plan.kinds.get(e.itemKind!)?.title ?? e.itemKind!;
  const ids = [...new Set(g.map((x) => x.assignment).filter((x): x is string => x !== undefined))];
  if (ids.length <= 1) return `${kind}${ids[0] ? ` ${ids[0]}` : ""}“${e.title}”`;
  return `${kind} ${ids.length} 项（${ids[0]} 至 ${ids.at(-1)}）`;
}

/** Items opened at run time share a line only when there are many (an import); a few get a line each. */
function splitFew(g: TimelineEntry[]): TimelineEntry[][] {
  if (!g[0]!.itemKind) return [g];
  const byItem = new Map<string, TimelineEntry[]>();
  for (const e of g) (byItem.get(e.assignment ?? "") ?? byItem.set(e.assignment ?? "", []).get(e.assignment ?? "")!).push(e);
  return byItem.size > FEW ? [g] : [...byItem.values()];
}
const FEW = 3;

/** What an opening line adds: who opened it (when not the unit itself), the urgency, the deadline. */
function openingNote(plan: ResolvedPlan, g: TimelineEntry[]): string {
  const e = g[0]!;
  const kind = plan.kinds.get(e.itemKind!);
  const self = g.every((x) => x.actor === x.unit);
  const dues = [...new Set(g.map((x) => x.due?.slice(5, 16).replace("T", " ")).filter(Boolean))].sort();
  const parts = [
    self ? "自行报告" : `${recipientName(plan, e.actor!)}交办`,
    ...(kind && kind.levels.length > 1 ? [e.urgency!] : []),
    ...(dues.length ? [`${kind?.followUp ? "首报" : ""}截止 ${dues.length > 1 ? `${dues[0]} 至 ${dues.at(-1)}` : dues[0]}`] : []),
  ];
  return `（${parts.join("，")}）`;
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
      const l = entryLabel(e);
      counts.set(l, (counts.get(l) ?? 0) + 1);
      totals.set(l, (totals.get(l) ?? 0) + 1);
    }
    out.push("", `${day} ${WEEKDAY_ZH[dt.weekday]}  ${[...counts].map(([k, n]) => `${k} ${n}`).join(" · ")}`.trimEnd());
    const groups = new Map<string, TimelineEntry[]>();
    for (const e of entries) {
      // Items opened at run time group by their kind (and, for openings, their opener), not one line each.
      const deliverable = e.itemKind ? `${e.itemKind}|${e.kind === "itemOpened" ? e.actor : ""}|${e.kind === "refused" ? (e.assignment ?? e.title) : ""}` : e.assignment ? instanceOf(e.assignment) : "";
      const who = e.kind === "escalation" ? (e.recipients ?? []).join(",") : "";
      const key = [e.at.slice(11, 16), entryLabel(e), e.phase ?? "", e.level ?? 0, deliverable, who, e.code ?? ""].join("|");
      (groups.get(key) ?? groups.set(key, []).get(key)!).push(e);
    }
    for (const g of [...groups.values()].flatMap(splitFew)) {
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
        const title = e.itemKind ? openedTitle(plan, g) : (titleOf(plan, e.assignment ?? "") || (e.assignment ? `“${e.assignment}”` : ""));
        const owing = [...new Set(g.flatMap((x) => x.members ?? (x.unit ? [x.unit] : [])))];
        // A joint item names its lead member, who hands it in.
        const lead = g.length === 1 && e.members ? (id: string) => (id === e.unit ? "（牵头）" : "") : undefined;
        const units = e.kind === "refused" && !e.unit ? unitName(plan, e.actor ?? "") : unitList(plan, owing, lead);
        let line = `  ${time} ${entryLabel(e)}  ${title}：${units}`;
        if (e.kind === "itemOpened") line += openingNote(plan, g);
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

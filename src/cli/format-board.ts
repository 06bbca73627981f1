import { DateTime } from "luxon";
import type { BoardRow } from "../campaign/board.ts";
import { WEEKDAY_ZH } from "../engine/calendar.ts";
import type { ResolvedPlan } from "../plan/types.ts";
import { levelZh, LIGHT_ZH, STATE_ZH } from "../text/labels.ts";
import { unitName } from "../present/plan-text.ts";
import { assumedZh, NO_DEADLINE_ZH } from "../present/due-note.ts";
import { parseInstant } from "../engine/calendar.ts";
import { rollupZh, servesZh } from "../present/subplan-text.ts";
import type { SubPlan } from "../campaign/subplans.ts";
import { byUrgency, redReason, lightOf, type Light, type LightColour, type LitRow } from "../publish/light.ts";


/** ANSI colours only for a terminal; piped output stays plain. */
function paint(tty: boolean) {
  const c = (code: number) => (s: string) => (tty ? `\u001b[${code}m${s}\u001b[0m` : s);
  return { red: c(31), green: c(32), yellow: c(33), grey: c(90), bold: c(1) };
}

function pad(s: string, width: number): string {
  // CJK characters take two columns in a terminal.
  let w = 0;
  for (const ch of s) w += /[\u1100-\uFFFF]/.test(ch) ? 2 : 1;
  return s + " ".repeat(Math.max(0, width - w));
}

/** A row's light: the one it carries (with the office's marks), else computed from the row alone. */
function lightOfRow(r: BoardRow & { light?: Light }, zone: string, asOf: string): Light {
  return r.light ?? lightOf({ ...r, dueAt: r.due === null ? null : parseInstant(r.due, zone) }, undefined, parseInstant(asOf, zone));
}

function colourOf(p: ReturnType<typeof paint>, c: LightColour): (s: string) => string {
  return c === "red" ? p.red : c === "yellow" ? p.yellow : c === "green" ? p.green : p.grey;
}

/**
 * The board, one line per unit and item, coloured by its light on a terminal. The light's own words say
 * how a closed item closed (按时办结, 逾期N个工作日办结): never the band it was in when handed in.
 */
export function boardText(plan: ResolvedPlan, rows: (BoardRow & { light?: Light })[], tty: boolean, asOf: string, subPlans: readonly SubPlan[] = []): string {
  const p = paint(tty);
  const zone = plan.campaign.timezone;
  const out = [p.bold(`${plan.campaign.title}  督办看板  ${asOf.slice(0, 16).replace("T", " ")}`)];
  const byTitle = new Map<string, BoardRow[]>();
  for (const r of rows) {
    // A planned deliverable groups its units; an item opened at run time is a group of its own.
    const key = r.kind ? r.id : `${r.title}|${r.due}`;
    (byTitle.get(key) ?? byTitle.set(key, []).get(key)!).push(r);
  }
  for (const group of byTitle.values()) {
    const first = group[0]!;
    const done = group.filter((r) => r.state === "accepted" || r.state === "submitted" || r.state === "waived").length;
    let due = NO_DEADLINE_ZH;
    if (first.due !== null) {
      const dt = DateTime.fromISO(first.due, { zone });
      due = `截止 ${dt.toFormat("yyyy-MM-dd")} ${WEEKDAY_ZH[dt.weekday]} ${dt.toFormat("HH:mm")}${assumedZh(first.dueAssumed)}`;
    }
    const kind = first.kind ? plan.kinds.get(first.kind) : undefined;
    const opened = first.kind ? `【${kind?.title ?? first.kind}】${first.id}  ` : "";
    const urgency = first.kind && kind && kind.levels.length > 1 ? `  ${first.urgency}` : "";
    const by = first.openedBy ? `  交办：${unitName(plan, first.openedBy)}` : "";
    out.push("", p.bold(`${opened}${first.title}  ${due}${urgency}${by}  已报送 ${done}/${group.length}`));
    for (const r of group) {
      const state = r.state === "open" && r.acknowledgedAt === null ? "待签收" : STATE_ZH[r.state];
      const who = r.members ? `${r.members.map((u) => unitName(plan, u)).join("、")}（${unitName(plan, r.unit)}牵头）` : unitName(plan, r.unit);
      const light = lightOfRow(r, zone, asOf);
      const level = r.level > 0 ? levelZh(r.level) : "";
      const marked = light.mark && !light.label.includes(light.mark.reason) ? `（办公室标${light.mark.light === "red" ? "红" : "黄"}：${light.mark.reason}）` : "";
      out.push(colourOf(p, light.colour)(`  ${pad(who, 34)} ${pad(state, 14)} ${pad(`【${LIGHT_ZH[light.colour]}】`, 10)} ${pad(light.label, 28)} ${level}${marked}`.trimEnd()));
      for (const s of r.subPlans ?? []) out.push(`    └ 下级专项行动“${s.title}”（${s.campaign}）：${rollupZh(s, zone)}`);
    }
  }
  if (subPlans.length) {
    out.push("", p.bold(`下级专项行动（${subPlans.length} 项）`));
    for (const s of subPlans) out.push(`  ${s.campaign}  ${s.title}  （${servesZh(s, (u) => unitName(plan, u))}）  ${rollupZh(s, zone)}`);
  }
  return out.join("\n");
}

/** The 红灯清单 for the leader: every red item, highest ladder level first, then most working days late. */
export function redListText(plan: ResolvedPlan, rows: LitRow[], tty: boolean, asOf: string): string {
  const p = paint(tty);
  const red = rows.filter((r) => r.light.colour === "red").sort(byUrgency);
  const out = [p.bold(`${plan.campaign.title}  红灯清单  ${asOf.slice(0, 16).replace("T", " ")}  共 ${red.length} 项`)];
  if (red.length === 0) out.push("", "没有红灯事项。");
  red.forEach((r, i) => {
    const level = r.level > 0 ? levelZh(r.level) : "未升级督办";
    const late = r.light.daysLate > 0 ? `逾期${r.light.daysLate}个工作日` : "未逾期";
    const reason = redReason(r.light);
    out.push(p.red(`${String(i + 1).padStart(3)}. ${pad(unitName(plan, r.unit), 30)} ${pad(r.title, 30)} ${pad(level, 12)} ${pad(late, 16)} ${reason}`.trimEnd()));
  });
  return out.join("\n");
}

import { DateTime } from "luxon";
import type { BoardRow } from "../campaign/board.ts";
import { WEEKDAY_ZH } from "../engine/calendar.ts";
import type { ResolvedPlan } from "../plan/types.ts";
import { STATE_ZH } from "../engine/authorize.ts";
import { unitName } from "../present/plan-text.ts";
import { assumedZh, NO_DEADLINE_ZH } from "../present/due-note.ts";

const LATENESS_ZH = { onTrack: "正常", dueSoon: "临期", overdue: "逾期", escalated: "已督办" } as const;

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

export function boardText(plan: ResolvedPlan, rows: BoardRow[], tty: boolean, asOf: string): string {
  const p = paint(tty);
  const zone = plan.campaign.timezone;
  const out = [p.bold(`${plan.campaign.title}  督办看板  ${asOf.slice(0, 16).replace("T", " ")}`)];
  const byTitle = new Map<string, BoardRow[]>();
  for (const r of rows) {
    const key = `${r.title}|${r.due}`;
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
    out.push("", p.bold(`${first.title}  ${due}  已报送 ${done}/${group.length}`));
    for (const r of group) {
      const state = STATE_ZH[r.state];
      const late = r.daysLate > 0 ? `逾期${r.daysLate}个工作日` : "";
      const level = r.level > 0 ? `督办第${r.level}级` : "";
      const colour = r.state === "accepted" ? p.green : r.late && (r.state === "open" || r.state === "returned") ? p.red : r.lateness === "dueSoon" ? p.yellow : (s: string) => s;
      out.push(colour(`  ${pad(unitName(plan, r.unit), 34)} ${pad(state, 14)} ${pad(LATENESS_ZH[r.lateness], 8)} ${pad(late, 16)} ${level}`.trimEnd()));
    }
  }
  return out.join("\n");
}

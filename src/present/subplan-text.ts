import { formatLocal, parseInstant } from "../engine/calendar.ts";
import type { ChildRollup } from "../campaign/rollup.ts";

/**
 * A sub-plan's progress in one line, as the parent's board (command line and web) and item page show it:
 * items done of those to hand in, handed in and waiting, overdue, and when someone last did something.
 */
export function rollupZh(r: ChildRollup, zone: string): string {
  const last = r.lastActivity ? `最近办理 ${formatLocal(parseInstant(r.lastActivity, zone), zone)}` : "尚无人办理";
  const waiting = r.handedIn ? `，待审核 ${r.handedIn}` : "";
  return `已完成 ${r.done}/${r.total}${waiting}，逾期 ${r.overdue}，${last}${r.complete ? "（已全部完成）" : ""}`;
}

/** What a sub-plan serves in its parent, in words: the item, or the unit. */
export function servesZh(s: { item?: string; unit?: string }, unitName: (u: string) => string): string {
  return s.item !== undefined ? `事项 ${s.item}` : s.unit !== undefined ? `单位 ${unitName(s.unit)}` : "";
}

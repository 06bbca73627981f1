import { formatLocal, type EpochMs } from "../engine/calendar.ts";

/** How an item without a deadline is shown where a due date would be. */
export const NO_DEADLINE_ZH = "不设截止时间";

/** The mark every view puts beside a due date the plan only assumes: the reader must not take it as the document's. */
export function assumedZh(reason: string | undefined): string {
  return reason === undefined ? "" : `（日期为假定：${reason}）`;
}

/** A due instant for people, with its assumption mark; an item without a deadline says so. */
export function dueLocalZh(dueAt: EpochMs | null, zone: string, assumed?: string): string {
  return dueAt === null ? NO_DEADLINE_ZH : `${formatLocal(dueAt, zone)}${assumedZh(assumed)}`;
}

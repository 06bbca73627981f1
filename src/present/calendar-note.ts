import type { IsoDate, WorkCalendar } from "../engine/calendar.ts";

/**
 * What to say when the campaign's clock has reached a year its holiday data does not cover (the
 * `chinese-days` package ends with the last year the State Council has published): working days are then
 * counted as Monday to Friday, so deadlines and ladders can land on holidays. The plan's own
 * `calendar.holidays` and `calendar.workdays` fix it. Undefined when the year is covered.
 */
export function missingHolidayDataZh(calendar: WorkCalendar, date: IsoDate): string | undefined {
  if (calendar.hasDataFor(date)) return undefined;
  const year = date.slice(0, 4);
  return `注意：节假日数据不含 ${year} 年，${year} 年的工作日暂按周一至周五计算，法定节假日和调休上班日都未计入；请在计划的 calendar.holidays（节假日）和 calendar.workdays（调休上班日）中列出 ${year} 年的安排，再运行 duban plan apply <计划文件>`;
}

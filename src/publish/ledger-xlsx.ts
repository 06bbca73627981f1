import type { Writable } from "node:stream";
import type ExcelJS from "exceljs";
import { DateTime } from "luxon";
import { formatLocal, type EpochMs } from "../engine/calendar.ts";
import { unitName } from "../present/plan-text.ts";
import type { ItemRecord, PublishedState } from "./items.ts";
import { statistics, groupingLabel, type Grouping } from "./stats.ts";
import { STATS_COLUMNS } from "./stats-text.ts";
import type { LightColour } from "./light.ts";
import { LIGHT_ZH, OUTCOME_ZH, STATE_ZH } from "../text/labels.ts";

/** The fill (ARGB) of an item's 办结情况 and 三色灯 cells: its light, Excel's own good/neutral/bad fills. */
export const LIGHT_FILL: Record<LightColour, string> = { green: "FFC6EFCE", yellow: "FFFFEB9C", red: "FFFFC7CE", none: "FFE7E6E6" };

const DATE_FORMAT = "yyyy-mm-dd hh:mm";

/**
 * An instant as the naive date exceljs writes: Excel has no time zones, so a cell holds the wall-clock
 * time of the plan's zone. exceljs turns a Date into a serial from its UTC fields, so the Date carries
 * the local wall-clock time in its UTC fields (2021-06-15 18:00 in Shanghai → Date.UTC(2021, 5, 15, 18)).
 */
export function excelDate(ms: EpochMs, zone: string): Date {
  const d = DateTime.fromMillis(ms, { zone });
  return new Date(Date.UTC(d.year, d.month - 1, d.day, d.hour, d.minute, d.second));
}

interface ItemColumn {
  header: string;
  width: number;
  value(item: ItemRecord, state: PublishedState): string | number | Date | null;
  date?: boolean;
}

const ITEM_COLUMNS: ItemColumn[] = [
  { header: "事项编号", width: 28, value: (i) => i.assignment.id },
  { header: "责任单位", width: 22, value: (i, s) => unitName(s.plan, i.assignment.unit) },
  { header: "事项", width: 30, value: (i) => i.assignment.title },
  { header: "截止时间", width: 18, date: true, value: (i, s) => (i.dueAt === null ? null : excelDate(i.dueAt, s.plan.campaign.timezone)) },
  { header: "办理状态", width: 14, value: (i) => STATE_ZH[i.row.state] },
  { header: "办结情况", width: 12, value: (i) => OUTCOME_ZH[i.outcome] },
  { header: "逾期工作日", width: 12, value: (i) => i.daysLate },
  { header: "报送时间", width: 18, date: true, value: (i, s) => (i.submittedAt !== null ? excelDate(i.submittedAt, s.plan.campaign.timezone) : null) },
  { header: "退回次数", width: 10, value: (i) => i.returns },
  { header: "延期次数", width: 10, value: (i) => i.extensions },
  { header: "督办级别", width: 10, value: (i) => i.row.level },
  { header: "三色灯", width: 30, value: (i) => `${LIGHT_ZH[i.light.colour]}：${i.light.label}` },
];

/** Excel's rules for a sheet name: at most 31 characters, none of []:*?/\, unique in the workbook. */
function sheetName(title: string, taken: Set<string>): string {
  const base = title.replace(/[[\]:*?/\\]/g, "_").slice(0, 31) || "事项";
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base.slice(0, 31 - String(n).length - 1)}_${n}`;
  taken.add(name);
  return name;
}

/** One sheet per deliverable (a recurring one's instances on one sheet), then one for the tasks' own items. */
function sheetsOf(state: PublishedState): { title: string; items: ItemRecord[] }[] {
  const byKey = new Map<string, { title: string; items: ItemRecord[] }>();
  for (const d of state.plan.deliverables) byKey.set(d.id, { title: d.title, items: [] });
  const tasks = { title: "任务", items: [] as ItemRecord[] };
  for (const item of state.items) {
    const d = item.assignment.deliverable;
    const sheet = d !== undefined ? byKey.get(d) : undefined;
    (sheet ?? tasks).items.push(item);
  }
  return [...byKey.values(), tasks].filter((s) => s.items.length > 0);
}

const HEADER_FILL: ExcelJS.Fill = { type: "pattern", pattern: "solid", fgColor: { argb: "FFDDEBF7" } };

function header(ws: ExcelJS.Worksheet, headers: string[]): void {
  const row = ws.addRow(headers);
  row.font = { bold: true };
  row.eachCell((cell) => (cell.fill = HEADER_FILL));
  row.commit();
}

/**
 * Writes the 台账 as of the state's instant to `out`: a summary sheet with the statistics by unit and by
 * deliverable, then one sheet per deliverable, every header row frozen. The streaming writer keeps memory
 * flat on a large campaign: each row is committed as it is written.
 */
export async function writeLedger(state: PublishedState, out: Writable): Promise<void> {
  const { default: Excel } = await import("exceljs");
  const zone = state.plan.campaign.timezone;
  const wb = new Excel.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: true });
  wb.creator = "duban";
  wb.title = `${state.plan.campaign.title} 台账`;
  // The workbook's own creation date says when the ledger stands, not when the file was written.
  wb.created = excelDate(state.asOf, zone);
  const taken = new Set<string>();

  const summary = wb.addWorksheet(sheetName("统计汇总", taken), { views: [{ state: "frozen", ySplit: 1 }] });
  summary.columns = [{ width: 26 }, ...STATS_COLUMNS.map((c) => ({ width: Math.max(10, c.header.length * 2 + 2) }))];
  for (const [i, by] of (["unit", "deliverable"] as Grouping[]).entries()) {
    const s = statistics(state, by);
    if (i > 0) summary.addRow([]).commit();
    header(summary, [groupingLabel(by), ...STATS_COLUMNS.map((c) => c.header)]);
    for (const line of [...s.lines, s.total]) {
      const row = summary.addRow([line.name, ...STATS_COLUMNS.map((c) => line[c.key])]);
      STATS_COLUMNS.forEach((c, j) => {
        if (c.key === "onTimeRate" || c.key === "overdueRate") row.getCell(j + 2).numFmt = "0.0%";
      });
      if (line === s.total) row.font = { bold: true };
      row.commit();
    }
  }
  summary.addRow([]).commit();
  summary.addRow([`截至 ${formatLocal(state.asOf, zone)}（${zone}），由督办系统根据日志生成；按时完成率 = 按时办结 ÷ 已到期，逾期率 = （逾期办结 + 当前逾期）÷ 已到期`]).commit();
  summary.commit();

  for (const sheet of sheetsOf(state)) {
    const ws = wb.addWorksheet(sheetName(sheet.title, taken), { views: [{ state: "frozen", ySplit: 1 }] });
    ws.columns = ITEM_COLUMNS.map((c) => ({ width: c.width, ...(c.date ? { style: { numFmt: DATE_FORMAT } } : {}) }));
    header(ws, ITEM_COLUMNS.map((c) => c.header));
    ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: ITEM_COLUMNS.length } };
    const outcomeCol = ITEM_COLUMNS.findIndex((c) => c.header === "办结情况") + 1;
    const lightCol = ITEM_COLUMNS.findIndex((c) => c.header === "三色灯") + 1;
    for (const item of sheet.items) {
      const row = ws.addRow(ITEM_COLUMNS.map((c) => c.value(item, state)));
      ITEM_COLUMNS.forEach((c, j) => {
        if (c.date) row.getCell(j + 1).numFmt = DATE_FORMAT;
      });
      const fill = { type: "pattern", pattern: "solid", fgColor: { argb: LIGHT_FILL[item.light.colour] } } as const;
      row.getCell(outcomeCol).fill = fill;
      row.getCell(lightCol).fill = fill;
      row.commit();
    }
    ws.commit();
  }
  await wb.commit();
}

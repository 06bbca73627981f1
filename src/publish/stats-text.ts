import { groupingLabel, type Statistics, type StatsLine } from "./stats.ts";

/** The columns of a statistics table, in order, with their Chinese headers (table, CSV and the 台账's summary sheet). */
export const STATS_COLUMNS: readonly { key: keyof StatsLine; header: string }[] = [
  { key: "assigned", header: "应办数" },
  { key: "onTime", header: "按时办结" },
  { key: "late", header: "逾期办结" },
  { key: "lateDaysMean", header: "平均逾期工作日" },
  { key: "lateDaysMax", header: "最长逾期工作日" },
  { key: "overdue", header: "当前逾期" },
  { key: "waived", header: "免报" },
  { key: "pending", header: "未到期" },
  { key: "returned", header: "退回次数" },
  { key: "extended", header: "延期事项" },
  { key: "due", header: "已到期" },
  { key: "onTimeRate", header: "按时完成率" },
  { key: "overdueRate", header: "逾期率" },
];

/** The 考评 columns, shown when the lines carry scores (by-unit statistics of a plan with `scoring:`). */
export const SCORE_COLUMNS: readonly { key: keyof StatsLine; header: string }[] = [
  { key: "score", header: "得分" },
  { key: "rank", header: "排名" },
];

/** The columns of these statistics: the counts, then the 考评 columns when the lines carry scores. */
export function statsColumns(s: Statistics): readonly { key: keyof StatsLine; header: string }[] {
  return s.lines.some((l) => l.score !== undefined) ? [...STATS_COLUMNS, ...SCORE_COLUMNS] : STATS_COLUMNS;
}

const RATES: ReadonlySet<keyof StatsLine> = new Set(["onTimeRate", "overdueRate"]);

/** A cell as people read it: rates as percentages, nothing to say as "—". */
export function cellText(line: StatsLine, key: keyof StatsLine): string {
  const v = line[key];
  if (v === null || v === undefined) return "—";
  if (RATES.has(key)) return `${(Number(v) * 100).toFixed(1)}%`;
  return String(v);
}

export function width(s: string): number {
  let w = 0;
  // CJK characters take two columns in a terminal.
  for (const ch of s) w += /[\u1100-\uFFFF]/.test(ch) ? 2 : 1;
  return w;
}

export function statsTable(s: Statistics): string {
  const columns = statsColumns(s);
  const header = [groupingLabel(s.by), ...columns.map((c) => c.header)];
  const body = [...s.lines, s.total].map((l) => [l.name, ...columns.map((c) => cellText(l, c.key))]);
  const widths = header.map((h, i) => Math.max(width(h), ...body.map((r) => width(r[i]!))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? c + " ".repeat(widths[i]! - width(c)) : " ".repeat(widths[i]! - width(c)) + c))
      .join("  ")
      .trimEnd();
  return [`${s.title}  统计  截至 ${s.asOf.slice(0, 16).replace("T", " ")}`, "", line(header), ...body.map(line)].join("\n");
}

export function statsCsv(s: Statistics): string {
  const esc = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const raw = (l: StatsLine, k: keyof StatsLine) => (l[k] === null || l[k] === undefined ? "" : String(l[k]));
  const columns = statsColumns(s);
  const rows = [[`${s.by}_id`, groupingLabel(s.by), ...columns.map((c) => c.header)].map(esc).join(",")];
  for (const l of [...s.lines, s.total]) rows.push([l.key, l.name, ...columns.map((c) => raw(l, c.key))].map(esc).join(","));
  return rows.join("\n");
}

import type { ScoreLine, Scores } from "./score.ts";
import { cellText, width } from "./stats-text.ts";

/** The columns of the 考评 table after 排名 and 单位 (table, CSV and the 通报's score table). */
export const SCORE_COLUMNS: readonly { key: keyof ScoreLine; header: string }[] = [
  { key: "assigned", header: "应办数" },
  { key: "onTime", header: "按时办结" },
  { key: "late", header: "逾期办结" },
  { key: "overdue", header: "当前逾期" },
  { key: "waived", header: "免报" },
  { key: "returned", header: "退回次数" },
  { key: "onTimeRate", header: "按时完成率" },
  { key: "score", header: "得分" },
];

/** A score as people read it: at most two decimals, no trailing zeros (2, 1.5, -0.25). */
export function pointsText(x: number): string {
  return String(Math.round(x * 100) / 100);
}

export function scoreCell(l: ScoreLine, key: keyof ScoreLine): string {
  if (key === "score") return pointsText(l.score) + (l.bounded ? "*" : "");
  return cellText(l, key as Parameters<typeof cellText>[1]);
}

export function scoreTable(s: Scores): string {
  const header = ["排名", "单位", ...SCORE_COLUMNS.map((c) => c.header)];
  const body = s.lines.map((l) => [String(l.rank), l.name, ...SCORE_COLUMNS.map((c) => scoreCell(l, c.key))]);
  const widths = header.map((h, i) => Math.max(width(h), ...body.map((r) => width(r[i]!))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 1 ? c + " ".repeat(widths[i]! - width(c)) : " ".repeat(widths[i]! - width(c)) + c))
      .join("  ")
      .trimEnd();
  const notes = s.lines.some((l) => l.bounded) ? ["", `* 单位得分已按考评规则的上下限计（${boundsText(s.rules.unitMin, s.rules.unitMax)}）`] : [];
  return [`${s.title}  考评  截至 ${s.asOf.slice(0, 16).replace("T", " ")}  （计划版本 ${s.planVersion}）`, "", line(header), ...body.map(line), ...notes].join("\n");
}

function boundsText(min: number | null, max: number | null): string {
  return [min !== null ? `最低 ${pointsText(min)} 分` : "", max !== null ? `最高 ${pointsText(max)} 分` : ""].filter(Boolean).join("，");
}

export function scoreCsv(s: Scores): string {
  const esc = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const raw = (l: ScoreLine, k: keyof ScoreLine) => (l[k] === null ? "" : String(l[k]));
  const rows = [["rank", "unit_id", "单位", ...SCORE_COLUMNS.map((c) => c.header), "单项合计"].map(esc).join(",")];
  for (const l of s.lines) rows.push([String(l.rank), l.key, l.name, ...SCORE_COLUMNS.map((c) => raw(l, c.key)), String(l.itemPoints)].map(esc).join(","));
  return rows.join("\n");
}

import type { IsoDate } from "../engine/calendar.ts";

/** Dates as notices write them: 5月20日, 2021年5月, 5月-10月, 5月21日－9月, 10月底. */

const pad = (n: number) => String(n).padStart(2, "0");
export const iso = (y: number, m: number, d: number): IsoDate => `${y}-${pad(m)}-${pad(d)}`;
export const lastDay = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();

const CN_DIGITS: Record<string, number> = { 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9, 十: 10 };

/** 一 → 1, 十二 → 12, 二十 → 20. */
export function cnNumber(s: string): number | undefined {
  if (/^\d+$/.test(s)) return Number(s);
  if (!/^[一二三四五六七八九十]+$/.test(s)) return undefined;
  if (s === "十") return 10;
  const i = s.indexOf("十");
  if (i < 0) return CN_DIGITS[s];
  const tens = i === 0 ? 1 : CN_DIGITS[s.slice(0, i)]!;
  const ones = i === s.length - 1 ? 0 : CN_DIGITS[s.slice(i + 1)]!;
  return tens * 10 + ones;
}

const DASH = "[－\\-—–~～至到]+";
const POINT = "(?:(\\d{4})年)?(\\d{1,2})月(?:(\\d{1,2})日|(底|末|上旬|中旬|下旬))?";
const RANGE = new RegExp(`${POINT}(?:\\s*${DASH}\\s*${POINT})?\\s*(前|之前|以前|起|开始)?`);

/**
 * How a month written without its year gets one: the campaign's start year, or the next for a month before
 * the start month (a campaign from 11月 to 1月 ends in January of the next year). A bare number is a year
 * with no known start month.
 */
export interface YearRule {
  year: number;
  startMonth?: number;
}
const ruleOf = (y: number | YearRule): YearRule => (typeof y === "number" ? { year: y } : y);
export const yearOf = (y: number | YearRule, month: number): number => {
  const r = ruleOf(y);
  return r.startMonth !== undefined && month < r.startMonth ? r.year + 1 : r.year;
};

export interface DateWindow {
  start?: IsoDate;
  end?: IsoDate;
}

function point(y: string | undefined, m: string, d: string | undefined, tail: string | undefined, year: number | YearRule, asEnd: boolean): IsoDate {
  const mm = Number(m);
  const yy = y ? Number(y) : yearOf(year, mm);
  if (d) return iso(yy, mm, Number(d));
  if (tail === "上旬") return iso(yy, mm, asEnd ? 10 : 1);
  if (tail === "中旬") return iso(yy, mm, asEnd ? 20 : 11);
  if (tail === "下旬") return iso(yy, mm, asEnd ? lastDay(yy, mm) : 21);
  return iso(yy, mm, asEnd || tail ? lastDay(yy, mm) : 1);
}

/**
 * A window from text such as 5月20日前 (end only), 5月21日－9月 (through the end of September), 10月 (the whole
 * month) or 6月1日起 (start only). Undefined when the text names no month.
 */
export function parseWindow(text: string, year: number | YearRule): DateWindow | undefined {
  // 11月至次年1月: the month order already says the end is in the next year.
  const m = RANGE.exec(text.replace(/次年|翌年|来年/g, ""));
  if (!m) return undefined;
  const [, y1, m1, d1, t1, y2, m2, d2, t2, mark] = m;
  if (m2) {
    const start = point(y1, m1!, d1, t1, year, false);
    const sy = Number(start.slice(0, 4));
    // The end follows the start: a month before the start's is in the next year.
    return { start, end: point(y2, m2, d2, t2, Number(m2) < Number(m1) ? sy + 1 : sy, true) };
  }
  if (mark === "前" || mark === "之前" || mark === "以前") return { end: point(y1, m1!, d1, t1, year, true) };
  if (mark === "起" || mark === "开始") return { start: point(y1, m1!, d1, t1, year, false) };
  if (d1) return { start: point(y1, m1!, d1, t1, year, false), end: point(y1, m1!, d1, t1, year, true) };
  return { start: point(y1, m1!, d1, t1, year, false), end: point(y1, m1!, d1, t1, year, true) };
}

/** Deadlines "X月X日前" in a sentence, one per date: 于6月15日、10月10日前 gives two. */
export function deadlines(text: string, year: number | YearRule): { date: IsoDate; text: string }[] {
  const re = /((?:\d{4}年)?\d{1,2}月\d{1,2}日(?:\s*[、和及]\s*(?:\d{4}年)?(?:\d{1,2}月)?\d{1,2}日)*)\s*(?:前|之前|以前)/g;
  const out: { date: IsoDate; text: string }[] = [];
  for (const m of text.matchAll(re)) {
    let y: number | undefined;
    let month = 0;
    for (const p of m[1]!.matchAll(/(?:(\d{4})年)?(?:(\d{1,2})月)?(\d{1,2})日/g)) {
      if (p[1]) y = Number(p[1]);
      if (p[2]) month = Number(p[2]);
      out.push({ date: iso(y ?? yearOf(year, month), month, Number(p[3])), text: m[0] });
    }
  }
  return out;
}

/**
 * The campaign's year. Notices often omit it ("5月20日前"); it is read, in this order, from the signature's
 * date, the document numbers of the year (〔2021〕), then the latest "2021年度"/"2021年" mentioned.
 */
export function inferYear(text: string, signatureYear?: number): { year: number; quote: string } | undefined {
  if (signatureYear) return { year: signatureYear, quote: `${signatureYear}年（落款日期）` };
  const nums = [...text.matchAll(/〔(\d{4})〕/g)].map((m) => Number(m[1]));
  if (nums.length) {
    const y = Math.max(...nums);
    return { year: y, quote: `〔${y}〕` };
  }
  const years = [...text.matchAll(/(20\d{2})\s*年/g)].map((m) => Number(m[1]));
  if (years.length) {
    const y = Math.max(...years);
    return { year: y, quote: `${y}年` };
  }
  return undefined;
}

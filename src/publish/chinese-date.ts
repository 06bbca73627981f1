import { DateTime } from "luxon";
import type { EpochMs } from "../engine/calendar.ts";
import { numberZh } from "../reminders/format.ts";

const DIGITS = "〇一二三四五六七八九";

/** 1 to 99 in Chinese numerals: 十六, 二十, 三十一 (a document's month, day and heading numbers). */
export function numeralZh(n: number): string {
  if (n < 20 || n >= 100) return numberZh(n);
  return `${numberZh(Math.floor(n / 10))}十${n % 10 ? numberZh(n % 10) : ""}`;
}

/** "二〇二一年六月十六日": the date of a document (成文日期) as the office writes it, in the plan's zone. */
export function documentDateZh(ms: EpochMs, zone: string): string {
  const dt = DateTime.fromMillis(ms, { zone });
  const year = [...String(dt.year)].map((d) => DIGITS[Number(d)]).join("");
  return `${year}年${numeralZh(dt.month)}月${numeralZh(dt.day)}日`;
}

/** "2021年6月16日": a date in running text. */
export function textDateZh(ms: EpochMs, zone: string): string {
  const dt = DateTime.fromMillis(ms, { zone });
  return `${dt.year}年${dt.month}月${dt.day}日`;
}

import type { IsoDate } from "../engine/calendar.ts";
import { addDays } from "../engine/calendar.ts";
import { cnNumber, lastDay, iso, parseWindow, yearOf, type YearRule } from "./dates.ts";
import type { DraftPhase, DraftTask, SourceRef } from "./model.ts";
import { sentences, type Outline, type Section } from "./outline.ts";

/** Campaign facts, phases and tasks: the parts of a notice that are laid out by headings and labels. */

export function firstSentenceWith(s: Section, re: RegExp): string | undefined {
  for (const p of [s.title, ...s.paras]) for (const x of sentences(p)) if (re.test(x)) return x;
  return undefined;
}

/** 此次专项整治时间为5月-10月 → the campaign's first and last day. */
export function campaignPeriod(o: Outline, year: number): { start: IsoDate; end: IsoDate; source: SourceRef } | undefined {
  const re = /(?:时间为|时间从|时间：|时间:|为期|自)\s*((?:\d{4}年)?\d{1,2}月(?:\d{1,2}日)?\s*[－\-—–~～至到]+\s*(?:\d{4}年|次年|翌年)?\d{1,2}月(?:\d{1,2}日|底)?)/;
  for (const s of o.sections) {
    const quote = firstSentenceWith(s, re);
    if (!quote) continue;
    const w = parseWindow(re.exec(quote)![1]!, year);
    if (w?.start && w.end) return { start: w.start, end: w.end, source: { section: s.number, quote } };
  }
  return undefined;
}

const PHASE_TITLE = /^(.{2,14}?阶段)\s*[（(]([^）)]*\d[^）)]*)[）)]/;

/**
 * Phases from headings such as （一）自查阶段（5月20日前）: a window that gives only its end starts the day
 * after the previous phase (or with the campaign); one that gives only its start ends the day before the next.
 */
export function recognisePhases(o: Outline, year: number | YearRule, campaign?: { start: IsoDate; end: IsoDate }): DraftPhase[] {
  const found: { name: string; start?: IsoDate; end?: IsoDate; section: Section }[] = [];
  // Without a campaign window the first phase's month starts the campaign (for the year of a later 1月).
  let rule: number | YearRule = campaign ? campaignYears(campaign) : year;
  for (const s of o.sections) {
    const m = PHASE_TITLE.exec(s.title);
    if (!m) continue;
    const w = parseWindow(m[2]!, rule);
    const first = w?.start ?? w?.end;
    if (first && typeof rule === "number") rule = { year: rule, startMonth: Number(first.slice(5, 7)) };
    if (!w) continue;
    found.push({ name: m[1]!, ...w, section: s });
  }
  const out: DraftPhase[] = [];
  found.forEach((f, i) => {
    const prev = out[i - 1];
    const next = found[i + 1];
    const start = f.start ?? (prev ? addDays(prev.end, 1) : campaign?.start);
    const end = f.end ?? (next?.start ? addDays(next.start, -1) : campaign?.end);
    if (!start || !end) return;
    const body = f.section.paras.join("");
    out.push({
      name: f.name,
      start,
      end,
      source: { section: f.section.number, quote: f.section.title },
      ...(body ? { description: body } : {}),
    });
  });
  return out;
}

/** Splits 法规处、劳动关系处；各区县（自治县）人力社保部门。 into names, keeping （自治县） inside a name. */
export function splitUnits(text: string): string[] {
  const out: string[] = [];
  let cur = "";
  let depth = 0;
  for (const ch of text) {
    if (ch === "（" || ch === "(") depth++;
    if (ch === "）" || ch === ")") {
      if (depth === 0) break; // the end of an inline （牵头部门：…）
      depth--;
    }
    if (depth === 0 && /[、，,；;。\n]/.test(ch)) {
      out.push(cur);
      cur = "";
      continue;
    }
    cur += ch;
  }
  out.push(cur);
  return out
    .map((s) => s.trim().replace(/^(和|及|以及)/, "").replace(/等$/, ""))
    .map((s) => s.replace(/等(部门|单位)$/, "$1"))
    .filter((s) => s.length >= 2);
}

const LEAD = /(?:牵头(?:部门|单位)|责任(?:部门|单位)|主责(?:部门|单位))\s*[:：]\s*/;
const SUPPORT = /(?:配合(?:部门|单位)|协办(?:部门|单位)|参与(?:部门|单位))\s*[:：]\s*/;

function labelled(text: string, label: RegExp): string | undefined {
  const m = label.exec(text);
  if (!m) return undefined;
  let rest = text.slice(m.index + m[0].length);
  const stop = rest.search(new RegExp(`${SUPPORT.source}|${LEAD.source}|\\n`));
  if (stop >= 0) rest = rest.slice(0, stop);
  return rest;
}

/** 会同公安部门、市场监管等部门 → the bodies a task works with but that owe it nothing. */
function partnersOf(scope: string): string[] {
  const m = /会同(.+?)(?:在|，|开展|共同|联合|对)/.exec(scope);
  return m ? splitUnits(m[1]!) : [];
}

/** Tasks from sections carrying 牵头部门：…；配合部门：… lines (or the same labels inline). */
export function recogniseTasks(o: Outline, year: number | YearRule): DraftTask[] {
  const out: DraftTask[] = [];
  for (const s of o.sections) {
    const text = s.paras.join("\n");
    if (!LEAD.test(text)) continue;
    const lead = splitUnits(labelled(text, LEAD) ?? "");
    const support = splitUnits(labelled(text, SUPPORT) ?? "");
    const scope = s.paras
      .filter((p) => !LEAD.test(p) && !SUPPORT.test(p))
      .join("")
      .replace(/[（(]\s*(?:牵头|责任)(?:部门|单位)[:：][^）)]*[）)]/, "");
    const number = cnNumber(s.label.replace(/[（()）、.．]/g, "")) ?? out.length + 1;
    const due = /(\d{1,2})月(\d{1,2})日(?:前|之前)完成/.exec(text);
    out.push({
      number,
      title: s.title,
      ...(scope ? { scope } : {}),
      ...(lead[0] ? { lead: lead[0] } : {}),
      support: [...lead.slice(1), ...support],
      partners: partnersOf(scope),
      ...(due ? { due: iso(yearOf(year, Number(due[1])), Number(due[1]), Number(due[2])) } : {}),
      source: { section: s.number, quote: [s.title, ...s.paras.filter((p) => LEAD.test(p) || SUPPORT.test(p))].join(" ") },
    });
  }
  return out;
}

/**
 * Tasks from a 工作方案 table: a header row naming the task, lead and support columns (序号 | 重点任务 | 牵头单位 |
 * 配合单位 | 完成时限), one task per row after it.
 */
export function recogniseTaskTables(o: Outline, year: number | YearRule): DraftTask[] {
  const tables = [...o.tables.map((t) => ({ rows: t.rows, section: t.attachment ?? "表格" })), ...o.sections.flatMap((s) => s.tables.map((rows) => ({ rows, section: s.number })))];
  const out: DraftTask[] = [];
  for (const t of tables) {
    const header = t.rows[0] ?? [];
    const col = (re: RegExp) => header.findIndex((c) => re.test(c));
    const iLead = col(/牵头|责任(单位|部门)/);
    const iTask = col(/任务|工作内容|工作措施|事项/);
    if (iLead < 0 || iTask < 0) continue;
    const iNo = col(/序号|编号/);
    const iSupport = col(/配合|协办|参与/);
    const iDue = col(/时限|时间|期限/);
    t.rows.slice(1).forEach((row, r) => {
      const taskText = row[iTask]?.trim();
      if (!taskText) return;
      const [title, ...rest] = taskText.split(/[。\n]/);
      const lead = splitUnits(row[iLead] ?? "");
      const dueText = iDue >= 0 ? (row[iDue] ?? "") : "";
      const w = /\d{1,2}月/.test(dueText) ? parseWindow(dueText, year) : undefined;
      const number = (iNo >= 0 ? cnNumber((row[iNo] ?? "").replace(/[（()）、.．]/g, "")) : undefined) ?? r + 1;
      const scope = rest.join("。").trim();
      out.push({
        number,
        title: title!.trim(),
        ...(scope ? { scope } : {}),
        ...(lead[0] ? { lead: lead[0] } : {}),
        support: [...lead.slice(1), ...(iSupport >= 0 ? splitUnits(row[iSupport] ?? "") : [])],
        partners: partnersOf(taskText),
        ...(w?.end ? { due: w.end } : {}),
        source: { section: `${t.section} 表第${r + 1}行`, quote: row.filter(Boolean).join(" | ") },
      });
    });
  }
  return out;
}

/** The campaign's window decides the year of every month written without one. */
export const campaignYears = (c: { start: IsoDate }): YearRule => ({ year: Number(c.start.slice(0, 4)), startMonth: Number(c.start.slice(5, 7)) });

/** The month's last day, for windows like 9月 written without a day. */
export const monthEnd = (y: number, m: number) => iso(y, m, lastDay(y, m));

import type { Block } from "./read-document.ts";

/**
 * A notice as a tree of numbered sections (一、 → （一） → 1. → （1）), the way the document refers to its
 * own parts. A section's `number` is what a plan's `source:` cites, e.g. 三（一）.
 */
export interface Section {
  number: string;
  /** The label as written: 三、 or （一）. */
  label: string;
  /** The heading's first sentence, e.g. 自查阶段（5月20日前）. */
  title: string;
  level: number;
  /** Body paragraphs, the rest of the heading's paragraph first. */
  paras: string[];
  tables: string[][][];
  children: Section[];
  parent?: Section;
  /** 附件1 when the section is in an attachment. */
  attachment?: string;
}

export interface Outline {
  /** Title lines: the notice's, and each attachment's first line. */
  titles: { text: string; attachment?: string }[];
  /** Lines before the first numbered heading (主送, the notice's own text). */
  preamble: string[];
  /** Every section in document order. */
  sections: Section[];
  /** Tables outside any section. */
  tables: { rows: string[][]; attachment?: string }[];
  /** The 落款: issuing body and date, when the notice ends with them. */
  signature?: { issuer?: string; date?: { year: number; month: number; day: number }; line: string };
}

const NUM = "一二三四五六七八九十";
const HEADINGS: { level: number; re: RegExp }[] = [
  { level: 1, re: new RegExp(`^([${NUM}]{1,3})、\\s*(.*)$`) },
  { level: 2, re: new RegExp(`^([（(][${NUM}]{1,3}[）)])\\s*(.*)$`) },
  { level: 3, re: /^(\d{1,2}[.．、])(?!\d)\s*(.*)$/ },
  { level: 4, re: /^([（(]\d{1,2}[）)])\s*(.*)$/ },
];
const ATTACHMENT = /^附\s*件\s*(\d*)\s*[:：]?$/;
const DOC_NUMBER = /〔\d{4}〕\s*\d+\s*号$/;
const DATE_LINE = /^(\d{4})年(\d{1,2})月(\d{1,2})日$/;

/** Conversion leftovers and layout spaces: 全角空格 and Word bookmarks carried into text exports. */
export function cleanLine(s: string): string {
  return s
    .replace(/\[bookmark:[^\]]*\]/g, "")
    .replace(/[\u3000\u00a0\t]/g, " ")
    .trim();
}

function splitHeading(rest: string): { title: string; body?: string } {
  const i = rest.indexOf("。");
  if (i < 0) return { title: rest.replace(/[。：:]$/, "") };
  const title = rest.slice(0, i);
  const body = rest.slice(i + 1).trim();
  return body ? { title, body } : { title };
}

export function buildOutline(blocks: Block[]): Outline {
  const out: Outline = { titles: [], preamble: [], sections: [], tables: [] };
  const stack: Section[] = [];
  let attachment: string | undefined;
  let expectTitle = true;
  let lastPlain: string | undefined;
  const bodyHasSections = () => out.sections.some((s) => s.attachment === undefined);

  for (const block of blocks) {
    if (block.kind === "table") {
      const rows = block.rows.map((r) => r.map(cleanLine));
      const cur = stack[stack.length - 1];
      if (cur && cur.attachment === attachment) cur.tables.push(rows);
      else out.tables.push({ rows, ...(attachment ? { attachment } : {}) });
      continue;
    }
    for (const raw of block.text.split(/\n/)) {
      const line = cleanLine(raw);
      if (!line) continue;
      const att = ATTACHMENT.exec(line);
      if (att) {
        attachment = `附件${att[1] ?? ""}`;
        stack.length = 0;
        expectTitle = true;
        continue;
      }
      const date = DATE_LINE.exec(line);
      if (date) {
        const issuer = lastPlain && lastPlain.length <= 40 && /(局|厅|委员会|委|办公室|政府|部|院|中心|小组)$/.test(lastPlain) ? lastPlain : undefined;
        out.signature = { ...(issuer ? { issuer } : {}), date: { year: Number(date[1]), month: Number(date[2]), day: Number(date[3]) }, line };
        const lines = stack[stack.length - 1]?.paras ?? out.preamble;
        if (issuer && lines[lines.length - 1] === issuer) lines.pop();
        continue;
      }
      const h = HEADINGS.map((x) => ({ level: x.level, m: x.re.exec(line) })).find((x) => x.m);
      if (h && h.m) {
        while (stack.length && stack[stack.length - 1]!.level >= h.level) stack.pop();
        const parent = stack[stack.length - 1];
        const label = h.m[1]!;
        const { title, body } = splitHeading(h.m[2]!);
        const own = h.level === 1 ? label.replace(/、$/, "") : label.replace(/[.．、]$/, "").replace(/^\(/, "（").replace(/\)$/, "）");
        const chain = parent ? parent.number.replace(/^附件\d*\s/, "") + own : own;
        const section: Section = {
          number: chain,
          label,
          title,
          level: h.level,
          paras: body ? [body] : [],
          tables: [],
          children: [],
          ...(parent ? { parent } : {}),
          ...(attachment ? { attachment } : {}),
        };
        if (attachment && bodyHasSections()) section.number = `${attachment} ${chain}`;
        parent?.children.push(section);
        out.sections.push(section);
        stack.push(section);
        expectTitle = false;
        continue;
      }
      if (expectTitle && !DOC_NUMBER.test(line) && !/^[（(]?\d+[）)]?$/.test(line)) {
        out.titles.push({ text: line, ...(attachment ? { attachment } : {}) });
        expectTitle = false;
        continue;
      }
      lastPlain = line;
      const cur = stack[stack.length - 1];
      if (cur) cur.paras.push(line);
      else out.preamble.push(line);
    }
  }
  return out;
}

/** Sentences of a paragraph, each with its closing mark, so quotes read as the document does. */
export function sentences(para: string): string[] {
  return para.match(/[^。！？]+[。！？]?/g)?.map((s) => s.trim()).filter(Boolean) ?? [];
}

/** A section and everything under it, as text (for "does the document say X here?"). */
export function sectionText(s: Section): string {
  return [s.title, ...s.paras, ...s.children.map(sectionText)].join("\n");
}

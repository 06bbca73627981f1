import {
  AlignmentType,
  convertMillimetersToTwip,
  Document,
  Footer,
  LineRuleType,
  Packer,
  PageNumber,
  Paragraph,
  Table,
  TableCell,
  TableRow,
  TextRun,
  VerticalAlign,
  WidthType,
} from "docx";
import { numeralZh } from "./chinese-date.ts";
import type { DocumentData } from "./bulletin-view.ts";
import type { Block, TableName } from "./doc-template.ts";
import { SCORE_COLUMNS, scoreCell } from "./score-text.ts";
import { cellText } from "./stats-text.ts";

/**
 * The layout of a 党政机关公文 (GB/T 9704-2012), as far as a generated draft needs it: A4, its margins,
 * a 2号小标宋 title, 3号仿宋 body on a 28-point line with a two-character first-line indent, 黑体
 * headings, and the page number in the footer. Offices without these fonts see their fallbacks.
 */
const FONT = { title: "方正小标宋简体", body: "仿宋_GB2312", heading: "黑体", table: "仿宋_GB2312" } as const;
const PT = (pt: number) => pt * 2; // docx sizes are half-points
const BODY = PT(16);
const LINE = { line: 28 * 20, lineRule: LineRuleType.EXACT } as const;

const run = (text: string, font: string, size: number, bold = false) => new TextRun({ text, font: { ascii: font, eastAsia: font, hAnsi: font }, size, bold });

function paragraph(b: Exclude<Block, { kind: "table" }>): Paragraph {
  switch (b.kind) {
    case "title":
      return new Paragraph({ alignment: AlignmentType.CENTER, spacing: { before: 240, after: 480, line: 36 * 20, lineRule: LineRuleType.EXACT }, children: [run(b.text, FONT.title, PT(22))] });
    case "center":
      return new Paragraph({ alignment: AlignmentType.CENTER, spacing: { after: 240, ...LINE }, children: [run(b.text, FONT.body, BODY)] });
    case "right":
      return new Paragraph({ alignment: AlignmentType.RIGHT, indent: { right: 4 * BODY * 10 }, spacing: LINE, children: [run(b.text, FONT.body, BODY)] });
    case "flush":
      return new Paragraph({ spacing: LINE, children: [run(b.text, FONT.body, BODY)] });
    case "heading":
      return new Paragraph({ indent: { firstLine: 2 * BODY * 10 }, spacing: LINE, children: [run(`${numeralZh(b.number)}、${b.text}`, FONT.heading, BODY)] });
    case "body":
      return new Paragraph({ alignment: AlignmentType.JUSTIFIED, indent: { firstLine: 2 * BODY * 10 }, spacing: LINE, children: [run(b.text, FONT.body, BODY)] });
  }
}

function cell(text: string, header: boolean): TableCell {
  return new TableCell({
    verticalAlign: VerticalAlign.CENTER,
    children: [new Paragraph({ alignment: AlignmentType.CENTER, children: [run(text, header ? FONT.heading : FONT.table, PT(12))] })],
  });
}

function grid(header: string[], rows: string[][]): Table {
  return new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    rows: [new TableRow({ tableHeader: true, children: header.map((h) => cell(h, true)) }), ...rows.map((r) => new TableRow({ cantSplit: true, children: r.map((c) => cell(c, false)) }))],
  });
}

const UNIT_COLUMNS = ["assigned", "due", "onTime", "late", "overdue", "waived", "onTimeRate"] as const;
const UNIT_HEADERS = ["应办数", "已到期", "按时办结", "逾期办结", "逾期未报", "免报", "按时完成率"];

/** The score table's columns that fit an A4 page beside 排名 and 单位. */
const DOC_SCORE_COLUMNS = SCORE_COLUMNS.filter((c) => c.key !== "assigned" && c.key !== "waived");

/** A table the template placed; one the data cannot fill (scores without rules) is left out. */
function table(name: TableName, d: DocumentData): Table | undefined {
  switch (name) {
    case "units":
      return grid(["单位", ...UNIT_HEADERS], [...d.stats.lines, d.stats.total].map((l) => [l.name, ...UNIT_COLUMNS.map((k) => cellText(l, k))]));
    case "late":
      return d.view.late.length ? grid(["序号", "责任单位", "报送事项", "截止日期", "办理情况"], d.view.late.map((l) => [String(l.no), l.unit, l.title, l.due, l.status])) : undefined;
    case "scores":
      return d.scores ? grid(["排名", "单位", ...DOC_SCORE_COLUMNS.map((c) => c.header)], d.scores.lines.map((l) => [String(l.rank), l.name, ...DOC_SCORE_COLUMNS.map((c) => scoreCell(l, c.key))])) : undefined;
  }
}

/** The document as .docx bytes. */
export async function documentDocx(blocks: readonly Block[], d: DocumentData): Promise<Buffer> {
  const children: (Paragraph | Table)[] = [];
  for (const b of blocks) {
    if (b.kind !== "table") children.push(paragraph(b));
    else {
      const t = table(b.table, d);
      // A paragraph after a table keeps the next text from sticking to its bottom border.
      if (t) children.push(t, new Paragraph({ spacing: { after: 120 }, children: [] }));
      if (t && b.table === "scores" && d.scores?.lines.some((l) => l.bounded))
        children.push(new Paragraph({ spacing: LINE, children: [run(`注：带“*”的得分已按考评规则的单位得分${d.scores.rules.unitMin !== null ? `下限（${d.scores.rules.unitMin}分）` : ""}${d.scores.rules.unitMax !== null ? `上限（${d.scores.rules.unitMax}分）` : ""}计。`, FONT.body, PT(12))] }));
    }
  }
  const title = blocks.find((b) => b.kind === "title");
  const doc = new Document({
    creator: "Duban",
    title: title && "text" in title ? title.text : d.view.campaign.title,
    sections: [
      {
        properties: {
          page: {
            size: { width: convertMillimetersToTwip(210), height: convertMillimetersToTwip(297) },
            margin: { top: convertMillimetersToTwip(37), bottom: convertMillimetersToTwip(35), left: convertMillimetersToTwip(28), right: convertMillimetersToTwip(26) },
          },
        },
        footers: {
          default: new Footer({ children: [new Paragraph({ alignment: AlignmentType.CENTER, children: [new TextRun({ children: ["— ", PageNumber.CURRENT, " —"], size: PT(14) })] })] }),
        },
        children,
      },
    ],
  });
  return Packer.toBuffer(doc);
}

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Mustache from "mustache";
import { DEFAULT_TEMPLATE_DIR, renderText } from "../reminders/templates.ts";
import { VIEW_SHAPE, type DocumentView, type Shape } from "./bulletin-view.ts";

/**
 * Document templates (通报, the office's report to the bureau): mustache text in a small line markup
 * that the .docx writer lays out. A campaign overrides one with a file of the same name in its
 * template folder, as it does the reminders' templates.
 */
export const DOCUMENT_KINDS = { bulletin: "bulletin.docx.mustache", report: "report.docx.mustache" } as const;
export type DocumentKind = keyof typeof DOCUMENT_KINDS;

/** The tables a template places with a line `[[name]]`. */
export const TABLES = { late: "逾期单位和事项", units: "各单位完成情况", scores: "考评得分" } as const;
export type TableName = keyof typeof TABLES;

/** One laid-out line of a rendered template. */
export type Block =
  | { kind: "title" | "center" | "right" | "flush" | "body"; text: string }
  /** `## ` headings, numbered 一、二、… in order. */
  | { kind: "heading"; text: string; number: number }
  | { kind: "table"; table: TableName };

export interface TemplateProblem {
  file: string;
  line: number;
  col: number;
  message: string;
}

/** The template of `kind`: the campaign's file in `dir` when there is one, else the shipped default. */
export function documentTemplate(kind: DocumentKind, dir?: string): { file: string; text: string } {
  const own = dir !== undefined ? join(dir, DOCUMENT_KINDS[kind]) : undefined;
  const file = own && existsSync(own) ? own : join(DEFAULT_TEMPLATE_DIR, DOCUMENT_KINDS[kind]);
  return { file, text: readFileSync(file, "utf8") };
}

function position(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, offset).split("\n");
  return { line: before.length, col: before.at(-1)!.length + 1 };
}

type Token = [string, string, number, number, Token[]?];

/** Looks `name` up as mustache does: its first part in the innermost context that has it, the rest inside that. */
function known(name: string, stack: readonly Shape[]): Shape | undefined {
  if (name === ".") return stack.at(-1);
  const [head, ...rest] = name.split(".");
  for (let i = stack.length - 1; i >= 0; i--) {
    const s = stack[i]!;
    if (typeof s === "object" && !Array.isArray(s) && Object.hasOwn(s, head!)) {
      let found: Shape | undefined = (s as Record<string, Shape>)[head!];
      for (const part of rest) found = found && typeof found === "object" && !Array.isArray(found) ? (found as Record<string, Shape>)[part] : undefined;
      return found;
    }
  }
  return undefined;
}

/**
 * Every placeholder the template uses that the document's view does not have, and every table marker
 * that names no table, with its position in the template file (what `validate` prints).
 */
export function checkDocumentTemplate(file: string, text: string): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  const at = (offset: number, message: string) => problems.push({ file, ...position(text, offset), message });
  let tokens: Token[];
  try {
    tokens = Mustache.parse(text) as unknown as Token[];
  } catch (err) {
    const m = /at (\d+)/.exec(String((err as Error).message));
    at(m ? Number(m[1]) : 0, `模板语法错误：${(err as Error).message}`);
    return problems;
  }
  const walk = (list: Token[], stack: Shape[]) => {
    for (const [type, name, start, , children] of list) {
      if (type === "text" || type === "!" || type === "=") continue;
      if (type === ">") {
        at(start, `通报模板不支持子模板 {{> ${name}}}；请把内容直接写在模板中`);
        continue;
      }
      const shape = known(name, stack);
      if (shape === undefined) {
        at(start, `未知占位符“${name}”；可用的有：${Object.keys(stack.at(-1) as object).join("、")}`);
        continue;
      }
      if ((type === "#" || type === "^") && children) {
        // A section over a list repeats with each element as the context; over an object it enters it.
        const inner = Array.isArray(shape) ? shape[0] : shape;
        walk(children, type === "#" && typeof inner === "object" ? [...stack, inner] : stack);
      }
    }
  };
  walk(tokens, [VIEW_SHAPE]);
  for (const [i, line] of text.split("\n").entries()) {
    const m = /^\s*\[\[(.*?)\]\]\s*$/.exec(line);
    if (m && !Object.hasOwn(TABLES, m[1]!)) problems.push({ file, line: i + 1, col: line.indexOf("[[") + 1, message: `未知表格“${m[1]}”；可用的有：${Object.entries(TABLES).map(([k, v]) => `${k}（${v}）`).join("、")}` });
  }
  return problems;
}

const MARKS: [string, Block["kind"]][] = [
  ["## ", "heading"],
  ["# ", "title"],
  ["^ ", "center"],
  ["> ", "right"],
  ["| ", "flush"],
];

/** The template rendered with the view, as blocks: one per non-blank line (see the default template's header). */
export function renderDocument(text: string, view: DocumentView): Block[] {
  const blocks: Block[] = [];
  let headings = 0;
  for (const raw of renderText(text, view).split("\n")) {
    const line = raw.trim();
    if (!line) continue;
    const table = /^\[\[(.*?)\]\]$/.exec(line);
    if (table) {
      if (Object.hasOwn(TABLES, table[1]!)) blocks.push({ kind: "table", table: table[1] as TableName });
      continue;
    }
    const mark = MARKS.find(([m]) => line.startsWith(m) || line === m.trim());
    const body = mark ? line.slice(mark[0].length).trim() : line;
    if (mark?.[1] === "heading") blocks.push({ kind: "heading", text: body, number: ++headings });
    else blocks.push({ kind: mark?.[1] ?? "body", text: body } as Block);
  }
  return blocks;
}

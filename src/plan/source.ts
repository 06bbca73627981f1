import { readFileSync, statSync } from "node:fs";
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type Pair, type YAMLMap } from "yaml";
import { DiagnosticSink, type SourcePosition } from "./diagnostics.ts";

/** A plan larger than this is not a plan someone wrote; refuse before parsing. */
export const MAX_PLAN_BYTES = 8 * 1024 * 1024;
/** Aliases are legal YAML but a plan needs few; a cap stops "billion laughs" documents. */
export const MAX_ALIAS_COUNT = 200;

export type PathSegment = string | number;

/** A parsed plan file that can answer "where in the file is this value?" for diagnostics. */
export class PlanSource {
  constructor(
    readonly file: string,
    readonly text: string,
    readonly doc: Document.Parsed | undefined,
    private readonly lines: LineCounter,
  ) {}

  /** Position of the value at `path`, or of the deepest existing ancestor. `key: true` points at the key. */
  position(path: readonly PathSegment[], opts: { key?: boolean } = {}): SourcePosition {
    let offset = 0;
    let node: unknown = this.doc?.contents;
    if (node && (node as Node).range) offset = (node as Node).range![0];
    for (let i = 0; i < path.length; i++) {
      const seg = path[i]!;
      if (isMap(node)) {
        const pair = this.pairIn(node, String(seg));
        if (!pair) break;
        const last = i === path.length - 1;
        const keyNode = pair.key as Node;
        if (last && opts.key && keyNode.range) {
          offset = keyNode.range[0];
          node = undefined;
          break;
        }
        node = pair.value;
        const r = (pair.value as Node | null)?.range ?? keyNode.range;
        if (r) offset = r[0];
      } else if (isSeq(node) && typeof seg === "number") {
        const item = node.items[seg] as Node | undefined;
        if (!item) break;
        node = item;
        if (item.range) offset = item.range[0];
      } else break;
    }
    return this.at(offset);
  }

  /**
   * The pair for `key` in a mapping: its own, else the one a merge key (`<<: *defaults`) brings in, so a
   * problem in a merged value points at the text that wrote it. Earlier merge sources win, as in YAML.
   */
  private pairIn(map: YAMLMap, key: string, depth = 0): Pair | undefined {
    const own = map.items.find((p: Pair) => isScalar(p.key) && typeof p.key.value !== "symbol" && String(p.key.value) === key);
    if (own || depth > MAX_ALIAS_COUNT) return own;
    for (const p of map.items) {
      // With merge keys on, `<<` is parsed as a scalar holding a symbol.
      if (!isScalar(p.key) || typeof p.key.value !== "symbol") continue;
      for (const from of isSeq(p.value) ? p.value.items : [p.value]) {
        const target = isAlias(from) && this.doc ? from.resolve(this.doc) : from;
        const found = isMap(target) ? this.pairIn(target, key, depth + 1) : undefined;
        if (found) return found;
      }
    }
    return undefined;
  }

  at(offset: number): SourcePosition {
    const { line, col } = this.lines.linePos(offset);
    return { file: this.file, line, col };
  }
}

function looksBinary(bytes: Buffer): boolean {
  const head = bytes.subarray(0, 8192);
  return head.includes(0);
}

/**
 * Reads and parses a plan file. Never throws for a bad file: problems go to `sink`
 * and the returned source has no document when nothing usable was read.
 */
export function readPlanSource(file: string, sink: DiagnosticSink): PlanSource {
  const empty = (text = "") => new PlanSource(file, text, undefined, new LineCounter());
  const top = { file, line: 1, col: 1 };
  let size: number;
  try {
    size = statSync(file).size;
  } catch (err) {
    sink.error("FILE_UNREADABLE", `无法读取计划文件（${(err as NodeJS.ErrnoException).code ?? String(err)}）；请检查文件路径和读取权限`, top);
    return empty();
  }
  if (size > MAX_PLAN_BYTES) {
    sink.error("FILE_TOO_LARGE", `计划文件大小为 ${size} 字节，超过上限 ${MAX_PLAN_BYTES} 字节；请确认选对了文件`, top);
    return empty();
  }
  const bytes = readFileSync(file);
  if (looksBinary(bytes)) {
    sink.error("BINARY_FILE", "这是二进制文件，不是 YAML 计划文件；请确认选对了文件", top);
    return empty();
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    sink.error("BINARY_FILE", "计划文件不是有效的 UTF-8 文本；请另存为 UTF-8 编码", top);
    return empty();
  }
  return parsePlanText(file, text, sink);
}

export function parsePlanText(file: string, text: string, sink: DiagnosticSink): PlanSource {
  // TextDecoder already drops a BOM from bytes; a BOM in a string is dropped here.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = new LineCounter();
  // Merge keys (`<<: *defaults`) let a plan share a policy's or a unit's settings; aliases they bring in
  // count toward MAX_ALIAS_COUNT like any other (see toData).
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, strict: true, merge: true });
  const source = new PlanSource(file, text, doc, lines);
  for (const e of doc.errors) {
    const code = e.code === "DUPLICATE_KEY" ? "DUPLICATE_ID" : "YAML_SYNTAX";
    sink.error(code, `YAML 语法错误：${yamlMessage(e.message)}${yamlHint(e.code)}`, source.at(e.pos[0]));
  }
  for (const w of doc.warnings) sink.warning("YAML_SYNTAX", `YAML 语法警告：${yamlMessage(w.message)}${yamlHint(w.code)}`, source.at(w.pos[0]));
  return source;
}

/** yaml appends its own "at line L, column C" and a code excerpt; we print positions ourselves. */
function yamlMessage(message: string): string {
  return message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
}

/** The parser's message (English) stays as it is; for the common mistakes, how to fix them follows in Chinese. */
const YAML_HINTS: Partial<Record<string, string>> = {
  DUPLICATE_KEY: "同一层级的键不能重复，请删除或合并重复的键",
  MISSING_CHAR: "请检查引号、括号是否成对",
  TAB_AS_INDENT: "缩进请用空格，不要用 Tab",
  BAD_INDENT: "请检查这一行的缩进是否与同级的行对齐",
  MULTIPLE_DOCS: "一个计划文件只能有一个 YAML 文档，请删除多余的 ---",
};

function yamlHint(code: string): string {
  const hint = YAML_HINTS[code];
  return hint ? `；${hint}` : "";
}

/** Converts the document to plain data, refusing alias bombs. */
export function toData(source: PlanSource, sink: DiagnosticSink): unknown {
  if (!source.doc) return undefined;
  try {
    return source.doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    if (err instanceof ReferenceError || /alias/i.test(String(err))) {
      sink.error("ALIAS_LIMIT", `YAML 别名过多（超过 ${MAX_ALIAS_COUNT} 个）；请展开别名或简化计划`, {
        file: source.file,
        line: 1,
        col: 1,
      });
      return undefined;
    }
    throw err;
  }
}

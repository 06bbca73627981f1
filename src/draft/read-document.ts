import { readFileSync, statSync } from "node:fs";
import { extname } from "node:path";
import { decodeText } from "./decode-text.ts";
import { docxBlocks } from "./docx-blocks.ts";

/** A paragraph of text or a table (rows of cell texts): all the drafter needs of a document's layout. */
export type Block = { kind: "para"; text: string } | { kind: "table"; rows: string[][] };

export interface NoticeDocument {
  file: string;
  format: "text" | "docx";
  /** How the text was read: UTF-8, GB18030, UTF-16LE…, or "docx". Named in the draft's header. */
  encoding: string;
  blocks: Block[];
}

export const NoticeErrorCode = {
  NOTICE_UNREADABLE: "NOTICE_UNREADABLE",
  NOTICE_LEGACY_DOC: "NOTICE_LEGACY_DOC",
  NOTICE_PDF: "NOTICE_PDF",
  NOTICE_NOT_TEXT: "NOTICE_NOT_TEXT",
  NOTICE_ENCODING: "NOTICE_ENCODING",
  NOTICE_EMPTY: "NOTICE_EMPTY",
  NOTICE_TOO_LARGE: "NOTICE_TOO_LARGE",
} as const;
export type NoticeErrorCode = (typeof NoticeErrorCode)[keyof typeof NoticeErrorCode];

export type ReadResult = { ok: true; doc: NoticeDocument } | { ok: false; code: NoticeErrorCode; message: string };

/** A campaign notice is a few pages; anything this large is the wrong file. */
const MAX_NOTICE_BYTES = 32 * 1024 * 1024;

const SAVE_AS = "请在 Word 或 WPS 中“另存为” .docx 或纯文本（.txt）后重试";

/** What the first bytes say the file is; the extension only breaks ties, since offices rename files freely. */
function sniff(bytes: Buffer): "zip" | "ole" | "pdf" | "rtf" | "other" {
  if (bytes.length >= 4 && bytes.readUInt32BE(0) === 0x504b0304) return "zip";
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]))) return "ole";
  if (bytes.subarray(0, 5).toString("latin1") === "%PDF-") return "pdf";
  if (bytes.subarray(0, 5).toString("latin1") === "{\\rtf") return "rtf";
  return "other";
}

/** Reads a notice (.docx, or text in UTF-8, GB18030 or UTF-16). Never throws: a bad file is a value with a code. */
export async function readNotice(file: string): Promise<ReadResult> {
  let bytes: Buffer;
  try {
    if (statSync(file).size > MAX_NOTICE_BYTES) return { ok: false, code: "NOTICE_TOO_LARGE", message: `${file}：文件超过 ${MAX_NOTICE_BYTES / 1024 / 1024} MB，不像一份通知；请确认选对了文件` };
    bytes = readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    return { ok: false, code: "NOTICE_UNREADABLE", message: `${file}：无法读取文件（${code}）；请检查文件路径和读取权限` };
  }
  const kind = sniff(bytes);
  if (kind === "ole") return { ok: false, code: "NOTICE_LEGACY_DOC", message: `${file}：这是旧版 Word（.doc）或其他 Office 97-2003 文件，无法直接读取；${SAVE_AS}` };
  if (kind === "pdf") return { ok: false, code: "NOTICE_PDF", message: `${file}：这是 PDF 文件，无法可靠地读出段落和编号；${SAVE_AS}` };
  if (kind === "rtf") return { ok: false, code: "NOTICE_NOT_TEXT", message: `${file}：这是 RTF 文件；${SAVE_AS}` };
  if (kind === "zip") {
    const read = await docxBlocks(bytes);
    if (!read.ok) {
      const what = extname(file).toLowerCase() === ".docx" ? "无法打开这个 .docx 文件（文件可能已损坏）" : "这是压缩文件，不是 .docx 文档";
      return { ok: false, code: "NOTICE_UNREADABLE", message: `${file}：${what}；${SAVE_AS}` };
    }
    if (!read.blocks.some((b) => (b.kind === "para" ? b.text.trim() : b.rows.flat().join("").trim()))) {
      const why = read.images > 0 ? `文档里只有图片（${read.images} 张），没有文字，可能是扫描件` : "文档里没有文字";
      return { ok: false, code: "NOTICE_EMPTY", message: `${file}：${why}；请提供文字版的 .docx 或 .txt` };
    }
    return { ok: true, doc: { file, format: "docx", encoding: "docx", blocks: read.blocks } };
  }
  const text = decodeText(bytes);
  if (!text.ok) return { ok: false, code: text.code, message: `${file}：${text.message}` };
  if (!text.text.trim()) return { ok: false, code: "NOTICE_EMPTY", message: `${file}：文件是空的；请确认选对了文件` };
  const blocks: Block[] = text.text.split(/\r\n|\r|\n/).map((line) => ({ kind: "para", text: line }));
  return { ok: true, doc: { file, format: "text", encoding: text.encoding, blocks } };
}

import { createHash } from "node:crypto";
import type { StoredAttachment } from "../attachments/types.ts";
import { refusal, type WebRefusal } from "./refusal.ts";

export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;
export const MAX_FILES = 10;

/**
 * Allowed types by extension, each with the signature its bytes must start with: a renamed .exe is
 * refused even when called 报告.pdf. doc/xls are OLE compound files; docx/xlsx are zip containers.
 */
const TYPES: Record<string, { mime: string; magic: number[][] }> = {
  pdf: { mime: "application/pdf", magic: [[0x25, 0x50, 0x44, 0x46]] },
  doc: { mime: "application/msword", magic: [[0xd0, 0xcf, 0x11, 0xe0]] },
  xls: { mime: "application/vnd.ms-excel", magic: [[0xd0, 0xcf, 0x11, 0xe0]] },
  docx: { mime: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", magic: [[0x50, 0x4b, 0x03, 0x04]] },
  xlsx: { mime: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", magic: [[0x50, 0x4b, 0x03, 0x04]] },
  zip: { mime: "application/zip", magic: [[0x50, 0x4b, 0x03, 0x04], [0x50, 0x4b, 0x05, 0x06]] },
  jpg: { mime: "image/jpeg", magic: [[0xff, 0xd8, 0xff]] },
  jpeg: { mime: "image/jpeg", magic: [[0xff, 0xd8, 0xff]] },
  png: { mime: "image/png", magic: [[0x89, 0x50, 0x4e, 0x47]] },
};

export const ALLOWED_EXTENSIONS = Object.keys(TYPES);
export const ACCEPT_ATTR = ALLOWED_EXTENSIONS.map((e) => `.${e}`).join(",");

/** A name safe to store and show: no path, no control characters, bounded length. */
function cleanName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? "";
  return base.replace(/[\u0000-\u001f\u007f]/g, "").slice(-120) || "附件";
}

export async function checkUpload(files: File[]): Promise<StoredAttachment[] | WebRefusal> {
  if (files.length > MAX_FILES) return refusal(400, "TOO_MANY_FILES", `一次最多上传 ${MAX_FILES} 个附件`);
  const total = files.reduce((n, f) => n + f.size, 0);
  if (total > MAX_UPLOAD_BYTES) return refusal(413, "FILE_TOO_LARGE", `附件合计不能超过 10 MB（本次 ${(total / 1048576).toFixed(1)} MB）`);
  const out: StoredAttachment[] = [];
  for (const f of files) {
    const name = cleanName(f.name);
    const ext = /\.([A-Za-z0-9]+)$/.exec(name)?.[1]?.toLowerCase() ?? "";
    const type = TYPES[ext];
    if (!type) return refusal(415, "FILE_TYPE", `不允许的附件类型“${name}”：只接受 pdf、doc、docx、xls、xlsx、jpg、png、zip`);
    if (f.size === 0) return refusal(400, "FILE_EMPTY", `附件“${name}”是空文件`);
    const bytes = Buffer.from(await f.arrayBuffer());
    if (!type.magic.some((m) => m.every((b, i) => bytes[i] === b))) return refusal(415, "FILE_CONTENT", `附件“${name}”的内容与扩展名 .${ext} 不符`);
    out.push({ sha256: createHash("sha256").update(bytes).digest("hex"), name, mime: type.mime, size: bytes.length, bytes });
  }
  return out;
}

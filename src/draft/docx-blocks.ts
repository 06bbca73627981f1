import type { Block } from "./read-document.ts";

export type DocxRead = { ok: true; blocks: Block[]; images: number } | { ok: false };

/**
 * A .docx as paragraphs and tables, through mammoth's HTML (its raw-text output loses table rows, and a
 * 工作方案 often is a table). mammoth's HTML is regular (p, h1-h6, li, table/tr/td), so a few patterns read it;
 * mammoth is imported here, on demand, so commands that never read Word files do not load it.
 */
export async function docxBlocks(bytes: Buffer): Promise<DocxRead> {
  let html: string;
  try {
    const mammoth = (await import("mammoth")).default;
    html = (await mammoth.convertToHtml({ buffer: bytes })).value;
  } catch {
    return { ok: false };
  }
  const images = (html.match(/<img\b/g) ?? []).length;
  const blocks: Block[] = [];
  const re = /<table\b[^>]*>([\s\S]*?)<\/table>|<(p|h[1-6]|li)\b[^>]*>([\s\S]*?)<\/\2>/g;
  for (const m of html.matchAll(re)) {
    if (m[1] !== undefined) blocks.push({ kind: "table", rows: tableRows(m[1]) });
    else blocks.push({ kind: "para", text: inline(m[3]!) });
  }
  return { ok: true, blocks, images };
}

function tableRows(html: string): string[][] {
  return [...html.matchAll(/<tr\b[^>]*>([\s\S]*?)<\/tr>/g)].map((r) =>
    [...r[1]!.matchAll(/<t[dh]\b[^>]*>([\s\S]*?)<\/t[dh]>/g)].map((c) =>
      // A cell's paragraphs are separate lines in Word; joined with "；" they stay separate clauses.
      [...c[1]!.matchAll(/<p\b[^>]*>([\s\S]*?)<\/p>/g)].map((p) => inline(p[1]!)).filter(Boolean).join("\n") || inline(c[1]!),
    ),
  );
}

function inline(html: string): string {
  return html
    .replace(/<br\s*\/?>/g, "\n")
    .replace(/<[^>]+>/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&")
    .trim();
}

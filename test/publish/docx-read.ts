import JSZip from "jszip";
import mammoth from "mammoth";

/** The document's text as mammoth reads it (paragraphs and table cells one a line, blank lines dropped). */
export async function docxText(bytes: Buffer | Uint8Array): Promise<string[]> {
  const { value } = await mammoth.extractRawText({ buffer: Buffer.from(bytes) });
  return value.split("\n").map((l) => l.trim()).filter(Boolean);
}

const texts = (xml: string) => [...xml.matchAll(/<w:t(?:\s[^>]*)?>([^<]*)<\/w:t>/g)].map((m) => m[1]!).join("");

/** Every table of word/document.xml as rows of cell texts, read straight from the XML. */
export async function docxTables(bytes: Buffer | Uint8Array): Promise<string[][][]> {
  const xml = await (await JSZip.loadAsync(bytes)).file("word/document.xml")!.async("string");
  return [...xml.matchAll(/<w:tbl>([\s\S]*?)<\/w:tbl>/g)].map((t) => [...t[1]!.matchAll(/<w:tr[\s>][\s\S]*?<\/w:tr>/g)].map((r) => [...r[0].matchAll(/<w:tc>([\s\S]*?)<\/w:tc>/g)].map((c) => texts(c[1]!))));
}

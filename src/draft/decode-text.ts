/**
 * Decoding a plain-text notice. Government files come as UTF-8 or as GBK/GB18030 (what Chinese Windows
 * saves as "ANSI"); some as UTF-16 ("Unicode" in Notepad) and, from Taiwan or Hong Kong, Big5. Valid UTF-8 is
 * taken first (GB18030 bytes are almost never valid UTF-8), then UTF-16 by its byte-order mark or its zero
 * bytes, then GB18030 unless the text reads far better as Big5, which is named and refused rather than
 * drafted from garbled characters.
 */
export type DecodeResult =
  | { ok: true; text: string; encoding: string }
  | { ok: false; code: "NOTICE_ENCODING" | "NOTICE_NOT_TEXT"; message: string };

/** Characters frequent in any Chinese official text, in both simplified and traditional script. */
const COMMON = new Set(Array.from("的一是在不了有和人中大为上个以要时来到地于出就对成会可主发年动工也能下过子产种面而方后多定行法所得经十三之进等部度家力里如理起小现实加量都两体制机当使点从业本去性好应开合还因由其些然前外天四日那事平形相全表间样与关各重新内数正心反明看原又利比或但第向道此变条只没结问意建月公无系情者最立代想已通并提直题程展五果料员位入常文总次品式活设及管特件长求头基资边路级少山统接知较将组见计别手角期根论运农指几九区强放决西被做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往历市克何除消构府称太准精值号率族维划选标写存候亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严"));

function commonShare(text: string): number {
  let cjk = 0;
  let common = 0;
  for (const ch of text) {
    if (ch >= "\u4e00" && ch <= "\u9fff") {
      cjk++;
      if (COMMON.has(ch)) common++;
    }
  }
  return cjk === 0 ? 0 : common / cjk;
}

function tryDecode(label: string, bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder(label, { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/** Control characters other than tab, newline, carriage return and form feed: a sign of a binary file. */
function controlShare(text: string): number {
  let n = 0;
  for (const ch of text) if (/[\u0000-\u0008\u000e-\u001f\u007f]/.test(ch)) n++;
  return text.length === 0 ? 0 : n / text.length;
}

const NOT_TEXT = "这不是文本文件，也不是 .docx 文档；请在 Word 或 WPS 中“另存为” .docx 或纯文本（.txt）后重试";

export function decodeText(bytes: Uint8Array): DecodeResult {
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
    const label = bytes[0] === 0xff ? "utf-16le" : "utf-16be";
    const text = tryDecode(label, bytes);
    if (text !== undefined) return { ok: true, text, encoding: label.toUpperCase() };
  }
  const utf8 = tryDecode("utf-8", bytes);
  if (utf8 !== undefined) {
    if (controlShare(utf8) > 0.01) return zeroBytes(bytes) ?? { ok: false, code: "NOTICE_NOT_TEXT", message: NOT_TEXT };
    return { ok: true, text: utf8, encoding: "UTF-8" };
  }
  const utf16 = zeroBytes(bytes);
  if (utf16) return utf16;
  const gb = tryDecode("gb18030", bytes);
  if (gb === undefined || controlShare(gb) > 0.01) return { ok: false, code: "NOTICE_NOT_TEXT", message: NOT_TEXT };
  const big5 = tryDecode("big5", bytes);
  if (big5 !== undefined && commonShare(big5) > 0.3 && commonShare(big5) > 2 * commonShare(gb))
    return {
      ok: false,
      code: "NOTICE_ENCODING",
      message: "文件编码是 Big5（繁体中文），不是 UTF-8 或 GB18030；请用文本编辑器“另存为” UTF-8 编码（并转为简体）后重试",
    };
  return { ok: true, text: gb, encoding: "GB18030" };
}

/** UTF-16 without a byte-order mark: every other byte is zero in a mostly-ASCII or CJK text's ASCII parts. */
function zeroBytes(bytes: Uint8Array): DecodeResult | undefined {
  const n = Math.min(bytes.length, 4096) & ~1;
  if (n < 4) return undefined;
  let even = 0;
  let odd = 0;
  for (let i = 0; i < n; i += 2) {
    if (bytes[i] === 0) even++;
    if (bytes[i + 1] === 0) odd++;
  }
  const label = odd > n / 8 && even === 0 ? "utf-16le" : even > n / 8 && odd === 0 ? "utf-16be" : undefined;
  if (!label) return undefined;
  const text = tryDecode(label, bytes);
  if (text === undefined) return { ok: false, code: "NOTICE_ENCODING", message: `文件像是 ${label.toUpperCase()} 编码但无法解码；请另存为 UTF-8 后重试` };
  return { ok: true, text, encoding: label.toUpperCase() };
}

import type MimeNode from "nodemailer/lib/mime-node";
import { Encoder as QpEncoder } from "nodemailer/lib/qp";
import { Encoder as B64Encoder } from "nodemailer/lib/base64";
import type { Transform } from "node:stream";

/** The MimeNode fields the serializer reads; nodemailer's own stream build reads the same ones. */
type Node = MimeNode & { _raw?: unknown; _transforms: unknown[]; _processFuncs: unknown[]; content?: unknown; contentType?: string };

/** Only trees of string or Buffer bodies without transforms are serialized here; anything else streams. */
function syncable(n: Node): boolean {
  if (n._raw || n.newline || n._transforms.length || n._processFuncs.length) return false;
  const c = n.content;
  if (c !== undefined && c !== null && c !== "" && typeof c !== "string" && !Buffer.isBuffer(c)) return false;
  return n.childNodes.every((k) => syncable(k as Node));
}

/**
 * Runs one of nodemailer's encoder transforms over a whole body in one call: the same code the stream
 * build runs on its single chunk, so the bytes are the same, without the pipeline and its timers.
 */
function runEncoder(enc: Transform, input: Buffer, out: Buffer[]): void {
  (enc as unknown as { push: (c: unknown, e?: BufferEncoding) => boolean }).push = (c, e) => {
    if (c !== null && c !== undefined) out.push(typeof c === "string" ? Buffer.from(c, e ?? "utf8") : (c as Buffer));
    return true;
  };
  const t = enc as unknown as { _transform(c: Buffer, e: string, d: (err?: unknown) => void): void; _flush(d: (err?: unknown) => void): void };
  const fail = (err?: unknown) => {
    if (err) throw err;
  };
  t._transform(input, "buffer", fail);
  t._flush(fail);
}

function serialize(n: Node, out: Buffer[]): void {
  out.push(Buffer.from(n.buildHeaders() + "\r\n\r\n"));
  // After buildHeaders, which sets Content-Transfer-Encoding from the same function: read back from the
  // header, not found again by scanning the body (the same answer, at a header lookup's cost).
  const te = n.getTransferEncoding();
  const c = n.content as string | Buffer | undefined;
  if (c) {
    const buf = typeof c === "string" ? Buffer.from(c) : c;
    if (te === "base64") runEncoder(new B64Encoder({}), buf, out);
    else if (te === "quoted-printable") runEncoder(new QpEncoder({ binary: !/^text\//i.test(n.contentType || "") }), buf, out);
    else out.push(buf);
  }
  if (n.multipart) {
    n.childNodes.forEach((k, i) => {
      out.push(Buffer.from((i > 0 ? "\r\n" : "") + "--" + n.boundary + "\r\n"));
      serialize(k as Node, out);
    });
    out.push(Buffer.from("\r\n--" + n.boundary + "--\r\n"));
  }
}

/**
 * The bytes MimeNode.build() would produce, built synchronously for the trees Duban composes (text and
 * HTML alternatives): the stream build costs about twice the rest of a message's composing. Undefined
 * for a tree it does not cover (attachments by path or URL, streams, transforms): the caller streams it.
 */
export function buildSync(root: MimeNode): Buffer | undefined {
  if (!syncable(root as Node)) return undefined;
  const out: Buffer[] = [];
  serialize(root as Node, out);
  // LastNewline: the message ends with a line break.
  const last = out.at(-1);
  const lb = last && last.length ? last[last.length - 1] : undefined;
  if (lb !== 0x0a) out.push(Buffer.from(lb === 0x0d ? "\n" : "\r\n"));
  return Buffer.concat(out);
}

import { randomBytes } from "node:crypto";
import { mkdir, open, readdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import type { DeliveryResult, Notifier, OutgoingMessage } from "./types.ts";
import { failure } from "./types.ts";
import { composeFor } from "./rfc822.ts";
import { messageIdHash } from "./message-id.ts";
import { NotifierConfigError } from "./errors.ts";

export interface EmlFileNotifierOptions {
  /** Folder for the .eml files; created if missing. */
  dir: string;
  /** From header; the same default as the email notifier so both build identical bytes. */
  from?: string;
  /** Zone for the date in file names; defaults to Asia/Shanghai, the campaign's clock. */
  timeZone?: string;
}

const CHANNEL = "eml";
const SHORT_HASH = 8;
// Used only when two message ids share the short hash, so a collision never hides a message.
const LONG_HASH = 16;

const formats = new Map<string, Intl.DateTimeFormat>();

function stamp(date: Date, timeZone: string): string {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    formats.set(timeZone, format);
  }
  const parts = format.formatToParts(date);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? "00";
  return `${get("year")}-${get("month")}-${get("day")}_${get("hour")}${get("minute")}`;
}

/** Keeps ids readable in a file name while ruling out path separators and control characters. */
function safeId(id: string): string {
  const cleaned = id.replace(/[^\p{L}\p{N}_-]+/gu, "-").replace(/^-+|-+$/g, "");
  return (cleaned || "unknown").slice(0, 40);
}

/** e.g. "2021-05-21_0900_yuzhong_ab12cd34.eml". */
export function emlFileName(msg: OutgoingMessage, date: Date, timeZone = "Asia/Shanghai", hashLength = SHORT_HASH): string {
  return `${stamp(date, timeZone)}_${safeId(msg.to.id)}_${messageIdHash(msg.messageId).slice(0, hashLength)}.eml`;
}

/** Message-ID of an .eml file, read from its header block only. */
async function readMessageId(path: string): Promise<string | undefined> {
  const handle = await open(path, "r");
  try {
    const buf = Buffer.alloc(16 * 1024);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    const head = buf.subarray(0, bytesRead).toString("utf8").split(/\r?\n\r?\n/)[0] ?? "";
    const unfolded = head.replace(/\r?\n[ \t]+/g, " ");
    return /^Message-ID:[ \t]*(.+?)[ \t]*$/im.exec(unfolded)?.[1];
  } finally {
    await handle.close();
  }
}

async function writeAtomically(dir: string, name: string, data: Buffer): Promise<void> {
  // Dot-prefixed and not ending in .eml: mail clients and our own scan ignore a leftover.
  const tmp = join(dir, `.${name}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  try {
    const handle = await open(tmp, "wx");
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, join(dir, name));
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

const RETRYABLE_FS = new Set(["ENOSPC", "EIO", "EMFILE", "ENFILE", "EBUSY", "EAGAIN", "EDQUOT"]);

/**
 * The embedded default channel: one .eml file per message, openable in any mail client.
 * Idempotent by Message-ID, not by file name, because a retry may carry a different date.
 */
export function createEmlFileNotifier(opts: EmlFileNotifierOptions): Notifier {
  const timeZone = opts.timeZone ?? "Asia/Shanghai";
  try {
    stamp(new Date(0), timeZone);
  } catch {
    throw new NotifierConfigError(`未知时区：${timeZone}`);
  }
  const composeOpts = opts.from !== undefined ? { from: opts.from } : {};
  // Serialises sends of one message id, so concurrent retries cannot both decide to write.
  const inFlight = new Map<string, Promise<DeliveryResult>>();
  // The folder's file names, read once and kept up to date by this notifier's own writes: a dispatcher
  // writing thousands of messages must not list the folder for each one.
  let byHash: Map<string, string[]> | undefined;
  let made = false;
  const hashPart = (name: string) => name.slice(name.lastIndexOf("_") + 1, -".eml".length);
  const remember = (index: Map<string, string[]>, name: string) => (index.get(hashPart(name)) ?? index.set(hashPart(name), []).get(hashPart(name))!).push(name);
  const known = async (): Promise<Map<string, string[]>> => {
    if (!byHash) {
      byHash = new Map();
      for (const name of await readdir(opts.dir)) if (name.endsWith(".eml")) remember(byHash, name);
    }
    return byHash;
  };

  async function write(msg: OutgoingMessage, hash: string): Promise<DeliveryResult> {
    const built = await composeFor(CHANNEL, msg, composeOpts);
    if ("failed" in built) return built.failed;
    const { composed } = built;
    try {
      // The folder is made once, not before every message (a digest morning writes thousands); one
      // removed meanwhile is made again below when the write finds it gone.
      if (!made) (await mkdir(opts.dir, { recursive: true }), (made = true));
      const index = await known();
      const candidates = [...(index.get(hash.slice(0, SHORT_HASH)) ?? []), ...(index.get(hash.slice(0, LONG_HASH)) ?? [])];
      for (const name of candidates) {
        if ((await readMessageId(join(opts.dir, name))) === msg.messageId) {
          return { ok: true, channel: CHANNEL, providerId: join(opts.dir, name), detail: "文件已存在，未重复写入" };
        }
      }
      const collides = (index.get(hash.slice(0, SHORT_HASH)) ?? []).length > 0;
      const name = emlFileName(msg, composed.date, timeZone, collides ? LONG_HASH : SHORT_HASH);
      await writeAtomically(opts.dir, name, composed.raw).catch(async (err: NodeJS.ErrnoException) => {
        if (err.code !== "ENOENT") throw err;
        await mkdir(opts.dir, { recursive: true });
        await writeAtomically(opts.dir, name, composed.raw);
      });
      remember(index, name);
      return { ok: true, channel: CHANNEL, providerId: join(opts.dir, name) };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? "";
      return failure(CHANNEL, "FILE_WRITE", `写入邮件文件失败（${code || "未知错误"}）：${(err as Error).message}`, RETRYABLE_FS.has(code));
    }
  }

  return {
    channel: CHANNEL,
    send(msg) {
      const hash = messageIdHash(msg.messageId);
      const previous = inFlight.get(hash) ?? Promise.resolve(undefined);
      const run = () => write(msg, hash);
      const next = previous.then(run, run);
      inFlight.set(hash, next);
      void next.finally(() => {
        if (inFlight.get(hash) === next) inFlight.delete(hash);
      });
      return next;
    },
  };
}

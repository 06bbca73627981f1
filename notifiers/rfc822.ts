import MailComposer from "nodemailer/lib/mail-composer";
import { failure, type DeliveryFailure, type OutgoingMessage, type Recipient } from "./types.ts";
import { messageIdHash } from "./message-id.ts";
import { buildSync } from "./mime-sync.ts";

export const DEFAULT_FROM = "督办系统 <duban@localhost>";

/** Raised when a message cannot be turned into mail at all; retrying it would not help. */
export class InvalidMessageError extends Error {
  readonly code = "INVALID_MESSAGE";
  constructor(message: string) {
    super(message);
    this.name = "InvalidMessageError";
  }
}

export interface ComposeOptions {
  /** From header, e.g. "督办系统 <duban@example.gov.cn>". */
  from?: string;
}

export interface ComposedMessage {
  raw: Buffer;
  /** SMTP envelope: the bare addresses, taken from the same recipients as the headers. */
  envelope: { from: string; to: string[] };
  date: Date;
}

type Address = { name: string; address: string };

function addressesOf(recipients: readonly Recipient[]): Address[] {
  return recipients.flatMap((r) => (r.email ?? []).map((address) => ({ name: r.name, address })));
}

/** Bare address of a From value such as "督办系统 <duban@localhost>". */
function bareAddress(from: string): string {
  const m = /<([^<>]+)>\s*$/.exec(from);
  return (m?.[1] ?? from).trim();
}

/** Resolves the message date once, so the file name and the Date header cannot disagree. */
export function messageDate(msg: OutgoingMessage): Date {
  if (msg.date === undefined) return new Date();
  const d = new Date(msg.date);
  if (Number.isNaN(d.getTime())) throw new InvalidMessageError(`消息日期无法解析：${msg.date}`);
  return d;
}

/**
 * Builds the RFC 822 bytes of a message. Pure for a given message and From when `date` is
 * set: the MIME boundaries are seeded from the Message-ID instead of random bytes, so the
 * .eml file and the SMTP path produce the same bytes and a re-run produces the same file.
 */
export async function composeMessage(msg: OutgoingMessage, opts: ComposeOptions = {}): Promise<ComposedMessage> {
  const from = opts.from ?? DEFAULT_FROM;
  const to = addressesOf([msg.to]);
  const cc = addressesOf(msg.cc ?? []);
  const date = messageDate(msg);
  const composer = new MailComposer({
    from,
    to,
    ...(cc.length > 0 ? { cc } : {}),
    subject: msg.subject,
    messageId: msg.messageId,
    date,
    text: msg.text,
    html: msg.html,
    ...(msg.headers ? { headers: msg.headers } : {}),
    baseBoundary: messageIdHash(msg.messageId).slice(0, 32),
  });
  const root = composer.compile();
  const raw = buildSync(root) ?? (await new Promise<Buffer>((resolve, reject) => root.build((err, out) => (err ? reject(err) : resolve(out)))));
  return {
    raw,
    envelope: { from: bareAddress(from), to: [...to, ...cc].map((a) => a.address) },
    date,
  };
}

/** The raw RFC 822 bytes exactly as the email notifier would hand them to the SMTP server. */
export async function buildRawMessage(msg: OutgoingMessage, opts: ComposeOptions = {}): Promise<Buffer> {
  return (await composeMessage(msg, opts)).raw;
}

/** Composes for a channel, turning a message that cannot be built into that channel's non-retryable failure. */
export async function composeFor(channel: string, msg: OutgoingMessage, opts: ComposeOptions = {}): Promise<{ composed: ComposedMessage } | { failed: DeliveryFailure }> {
  try {
    return { composed: await composeMessage(msg, opts) };
  } catch (err) {
    const text = err instanceof InvalidMessageError ? err.message : `邮件内容生成失败：${String(err)}`;
    return { failed: failure(channel, "INVALID_MESSAGE", text, false) };
  }
}

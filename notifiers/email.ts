import { Readable } from "node:stream";
import nodemailer from "nodemailer";
import MimeNode from "nodemailer/lib/mime-node";
import type { ComposedMessage } from "./rfc822.ts";
import type { DeliveryResult, Notifier, OutgoingMessage } from "./types.ts";
import { failure } from "./types.ts";
import { composeFor } from "./rfc822.ts";
import { NotifierConfigError } from "./errors.ts";

export { buildRawMessage, composeMessage, DEFAULT_FROM } from "./rfc822.ts";
export type { ComposeOptions, ComposedMessage } from "./rfc822.ts";

export interface EmailNotifierOptions {
  /**
   * Connection URL such as "smtp://user:pass@host:587" or "smtps://…:465". The host takes it
   * from DUBAN_SMTP_URL; it must never come from the plan, which is shared and versioned.
   */
  url: string;
  /** From header; defaults to "督办系统 <duban@localhost>". */
  from?: string;
  /** Pool size; defaults to 5 (nodemailer's default). */
  maxConnections?: number;
  /** Connect, greeting and per-command timeout in ms; defaults to 30 s. */
  timeoutMs?: number;
}

const CHANNEL = "email";

/** What the pool answers for a message; the parts the notifier reads. */
interface SendInfo {
  rejected?: unknown[];
  rejectedErrors?: unknown[];
  response?: unknown;
}

/** nodemailer's transport interface (`send(mail, callback)`), which its pool implements. */
interface PoolTransporter {
  send(mail: { data: Record<string, unknown>; message: MimeNode }, callback: (err: Error | null, info: SendInfo) => void): void;
}

/**
 * The composed bytes as the mail object a transport takes: a MimeNode carrying them raw, whose stream is
 * the bytes themselves. Mailer.sendMail({ raw }) would wrap them in a new tree and stream them through a
 * pipeline again; the bytes are already the message, built once.
 */
function rawMail(composed: ComposedMessage, messageId: string): { data: Record<string, unknown>; message: MimeNode } {
  // A fixed base boundary: the node has no parts, and it spares a random draw per message.
  const node = new MimeNode("message/rfc822", { baseBoundary: "raw" }).setRaw(composed.raw);
  node.setHeader("Message-ID", messageId);
  node.setEnvelope(composed.envelope);
  // A fresh stream per call: the pool asks again when it requeues a message on another connection.
  (node as unknown as { createReadStream: () => Readable }).createReadStream = () => Readable.from([composed.raw], { objectMode: false });
  return { data: {}, message: node };
}

/** The subset of nodemailer's error we classify; it carries more, we read only these. */
interface SmtpError {
  code?: string;
  responseCode?: number;
  response?: string;
  message?: string;
  rejectedErrors?: SmtpError[];
}

/** SMTP 4xx and anything that went wrong on the wire will likely pass later; 5xx will not. */
export function classifySmtpError(err: unknown): DeliveryResult & { ok: false } {
  const e = (err ?? {}) as SmtpError;
  const reply = (e.response ?? e.message ?? String(err)).trim();
  const status = e.responseCode;
  if (typeof status === "number" && status >= 400 && status < 500) {
    return failure(CHANNEL, "SMTP_TEMPORARY", `邮件服务器暂时拒绝（${status}）：${reply}`, true);
  }
  if (typeof status === "number" && status >= 500) {
    if (e.code === "EAUTH") return failure(CHANNEL, "SMTP_AUTH", `邮件服务器认证失败（${status}）：${reply}`, false);
    return failure(CHANNEL, "SMTP_REJECTED", `邮件服务器拒收（${status}）：${reply}`, false);
  }
  switch (e.code) {
    case "ETIMEDOUT":
      return failure(CHANNEL, "SMTP_TIMEOUT", `连接邮件服务器超时：${reply}`, true);
    case "ECONNECTION":
    case "ESOCKET":
    case "EDNS":
    case "ECONNREFUSED":
    case "ECONNRESET":
    case "EPROXY":
      return failure(CHANNEL, "SMTP_CONNECTION", `无法连接邮件服务器：${reply}`, true);
    case "EAUTH":
    case "ENOAUTH":
      return failure(CHANNEL, "SMTP_AUTH", `邮件服务器认证失败：${reply}`, false);
    case "ETLS":
    case "EREQUIRETLS":
    case "ECONFIG":
      return failure(CHANNEL, "SMTP_CONFIG", `邮件发送配置错误：${reply}`, false);
    default:
      // An unknown error from a network client is more often a blip than a verdict.
      return failure(CHANNEL, "SMTP_ERROR", `邮件发送失败：${reply}`, true);
  }
}

function parseUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // The URL may hold a password: never echo it.
    throw new NotifierConfigError("邮件服务器地址（DUBAN_SMTP_URL）格式不正确");
  }
  if (parsed.protocol !== "smtp:" && parsed.protocol !== "smtps:") {
    throw new NotifierConfigError(`邮件服务器地址须以 smtp:// 或 smtps:// 开头，实际为 ${parsed.protocol}//`);
  }
  return parsed;
}

/**
 * SMTP through a pooled nodemailer transport. STARTTLS is used whenever the server offers
 * it (nodemailer's default); smtps:// connects with TLS from the start.
 */
export function createEmailNotifier(opts: EmailNotifierOptions): Notifier {
  parseUrl(opts.url);
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const maxConnections = opts.maxConnections ?? 5;
  const transport = nodemailer.createTransport({
    pool: true,
    url: opts.url,
    maxConnections,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  const pool = (transport as unknown as { transporter?: Partial<PoolTransporter> }).transporter;
  const direct = typeof pool?.send === "function" ? (pool as PoolTransporter) : undefined;
  const sendRaw = (composed: ComposedMessage, messageId: string): Promise<SendInfo> =>
    direct
      ? new Promise((resolve, reject) => direct.send(rawMail(composed, messageId), (err, info) => (err ? reject(err) : resolve(info))))
      : transport.sendMail({ raw: composed.raw, envelope: composed.envelope });
  const composeOpts = opts.from !== undefined ? { from: opts.from } : {};

  async function send(msg: OutgoingMessage): Promise<DeliveryResult> {
    const built = await composeFor(CHANNEL, msg, composeOpts);
    if ("failed" in built) return built.failed;
    const { composed } = built;
    const toAddresses = new Set(msg.to.email ?? []);
    if (toAddresses.size === 0) {
      return failure(CHANNEL, "NO_RECIPIENT", `${msg.to.name}（${msg.to.id}）未配置邮箱`, false);
    }
    try {
      // Sending the composed bytes (not the fields) keeps what SMTP carries identical to the .eml file.
      const info = await sendRaw(composed, msg.messageId);
      const rejected: string[] = (info.rejected ?? []).map((a) => String(a));
      const missedTo = [...toAddresses].filter((a) => rejected.includes(a));
      if (missedTo.length === toAddresses.size) {
        // Only copies went out; the unit being reminded got nothing.
        const errs = (info.rejectedErrors ?? []) as SmtpError[];
        const allTemporary = errs.length > 0 && errs.every((e) => (e.responseCode ?? 500) < 500);
        const codeText = errs.map((e) => e.responseCode).join("/");
        return failure(
          CHANNEL,
          allTemporary ? "SMTP_TEMPORARY" : "SMTP_REJECTED",
          `主送邮箱被拒收（${codeText}）：${missedTo.join(", ")}；抄送已发出`,
          // A retry would copy the cc recipients again; only worth it when the refusal was temporary.
          allTemporary,
        );
      }
      const response = typeof info.response === "string" ? info.response.trim() : undefined;
      return {
        ok: true,
        channel: CHANNEL,
        ...(response ? { providerId: response } : {}),
        ...(rejected.length > 0 ? { detail: `部分收件人被拒收：${rejected.join(", ")}` } : {}),
      };
    } catch (err) {
      return classifySmtpError(err);
    }
  }

  return {
    channel: CHANNEL,
    concurrency: maxConnections,
    send,
    async close() {
      transport.close();
    },
  };
}

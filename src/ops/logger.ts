import { pino, type Logger } from "pino";
import { prettyFactory } from "pino-pretty";
import type { LogFields, LogFn } from "./log-fields.ts";
import type { LogFormat, LogLevel } from "./log-level.ts";

export interface HostLoggerOptions {
  level: LogLevel;
  format: LogFormat;
  /** Where lines go (stderr, as the daemon always wrote). */
  write: (line: string) => void;
  /** Whether `write` reaches a terminal: `auto` is pretty there. */
  tty: boolean;
  /** Values that must never appear in a line: robot URLs and secrets, the SMTP URL's password. */
  secrets?: readonly string[];
  /** Fields on every line (campaign, process role). */
  base?: Record<string, unknown>;
}

export interface HostLogger {
  /** The daemon's and dispatcher's log function: text plus facts, scrubbed. */
  log: LogFn;
  pino: Logger;
  /** Contact addresses (the plan's) to hide below debug, once the campaign is open. */
  hideContacts(values: Iterable<string>): void;
}

// Tokens that travel in URLs and error messages: robot keys, DingTalk access_token and sign, passwords in URLs.
const URL_SECRETS = /([?&](?:access_token|key|sign|token|secret|timestamp)=)[^&\s"'<>]+/gi;
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^:/?#\s@]+:)[^@/\s]+@/gi;
// An address in a text the plan does not list (an SMTP server's answer); a Message-ID's hex left-hand side is not one.
const EMAIL = /(?<![A-Za-z0-9._%+-])(?![0-9a-f.]{16,}@)[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
/** Mainland mobile numbers (the plan's contacts may carry them). */
const MOBILE = /(?<!\d)1[3-9]\d{9}(?!\d)/g;

/**
 * Removes secrets from a text; contact addresses too unless `contacts` (debug and trace). Secrets are
 * replaced by exact value first, so a token that does not look like one is caught as well.
 */
export function scrub(text: string, secrets: readonly string[], contacts: boolean, known: readonly string[] = []): string {
  let out = text;
  for (const s of secrets) if (s.length >= 6) out = out.split(s).join("***");
  out = out.replace(URL_SECRETS, "$1***").replace(URL_PASSWORD, "$1***@");
  if (!contacts) {
    for (const k of known) if (k.length >= 3) out = out.split(k).join("<联系方式已隐去>");
    out = out.replace(EMAIL, "<邮箱已隐去>").replace(MOBILE, "<电话已隐去>");
  }
  return out;
}

function scrubValue(v: unknown, secrets: readonly string[], contacts: boolean, known: readonly string[], depth = 0): unknown {
  if (typeof v === "string") return scrub(v, secrets, contacts, known);
  if (depth > 4 || v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) return v.map((x) => scrubValue(x, secrets, contacts, known, depth + 1));
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, scrubValue(x, secrets, contacts, known, depth + 1)]));
}

/**
 * The log of `duban run` and `duban serve`: JSON lines for journald and log shippers, pretty lines on a
 * terminal, at the level the operator chose. Everything is scrubbed on the way out, so no call site
 * can leak a token by forgetting to.
 */
export function createHostLogger(opts: HostLoggerOptions): HostLogger {
  const pretty = opts.format === "pretty" || (opts.format === "auto" && opts.tty);
  const format = pretty ? prettyFactory({ colorize: opts.tty, translateTime: "SYS:yyyy-mm-dd HH:MM:ss.l", ignore: "pid,hostname,name", singleLine: true }) : undefined;
  const stream = { write: (s: string) => opts.write(format ? format(s) : s) };
  const logger = pino({ name: "duban", level: opts.level, base: { pid: process.pid, ...opts.base }, timestamp: pino.stdTimeFunctions.isoTime }, stream);
  const secrets = [...(opts.secrets ?? [])].sort((a, b) => b.length - a.length);
  let known: string[] = [];
  const log: LogFn = (line: string, fields: LogFields = {}) => {
    const { level = "info", ...facts } = fields;
    if (!logger.isLevelEnabled(level)) return;
    const contacts = logger.isLevelEnabled("debug");
    // Contact addresses are facts of a line only when the operator asked for debug.
    if (!contacts) delete facts.addresses;
    logger[level](scrubValue(facts, secrets, contacts, known) as object, scrub(line, secrets, contacts, known));
  };
  const hideContacts = (values: Iterable<string>) => {
    known = [...new Set([...known, ...values])].sort((a, b) => b.length - a.length);
  };
  return { log, pino: logger, hideContacts };
}

/** The secrets a host holds, for {@link scrub}: robot URLs (their keys are in them) and secrets, the SMTP URL's password. */
export function secretsOf(cfg: { smtpUrl?: string; webhooks?: readonly { url: string; secret?: string }[] }): string[] {
  const out: string[] = [];
  if (cfg.smtpUrl) {
    try {
      const u = new URL(cfg.smtpUrl);
      if (u.password) out.push(decodeURIComponent(u.password), u.password);
    } catch {
      // An unparsable URL is refused by the mailer at start, with its own message.
    }
  }
  for (const w of cfg.webhooks ?? []) {
    out.push(w.url);
    if (w.secret) out.push(w.secret);
    try {
      const u = new URL(w.url);
      for (const [, v] of u.searchParams) if (v.length >= 6) out.push(v);
      // Feishu and generic hooks carry the token as a path segment.
      for (const seg of u.pathname.split("/")) if (seg.length >= 16) out.push(seg);
    } catch {
      // As above: the webhook notifier refuses it at start.
    }
  }
  return out;
}

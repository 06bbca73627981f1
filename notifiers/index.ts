import type { Notifier } from "./types.ts";
import { createEmailNotifier } from "./email.ts";
import { createEmlFileNotifier } from "./eml-file.ts";
import { createWebhookNotifier } from "./webhook.ts";
import { createConsoleNotifier } from "./console.ts";
import type { WebhookEndpoint } from "./webhook-format.ts";
import type { Writable } from "node:stream";
import { senderDomain } from "./message-id.ts";
import { DEFAULT_FROM } from "./rfc822.ts";

export type { DeliveryResult, DeliveryFailure, Notifier, OutgoingMessage, Recipient } from "./types.ts";
export { NotifierConfigError } from "./errors.ts";
export { messageIdFromKey, senderDomain, type MessageIdentity } from "./message-id.ts";
export { buildRawMessage, DEFAULT_FROM, InvalidMessageError } from "./rfc822.ts";
export { createEmailNotifier, classifySmtpError, type EmailNotifierOptions } from "./email.ts";
export { createEmlFileNotifier, emlFileName, type EmlFileNotifierOptions } from "./eml-file.ts";
export {
  createWebhookNotifier,
  postWebhook,
  buildWebhookRequest,
  channelOf,
  dingtalkSign,
  feishuSign,
  isRobotNotifier,
  jsonSignature,
  robotDigests,
  RobotLimiter,
  ROBOT_LIMITS,
  secretEnvName,
  type PostResult,
  type RobotNotifier,
  type WebhookNotifierOptions,
} from "./webhook.ts";
export type { RobotDigest, RobotKind, WebhookEndpoint, WebhookKind } from "./webhook-format.ts";
export { resolveRobotSecrets } from "./robot-config.ts";
export { createConsoleNotifier, formatConsoleBlock, type ConsoleNotifierOptions } from "./console.ts";

export interface NotifiersConfig {
  /** SMTP; `url` comes from the host (DUBAN_SMTP_URL), never from the plan. */
  email?: { url: string; from?: string; maxConnections?: number };
  /** Folder for .eml files, the embedded default channel. */
  emlDir?: string;
  webhooks?: WebhookEndpoint[];
  console?: boolean;
  /** From header for the .eml files; defaults to email.from so both channels build the same bytes. */
  emlFrom?: string;
  /** Where the console channel prints; defaults to process.stdout. */
  consoleStream?: Writable;
}

export interface NotifierSet {
  readonly notifiers: readonly Notifier[];
  /** Domain of the From address mail goes out with: the right-hand side of Message-IDs. */
  readonly senderDomain: string;
  /** The notifier for a channel: "email", "eml", "webhook" or "console". */
  get(channel: string): Notifier | undefined;
  /** Closes every notifier (drains the SMTP pool); safe to call twice. */
  close(): Promise<void>;
}

/** Builds the configured channels; throws NotifierConfigError on a bad configuration. */
export function createNotifiers(config: NotifiersConfig): NotifierSet {
  const notifiers: Notifier[] = [];
  if (config.email) notifiers.push(createEmailNotifier(config.email));
  if (config.emlDir !== undefined) {
    const from = config.emlFrom ?? config.email?.from;
    notifiers.push(createEmlFileNotifier({ dir: config.emlDir, ...(from !== undefined ? { from } : {}) }));
  }
  if (config.webhooks && config.webhooks.length > 0) notifiers.push(createWebhookNotifier({ endpoints: config.webhooks }));
  if (config.console) {
    notifiers.push(createConsoleNotifier(config.consoleStream ? { stream: config.consoleStream } : {}));
  }
  let closing: Promise<void> | undefined;
  return {
    notifiers,
    senderDomain: senderDomain(config.email?.from ?? config.emlFrom ?? DEFAULT_FROM) ?? "localhost",
    get: (channel) => notifiers.find((n) => n.channel === channel),
    close() {
      closing ??= Promise.all(notifiers.map((n) => n.close?.())).then(() => undefined);
      return closing;
    },
  };
}

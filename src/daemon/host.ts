import { readFileSync } from "node:fs";
import { createNotifiers, type NotifierSet, type WebhookEndpoint } from "../../notifiers/index.ts";

export interface HostConfig {
  /** SMTP server; from DUBAN_SMTP_URL, never from the plan. Without it, messages are written as .eml files. */
  smtpUrl?: string;
  smtpFrom?: string;
  emlDir: string;
  /** A JSON file listing chat robots: [{ id, kind: "wecom"|"dingtalk"|"json", url, secret? }]. */
  webhooksFile?: string;
  /** Robots from duban.config.yaml, their secrets read in; DUBAN_WEBHOOKS (webhooksFile) wins over them. */
  webhooks?: WebhookEndpoint[];
  console?: boolean;
  /** Where people open their items (links in messages); overrides the plan's campaign.baseUrl. */
  baseUrl?: string;
}

export function hostConfigFromEnv(env: NodeJS.ProcessEnv, overrides: Partial<HostConfig> = {}): HostConfig {
  return {
    ...(env.DUBAN_SMTP_URL ? { smtpUrl: env.DUBAN_SMTP_URL } : {}),
    ...(env.DUBAN_SMTP_FROM ? { smtpFrom: env.DUBAN_SMTP_FROM } : {}),
    emlDir: env.DUBAN_EML_DIR ?? "./outbox-eml",
    ...(env.DUBAN_WEBHOOKS ? { webhooksFile: env.DUBAN_WEBHOOKS } : {}),
    ...(env.DUBAN_BASE_URL ? { baseUrl: env.DUBAN_BASE_URL } : {}),
    ...overrides,
  };
}

/** The notifiers a host runs with: SMTP when configured, else .eml files; chat robots when listed. */
export function notifiersFor(cfg: HostConfig): NotifierSet {
  const webhooks = robotsOf(cfg);
  return createNotifiers({
    ...(cfg.smtpUrl ? { email: { url: cfg.smtpUrl, ...(cfg.smtpFrom ? { from: cfg.smtpFrom } : {}) } } : { emlDir: cfg.emlDir }),
    ...(webhooks ? { webhooks } : {}),
    ...(cfg.console ? { console: true } : {}),
  });
}

/** The robots a host posts to: the DUBAN_WEBHOOKS file when set, else the configuration's. */
export function robotsOf(cfg: HostConfig): WebhookEndpoint[] | undefined {
  return cfg.webhooksFile ? (JSON.parse(readFileSync(cfg.webhooksFile, "utf8")) as WebhookEndpoint[]) : cfg.webhooks;
}

/** Where messages go, for the log line at start (never the password). */
export function describeChannels(cfg: HostConfig): string {
  const mail = cfg.smtpUrl ? `SMTP ${new URL(cfg.smtpUrl).host}` : `.eml files in ${cfg.emlDir}`;
  const robots = cfg.webhooksFile ? `webhooks from ${cfg.webhooksFile}` : cfg.webhooks?.length ? `webhooks ${cfg.webhooks.map((w) => w.id).join(",")}` : "";
  return [mail, robots, cfg.console ? "console" : ""].filter(Boolean).join(", ");
}

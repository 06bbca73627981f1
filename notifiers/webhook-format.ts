import { createHash, createHmac } from "node:crypto";
import type { OutgoingMessage } from "./types.ts";

export type WebhookKind = "wecom" | "dingtalk" | "feishu" | "json";
/** The chat robots: rate-limited, answering with their own JSON verdict. "json" is Duban's own generic webhook. */
export type RobotKind = Exclude<WebhookKind, "json">;

/** A configured endpoint; recipients name it by id in `Recipient.webhooks`. */
export interface WebhookEndpoint {
  id: string;
  kind: WebhookKind;
  /** WeCom: the URL carries the robot key; DingTalk: access_token; Feishu/Lark: the hook token. */
  url: string;
  /**
   * DingTalk "加签" or Feishu/Lark "签名校验" secret, or the HMAC key for the generic JSON webhook. Never in
   * the plan: the host reads it from DUBAN_ROBOT_SECRET_<ID> or `secretFile` (see robot-config.ts).
   */
  secret?: string;
  /** Posts a minute this robot takes; defaults to its published limit (ROBOT_LIMITS). */
  perMinute?: number;
}

export interface RobotProfile {
  /** Chinese name for messages. */
  name: string;
  rules: { max: number; windowMs: number }[];
  /** Answers that mean "too many, later": the post was not taken. */
  rateLimitCodes: ReadonlySet<number>;
  /** How long the robot refuses after such an answer. */
  blockMs: number;
  /** Largest markdown the robot takes, in UTF-8 bytes; a digest is split to fit. */
  maxBytes: number;
}

const MINUTE = 60_000;

/**
 * The published limits. WeCom: 20 a minute, errcode 45009 when exceeded. DingTalk: 20 a minute, then the
 * robot is blocked for 10 minutes (errcode 130101, or 410100 "发送速度太快而限流"). Feishu/Lark: 100 a minute
 * and 5 a second, code 11232 or 9499 when exceeded.
 */
export const ROBOT_LIMITS: Record<RobotKind, RobotProfile> = {
  wecom: { name: "企业微信群机器人", rules: [{ max: 20, windowMs: MINUTE }], rateLimitCodes: new Set([45009]), blockMs: MINUTE, maxBytes: 4096 },
  dingtalk: { name: "钉钉群机器人", rules: [{ max: 20, windowMs: MINUTE }], rateLimitCodes: new Set([130101, 410100]), blockMs: 10 * MINUTE, maxBytes: 18_000 },
  feishu: { name: "飞书群机器人", rules: [{ max: 100, windowMs: MINUTE }, { max: 5, windowMs: 1000 }], rateLimitCodes: new Set([11232, 9499]), blockMs: MINUTE, maxBytes: 18_000 },
};

export function isRobot(kind: WebhookKind): kind is RobotKind {
  return kind !== "json";
}

/** The rules for one endpoint: its kind's, with `perMinute` in place of the minute limit when set. */
export function robotRules(endpoint: WebhookEndpoint): RobotProfile["rules"] {
  if (!isRobot(endpoint.kind)) return [];
  const rules = ROBOT_LIMITS[endpoint.kind].rules;
  return endpoint.perMinute === undefined ? rules : rules.map((r) => (r.windowMs === MINUTE ? { ...r, max: endpoint.perMinute! } : r));
}

export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

// WeCom rejects markdown content over 4096 bytes (errcode 40058); a cut reminder beats none.
const WECOM_MARKDOWN_MAX_BYTES = ROBOT_LIMITS.wecom.maxBytes;

export function markdownOf(msg: OutgoingMessage): string {
  return msg.markdown ?? `**${msg.subject}**\n\n${msg.text}`;
}

function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, "utf8") <= maxBytes) return text;
  const marker = "\n\n……（内容过长，已截断）";
  let out = "";
  let used = Buffer.byteLength(marker, "utf8");
  for (const ch of text) {
    const size = Buffer.byteLength(ch, "utf8");
    if (used + size > maxBytes) break;
    out += ch;
    used += size;
  }
  return out + marker;
}

/** DingTalk "加签": base64(HMAC-SHA256(secret, timestamp + "\n" + secret)), not yet URL-encoded. */
export function dingtalkSign(secret: string, timestamp: number): string {
  return createHmac("sha256", secret).update(`${timestamp}\n${secret}`, "utf8").digest("base64");
}

/** Feishu/Lark "签名校验": base64(HMAC-SHA256(key = timestamp + "\n" + secret, message = "")), timestamp in seconds. */
export function feishuSign(secret: string, timestampSeconds: number): string {
  return createHmac("sha256", `${timestampSeconds}\n${secret}`).update("", "utf8").digest("base64");
}

/** Value of X-Duban-Signature: lets the receiver check the body came from us unchanged. */
export function jsonSignature(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body, "utf8").digest("hex")}`;
}

/** Builds the HTTP request for one endpoint; pure apart from `now`, which DingTalk signs. */
export function buildWebhookRequest(endpoint: WebhookEndpoint, msg: OutgoingMessage, now: number = Date.now()): WebhookRequest {
  const headers: Record<string, string> = { "content-type": "application/json; charset=utf-8" };
  switch (endpoint.kind) {
    case "wecom": {
      const body = JSON.stringify({
        msgtype: "markdown",
        markdown: { content: truncateUtf8(markdownOf(msg), WECOM_MARKDOWN_MAX_BYTES) },
      });
      return { url: endpoint.url, headers, body };
    }
    case "dingtalk": {
      const body = JSON.stringify({ msgtype: "markdown", markdown: { title: msg.subject, text: markdownOf(msg) } });
      if (endpoint.secret === undefined) return { url: endpoint.url, headers, body };
      const url = new URL(endpoint.url);
      url.searchParams.set("timestamp", String(now));
      // searchParams percent-encodes "+", "/" and "=" exactly as urlencode does for base64.
      url.searchParams.set("sign", dingtalkSign(endpoint.secret, now));
      return { url: url.toString(), headers, body };
    }
    case "feishu": {
      const seconds = Math.floor(now / 1000);
      const body = JSON.stringify({
        ...(endpoint.secret !== undefined ? { timestamp: String(seconds), sign: feishuSign(endpoint.secret, seconds) } : {}),
        msg_type: "interactive",
        card: {
          header: { title: { tag: "plain_text", content: msg.subject } },
          elements: [{ tag: "markdown", content: truncateUtf8(markdownOf(msg), ROBOT_LIMITS.feishu.maxBytes) }],
        },
      });
      return { url: endpoint.url, headers, body };
    }
    case "json": {
      const body = JSON.stringify({
        messageId: msg.messageId,
        to: { id: msg.to.id, name: msg.to.name },
        subject: msg.subject,
        text: msg.text,
      });
      if (endpoint.secret !== undefined) headers["x-duban-signature"] = jsonSignature(endpoint.secret, body);
      return { url: endpoint.url, headers, body };
    }
  }
}

export interface RobotDigest {
  /** The messages this post carries, in order. */
  members: OutgoingMessage[];
  message: OutgoingMessage;
}

/**
 * What waited for a robot's limit, merged: one post listing each message's subject, split into as few
 * posts as fit the robot's size limit. Each waiting message still went out in full by its other channels.
 */
export function robotDigests(kind: RobotKind, waiting: readonly OutgoingMessage[]): RobotDigest[] {
  const max = ROBOT_LIMITS[kind].maxBytes - 200;
  const chunks: OutgoingMessage[][] = [];
  let bytes = 0;
  for (const m of waiting) {
    const size = Buffer.byteLength(digestLine(0, m), "utf8");
    if (chunks.length === 0 || (bytes + size > max && chunks.at(-1)!.length > 0)) {
      chunks.push([]);
      bytes = 0;
    }
    chunks.at(-1)!.push(m);
    bytes += size;
  }
  return chunks.map((members, i) => {
    const part = chunks.length > 1 ? `（${i + 1}/${chunks.length}）` : "";
    const subject = `督办消息汇总${part}：共 ${members.length} 条`;
    const lines = members.map((m, k) => digestLine(k + 1, m));
    const intro = `本群机器人已达${ROBOT_LIMITS[kind].name.replace(/群机器人$/, "")}发送限额，以下 ${members.length} 条合并为一条发出；各单位的完整通知另见邮件。`;
    const text = [intro, "", ...lines].join("\n");
    const id = createHash("sha256").update(members.map((m) => m.messageId).join("\n")).digest("hex").slice(0, 32);
    return {
      members,
      message: { messageId: `<digest.${id}@duban>`, to: { id: "digest", name: "合并消息" }, subject, text, html: "", markdown: `**${subject}**\n\n${text}` },
    };
  });
}

function digestLine(n: number, m: OutgoingMessage): string {
  return `${n}. ${m.to.name}：${m.subject.replace(/\s+/g, " ").trim()}`;
}

import { createHmac } from "node:crypto";
import type { OutgoingMessage } from "./types.ts";

export type WebhookKind = "wecom" | "dingtalk" | "json";

/** A configured endpoint; recipients name it by id in `Recipient.webhooks`. */
export interface WebhookEndpoint {
  id: string;
  kind: WebhookKind;
  /** WeCom: the URL carries the robot key; DingTalk: the URL carries access_token. */
  url: string;
  /** DingTalk "加签" secret, or the HMAC key for the generic JSON webhook. */
  secret?: string;
}

export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

// WeCom rejects markdown content over 4096 bytes (errcode 40058); a cut reminder beats none.
const WECOM_MARKDOWN_MAX_BYTES = 4096;

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

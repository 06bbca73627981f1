import type { DeliveryResult, DeliveryFailure, Notifier, OutgoingMessage } from "./types.ts";
import { failure } from "./types.ts";
import { NotifierConfigError } from "./errors.ts";
import { buildWebhookRequest, type WebhookEndpoint } from "./webhook-format.ts";

export { buildWebhookRequest, dingtalkSign, jsonSignature, markdownOf } from "./webhook-format.ts";
export type { WebhookEndpoint, WebhookKind, WebhookRequest } from "./webhook-format.ts";

export interface WebhookNotifierOptions {
  endpoints: WebhookEndpoint[];
  /** Whole-request timeout per endpoint, body included; defaults to 10 s. */
  timeoutMs?: number;
}

const CHANNEL = "webhook";
const KINDS = new Set(["wecom", "dingtalk", "json"]);
// errcodes that mean "later": -1 system busy (both), 45009 WeCom rate limit, 130101 DingTalk rate limit.
const RETRYABLE_ERRCODES = new Set([-1, 45009, 130101]);
// Bounds the memory of already-delivered (message, endpoint) pairs.
const DELIVERED_MEMORY = 10_000;

function endpointFailure(endpoint: WebhookEndpoint, code: string, error: string, retryable: boolean): DeliveryFailure {
  return failure(CHANNEL, code, `${endpoint.id}：${error}`, retryable);
}

/** Posts one message to one endpoint and classifies the outcome; never throws. */
export async function postWebhook(
  endpoint: WebhookEndpoint,
  msg: OutgoingMessage,
  timeoutMs = 10_000,
): Promise<DeliveryResult> {
  const req = buildWebhookRequest(endpoint, msg);
  let status: number;
  let text: string;
  try {
    const res = await fetch(req.url, {
      method: "POST",
      headers: req.headers,
      body: req.body,
      // A robot URL that redirects is misconfigured; following it would replay the POST elsewhere.
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
    status = res.status;
    text = await res.text();
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    if (e.name === "TimeoutError" || e.name === "AbortError") {
      return endpointFailure(endpoint, "WEBHOOK_TIMEOUT", `请求超时（${timeoutMs} 毫秒）`, true);
    }
    const cause = e.cause?.code ? `（${e.cause.code}）` : "";
    return endpointFailure(endpoint, "WEBHOOK_NETWORK", `网络错误${cause}：${e.message}`, true);
  }
  const snippet = text.slice(0, 200);
  if (status < 200 || status >= 300) {
    const retryable = status >= 500 || status === 429 || status === 408;
    return endpointFailure(endpoint, "WEBHOOK_HTTP", `HTTP ${status}：${snippet}`, retryable);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  // WeCom and DingTalk answer 200 even when they refuse; the verdict is in errcode.
  if (parsed !== null && typeof parsed === "object" && "errcode" in parsed) {
    const { errcode, errmsg } = parsed as { errcode: unknown; errmsg?: unknown };
    if (typeof errcode === "number" && errcode !== 0) {
      return endpointFailure(
        endpoint,
        "WEBHOOK_ERRCODE",
        `机器人返回错误 errcode=${errcode}：${String(errmsg ?? "")}`,
        RETRYABLE_ERRCODES.has(errcode),
      );
    }
  }
  return { ok: true, channel: CHANNEL, detail: endpoint.id };
}

function validate(endpoints: readonly WebhookEndpoint[]): Map<string, WebhookEndpoint> {
  const byId = new Map<string, WebhookEndpoint>();
  for (const ep of endpoints) {
    if (!ep.id) throw new NotifierConfigError("Webhook 缺少 id");
    if (byId.has(ep.id)) throw new NotifierConfigError(`Webhook id 重复：${ep.id}`);
    if (!KINDS.has(ep.kind)) throw new NotifierConfigError(`Webhook ${ep.id} 类型无效：${String(ep.kind)}`);
    let url: URL;
    try {
      url = new URL(ep.url);
    } catch {
      throw new NotifierConfigError(`Webhook ${ep.id} 地址格式不正确`);
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") {
      throw new NotifierConfigError(`Webhook ${ep.id} 地址须为 http(s)`);
    }
    if (ep.kind === "wecom" && ep.secret !== undefined) {
      // Silently ignoring it would suggest the requests are signed when they are not.
      throw new NotifierConfigError(`Webhook ${ep.id}：企业微信群机器人不支持加签，请去掉 secret`);
    }
    byId.set(ep.id, ep);
  }
  return byId;
}

/**
 * Sends a message to every endpoint in `to.webhooks`. Chat robots cannot deduplicate, so
 * endpoints that already took a message are remembered (in memory) and skipped when the
 * caller retries after a partial failure.
 */
export function createWebhookNotifier(opts: WebhookNotifierOptions): Notifier {
  const byId = validate(opts.endpoints);
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const delivered = new Set<string>();

  function remember(key: string): void {
    delivered.add(key);
    if (delivered.size > DELIVERED_MEMORY) {
      const oldest = delivered.values().next().value;
      if (oldest !== undefined) delivered.delete(oldest);
    }
  }

  async function send(msg: OutgoingMessage): Promise<DeliveryResult> {
    const ids = [...new Set(msg.to.webhooks ?? [])];
    if (ids.length === 0) {
      return failure(CHANNEL, "NO_RECIPIENT", `${msg.to.name}（${msg.to.id}）未配置 Webhook`, false);
    }
    const unknown = ids.filter((id) => !byId.has(id));
    if (unknown.length > 0) {
      return failure(CHANNEL, "UNKNOWN_WEBHOOK", `未配置的 Webhook：${unknown.join(", ")}`, false);
    }
    const results = await Promise.all(
      ids.map(async (id) => {
        const key = `${msg.messageId}\n${id}`;
        if (delivered.has(key)) return { ok: true as const, channel: CHANNEL, detail: id };
        const result = await postWebhook(byId.get(id)!, msg, timeoutMs);
        if (result.ok) remember(key);
        return result;
      }),
    );
    const failed = results.filter((r): r is DeliveryFailure => !r.ok);
    if (failed.length === 0) return { ok: true, channel: CHANNEL, detail: ids.join(", ") };
    const first = failed[0]!;
    return failure(
      CHANNEL,
      failed.every((f) => f.code === first.code) ? first.code : "WEBHOOK_MULTIPLE",
      failed.map((f) => f.error).join("；"),
      failed.some((f) => f.retryable),
    );
  }

  return { channel: CHANNEL, send };
}

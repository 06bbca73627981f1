import type { DeliveryResult, DeliveryFailure, Notifier, OutgoingMessage } from "./types.ts";
import { failure } from "./types.ts";
import { NotifierConfigError } from "./errors.ts";
import { buildWebhookRequest, isRobot, ROBOT_LIMITS, robotRules, type RobotKind, type WebhookEndpoint } from "./webhook-format.ts";
import { RobotLimiter } from "./robot-limiter.ts";

export { buildWebhookRequest, dingtalkSign, feishuSign, jsonSignature, markdownOf, robotDigests, ROBOT_LIMITS } from "./webhook-format.ts";
export type { RobotDigest, RobotKind, WebhookEndpoint, WebhookKind, WebhookRequest } from "./webhook-format.ts";
export { RobotLimiter, type RateRule } from "./robot-limiter.ts";

export interface WebhookNotifierOptions {
  endpoints: WebhookEndpoint[];
  /** Whole-request timeout per endpoint, body included; defaults to 10 s. */
  timeoutMs?: number;
}

const CHANNEL = "webhook";
const KINDS = new Set(["wecom", "dingtalk", "feishu", "json"]);
// Verdicts that mean "later" besides the rate limits: -1 system busy (WeCom, DingTalk), 2200 internal error (Feishu).
const BUSY_CODES = new Set([-1, 2200]);
// Bounds the memory of already-delivered (message, endpoint) pairs.
const DELIVERED_MEMORY = 10_000;

/** The channel a delivery is recorded under: the robot's kind, or "webhook" for the generic JSON one. */
export function channelOf(endpoint: WebhookEndpoint): string {
  return isRobot(endpoint.kind) ? endpoint.kind : CHANNEL;
}

function endpointFailure(endpoint: WebhookEndpoint, code: string, error: string, retryable: boolean): DeliveryFailure {
  return failure(channelOf(endpoint), code, `${endpoint.id}：${error}`, retryable);
}

/** A post's outcome; `rateLimited` when the robot refused it for its limit (nothing was posted). */
export type PostResult = DeliveryResult & { rateLimited?: boolean };

/**
 * The robot's own verdict on a 2xx answer. WeCom and DingTalk answer {errcode, errmsg}, Feishu/Lark {code, msg}
 * (older hooks {StatusCode, StatusMessage}). Anything else (a proxy's HTML login page answering 200) is no
 * delivery: nothing reached the group.
 */
function robotVerdict(endpoint: WebhookEndpoint & { kind: RobotKind }, text: string): PostResult {
  const profile = ROBOT_LIMITS[endpoint.kind];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const o = parsed !== null && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  const code = endpoint.kind === "feishu" ? (o?.code ?? o?.StatusCode) : o?.errcode;
  const message = endpoint.kind === "feishu" ? (o?.msg ?? o?.StatusMessage) : o?.errmsg;
  if (typeof code !== "number") {
    const snippet = text.replace(/\s+/g, " ").trim().slice(0, 120);
    return endpointFailure(endpoint, "ROBOT_BAD_ANSWER", `应答不是${profile.name}的 JSON 应答，消息未送达（可能被代理或登录页拦截）：${snippet || "（空）"}`, true);
  }
  if (code === 0) return { ok: true, channel: channelOf(endpoint), detail: endpoint.id };
  if (profile.rateLimitCodes.has(code)) {
    return { ...endpointFailure(endpoint, "ROBOT_RATE_LIMITED", `${profile.name}限流（${code}）：${String(message ?? "")}`, true), rateLimited: true };
  }
  return endpointFailure(endpoint, "WEBHOOK_ERRCODE", `机器人返回错误 ${endpoint.kind === "feishu" ? "code" : "errcode"}=${code}：${String(message ?? "")}`, BUSY_CODES.has(code));
}

/** Posts one message to one endpoint and classifies the outcome; never throws. `now` is what the signature is made at. */
export async function postWebhook(
  endpoint: WebhookEndpoint,
  msg: OutgoingMessage,
  timeoutMs = 10_000,
  now = Date.now(),
): Promise<PostResult> {
  const req = buildWebhookRequest(endpoint, msg, now);
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
  if (isRobot(endpoint.kind)) return robotVerdict(endpoint as WebhookEndpoint & { kind: RobotKind }, text);
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
    if (ep.kind === "feishu" && !ep.secret) {
      throw new NotifierConfigError(`Webhook ${ep.id}：飞书群机器人须开启签名校验，请设置环境变量 ${secretEnvName(ep.id)} 或 secretFile`);
    }
    if (ep.perMinute !== undefined && !(Number.isInteger(ep.perMinute) && ep.perMinute > 0)) {
      throw new NotifierConfigError(`Webhook ${ep.id}：perMinute 须为正整数，实际为 ${String(ep.perMinute)}`);
    }
    byId.set(ep.id, ep);
  }
  return byId;
}

/** The environment variable a robot's secret is read from: DUBAN_ROBOT_SECRET_ plus the id in capitals. */
export function secretEnvName(id: string): string {
  return `DUBAN_ROBOT_SECRET_${id.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;
}

/** The webhook channel as the dispatcher drives it: one robot at a time, within its limits. */
export interface RobotNotifier extends Notifier {
  endpoint(id: string): WebhookEndpoint | undefined;
  /** The robot's bucket, shared by every dispatcher of this process. */
  limiter(id: string): RobotLimiter;
  /** One post to one endpoint, signed at `now`; no memory of what was posted: the dispatcher keeps that. */
  post(id: string, msg: OutgoingMessage, now?: number): Promise<PostResult>;
}

export function isRobotNotifier(n: Notifier | undefined): n is RobotNotifier {
  return n !== undefined && typeof (n as Partial<RobotNotifier>).post === "function";
}

/**
 * Sends a message to every endpoint in `to.webhooks`. Chat robots cannot deduplicate, so
 * endpoints that already took a message are remembered (in memory) and skipped when the
 * caller retries after a partial failure.
 */
export function createWebhookNotifier(opts: WebhookNotifierOptions): RobotNotifier {
  const byId = validate(opts.endpoints);
  const limiters = new Map<string, RobotLimiter>();
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

  return {
    channel: CHANNEL,
    send,
    endpoint: (id) => byId.get(id),
    limiter(id) {
      let l = limiters.get(id);
      if (!l) limiters.set(id, (l = new RobotLimiter(byId.has(id) ? robotRules(byId.get(id)!) : [])));
      return l;
    },
    post(id, msg, now) {
      const ep = byId.get(id);
      if (!ep) return Promise.resolve(failure(CHANNEL, "UNKNOWN_WEBHOOK", `未配置的 Webhook：${id}`, false));
      return postWebhook(ep, msg, timeoutMs, now);
    },
  };
}

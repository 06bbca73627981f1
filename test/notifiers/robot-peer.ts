import { createHmac } from "node:crypto";
import { feishuSign } from "../../notifiers/index.ts";
import { json, startHttp, type HttpFixture } from "./fixtures.ts";

export interface RobotPeerOptions {
  kind: "wecom" | "dingtalk" | "feishu";
  /** Posts the robot takes in any 60 s before it refuses. */
  perMinute: number;
  /** Feishu's second rule. */
  perSecond?: number;
  /** How long the robot refuses everything once its limit was exceeded (DingTalk: 10 minutes). */
  blockMs?: number;
  /** Verifies DingTalk's 加签 or Feishu's 签名校验 with this secret. */
  secret?: string;
  /**
   * The peer's clock: the test's fake one. A signed robot reads the instant it was signed at instead, our
   * own clock to the millisecond (DingTalk) or second (Feishu), as the real ones check it against theirs.
   */
  clock: () => number;
  /** An HTTP status to answer with instead (an outage), or "html" for a proxy's login page answering 200. */
  fault?: () => number | "html" | undefined;
}

export interface PeerPost {
  at: number;
  accepted: boolean;
  /** The markdown posted. */
  text: string;
  /** Why the robot refused, or the HTTP status of a fault. */
  refused?: string;
}

export interface RobotPeer {
  url: string;
  posts: PeerPost[];
  /** Posts that arrived while the robot had us blocked (after the one that caused the block). */
  duringBlock: () => number;
  /** The most posts in any window of `ms`, accepted or not: what we sent, not what it took. */
  mostIn: (ms: number) => number;
  accepted: () => string[];
  close(): Promise<void>;
}

const RATE_CODE = { wecom: 45009, dingtalk: 130101, feishu: 11232 } as const;

/**
 * A local robot that behaves like the real ones: it checks the signature, takes at most its limit in any
 * sliding window, answers the robot's own rate-limit code beyond it and, like DingTalk, then refuses
 * everything for a while. Its clock is the test's, so an hour of outage takes seconds.
 */
export async function startRobotPeer(o: RobotPeerOptions): Promise<RobotPeer> {
  const posts: PeerPost[] = [];
  let blockedUntil = -Infinity;
  let duringBlock = 0;
  const answer = (code: number, msg: string) => (o.kind === "feishu" ? { code, msg, data: {} } : { errcode: code, errmsg: msg });
  const http: HttpFixture = await startHttp((hit, res) => {
    const body = JSON.parse(hit.body || "{}") as Record<string, any>;
    const signedAt = o.secret === undefined ? undefined : o.kind === "dingtalk" ? Number(new URL(hit.url, "http://x").searchParams.get("timestamp")) : Number(body.timestamp) * 1000;
    const now = signedAt !== undefined && Number.isFinite(signedAt) ? signedAt : o.clock();
    const text: string = o.kind === "wecom" ? body.markdown?.content : o.kind === "dingtalk" ? body.markdown?.text : body.card?.elements?.[0]?.content;
    const refuse = (why: string) => posts.push({ at: now, accepted: false, text, refused: why });
    const fault = o.fault?.();
    if (fault === "html") {
      refuse("html");
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      return res.end("<!doctype html><html><body><h1>上网认证</h1><form>请登录</form></body></html>");
    }
    if (fault !== undefined) {
      refuse(String(fault));
      return json(res, fault, { error: "internal" });
    }
    if (o.secret !== undefined) {
      const url = new URL(hit.url, "http://x");
      const ts = o.kind === "dingtalk" ? Number(url.searchParams.get("timestamp")) : Number(body.timestamp) * 1000;
      const expected =
        o.kind === "dingtalk"
          ? createHmac("sha256", o.secret).update(`${url.searchParams.get("timestamp")}\n${o.secret}`).digest("base64")
          : feishuSign(o.secret, Number(body.timestamp));
      const given = o.kind === "dingtalk" ? url.searchParams.get("sign") : body.sign;
      if (given !== expected || !(Math.abs(ts - o.clock()) < 3_600_000)) {
        refuse("sign");
        return json(res, 200, o.kind === "feishu" ? answer(19021, "sign match fail or timestamp is not within one hour from current time") : answer(310000, "sign not match"));
      }
    }
    if (now < blockedUntil) {
      duringBlock++;
      refuse("blocked");
      return json(res, 200, answer(RATE_CODE[o.kind], "send too fast, robot blocked"));
    }
    const taken = posts.filter((p) => p.accepted);
    const over = taken.filter((p) => p.at > now - 60_000).length >= o.perMinute || (o.perSecond !== undefined && taken.filter((p) => p.at > now - 1000).length >= o.perSecond);
    if (over) {
      if (o.blockMs) blockedUntil = now + o.blockMs;
      refuse("limit");
      return json(res, 200, answer(RATE_CODE[o.kind], "send too fast, exceed 20 times per minute"));
    }
    posts.push({ at: now, accepted: true, text });
    json(res, 200, answer(0, "ok"));
  });
  return {
    url: o.kind === "wecom" ? `${http.base}/cgi-bin/webhook/send?key=k` : o.kind === "dingtalk" ? `${http.base}/robot/send?access_token=t` : `${http.base}/open-apis/bot/v2/hook/h`,
    posts,
    duringBlock: () => duringBlock,
    mostIn: (ms) => Math.max(0, ...posts.map((p) => posts.filter((q) => q.at >= p.at && q.at < p.at + ms).length)),
    accepted: () => posts.filter((p) => p.accepted).map((p) => p.text),
    close: () => http.close(),
  };
}

import { channelOf, robotDigests, ROBOT_LIMITS, type DeliveryResult, type OutgoingMessage, type PostResult, type RobotNotifier } from "../../notifiers/index.ts";
import { isRobot } from "../../notifiers/webhook-format.ts";
import { formatInstant, formatLocal, type EpochMs } from "../engine/calendar.ts";

/** One message waiting for the robots it goes to, as the dispatcher queued it during a cycle. */
export interface RobotWaiting {
  id: number;
  msg: OutgoingMessage;
  endpoints: string[];
}

/** A post that carried a message: recorded with its outcome, so a restarted dispatcher knows the robot's budget. */
export interface RobotPost {
  id: string;
  at: string;
  /** Message-ID of the digest, when the message went out merged with others. */
  digest?: string;
}

export interface RobotOutcome {
  result: DeliveryResult;
  post?: RobotPost;
  /** The robot refused for its limit: nothing goes to it before this instant. */
  blockedUntil?: string;
}

/** A robot's window is rarely more than a second away for Feishu's per-second rule: waiting beats a retry. */
const MAX_WAIT_MS = 2_000;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Posts what one dispatch cycle queued for the chat robots, robot by robot and within each robot's
 * limits. Messages beyond the budget are not queued one by one: all that wait go out merged into one
 * digest (or as few as the robot's size limit allows), taking one token. A robot that refuses for its
 * limit is left alone until its block ends; one that fails otherwise (HTTP 500, a timeout, an HTML page, a
 * wrong signature) is not posted to again in this cycle: an outage costs one request a robot a cycle, not
 * one a message.
 */
export class RobotRelay {
  constructor(
    private readonly robots: RobotNotifier,
    private readonly zone: string,
  ) {}

  /** Every queued message's outcome on every robot it goes to: by message id, then endpoint id. */
  async flush(queue: readonly RobotWaiting[], clock: () => EpochMs): Promise<Map<number, Map<string, RobotOutcome>>> {
    const out = new Map<number, Map<string, RobotOutcome>>();
    const byEndpoint = new Map<string, RobotWaiting[]>();
    for (const q of queue) {
      out.set(q.id, new Map());
      for (const e of q.endpoints) (byEndpoint.get(e) ?? byEndpoint.set(e, []).get(e)!).push(q);
    }
    await Promise.all(
      [...byEndpoint].map(async ([endpoint, waiting]) => {
        for (const [id, outcome] of await this.flushOne(endpoint, waiting, clock)) out.get(id)!.set(endpoint, outcome);
      }),
    );
    return out;
  }

  private async flushOne(id: string, waiting: readonly RobotWaiting[], clock: () => EpochMs): Promise<Map<number, RobotOutcome>> {
    const out = new Map<number, RobotOutcome>();
    const ep = this.robots.endpoint(id);
    if (!ep) {
      for (const w of waiting) out.set(w.id, { result: await this.robots.post(id, w.msg) });
      return out;
    }
    const channel = channelOf(ep);
    const limiter = this.robots.limiter(id);
    const name = isRobot(ep.kind) ? ROBOT_LIMITS[ep.kind].name : "Webhook";
    const defer = (rest: readonly RobotWaiting[], until: EpochMs, code: string, why: string, blockedUntil?: string) => {
      for (const w of rest)
        out.set(w.id, {
          result: { ok: false, channel, retryable: true, code, error: `${id}：${why}，${formatLocal(until, this.zone)} 再发`, retryAt: until },
          ...(blockedUntil ? { blockedUntil } : {}),
        });
    };
    let t = clock();
    const blocked = limiter.blocked(t);
    if (blocked !== undefined) {
      defer(waiting, blocked, "ROBOT_BLOCKED", `${name}限流中`);
      return out;
    }
    const budget = limiter.available(t, MAX_WAIT_MS);
    if (budget === 0) {
      defer(waiting, limiter.nextFree(t), "ROBOT_WAITING", `${name}本分钟发送限额已用完`);
      return out;
    }
    // The posts of this cycle: singles while the budget lasts, the rest merged; singles + digests within budget.
    type Post = { members: RobotWaiting[]; msg: OutgoingMessage; digest?: string };
    let posts: Post[] = waiting.map((w) => ({ members: [w], msg: w.msg }));
    if (waiting.length > budget && isRobot(ep.kind)) {
      const kind = ep.kind;
      const merge = (singles: number): Post[] => [
        ...waiting.slice(0, singles).map((w) => ({ members: [w], msg: w.msg })),
        ...robotDigests(kind, waiting.slice(singles).map((w) => w.msg)).map((d) => ({
          members: d.members.map((m) => waiting.slice(singles).find((w) => w.msg === m)!),
          msg: d.message,
          digest: d.message.messageId,
        })),
      ];
      let singles = budget - 1;
      posts = merge(singles);
      while (posts.length > budget && singles > 0) posts = merge(--singles);
    }
    for (const [i, post] of posts.entries()) {
      const rest = posts.slice(i).flatMap((p) => p.members);
      t = clock();
      const free = limiter.nextFree(t);
      if (free > t) {
        if (free - t > MAX_WAIT_MS) {
          defer(rest, free, "ROBOT_WAITING", `${name}本分钟发送限额已用完`);
          return out;
        }
        await sleep(free - t);
        t = Math.max(clock(), free);
      }
      limiter.take(t);
      const result: PostResult = await this.robots.post(id, post.msg, t);
      const at = formatInstant(t, this.zone);
      if (result.ok) {
        for (const w of post.members) out.set(w.id, { result: { ...result, channel }, post: { id, at, ...(post.digest ? { digest: post.digest } : {}) } });
        continue;
      }
      if (result.rateLimited && isRobot(ep.kind)) {
        const until = t + ROBOT_LIMITS[ep.kind].blockMs;
        limiter.block(until);
        defer(rest, until, "ROBOT_RATE_LIMITED", `${result.error.replace(`${id}：`, "")}；暂停发送`, formatInstant(until, this.zone));
        return out;
      }
      for (const w of post.members) out.set(w.id, { result });
      // The robot is failing (down, or refusing its key or signature): the others are not posted to it now.
      // A temporary failure leaves them to their own retry; a refusal for good is the robot's, not the message's.
      for (const w of posts.slice(i + 1).flatMap((p) => p.members)) out.set(w.id, { result: { ...result, error: `${result.error}（同一机器人本轮未再尝试）` } });
      return out;
    }
    return out;
  }
}

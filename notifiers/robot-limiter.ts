/**
 * A chat robot's published limit: at most `max` posts in any `windowMs`. WeCom and DingTalk count 20 a
 * minute, Feishu 100 a minute and 5 a second; DingTalk blocks a robot for 10 minutes when it is exceeded.
 */
export interface RateRule {
  max: number;
  windowMs: number;
}

/**
 * The token bucket of one robot, kept as the instants of its recent posts: a token spent at t comes back at
 * t + window. A bucket refilled continuously (one token every window/max) would let a full burst follow a
 * full burst within one window, twice the limit the robot enforces over any sliding minute; this never does.
 * Time is whatever clock the caller passes (the dispatcher's, so drills and tests run on a fake one).
 */
export class RobotLimiter {
  private readonly posts: number[] = [];
  private blockedUntil = -Infinity;
  private readonly longest: number;

  constructor(readonly rules: readonly RateRule[]) {
    this.longest = Math.max(0, ...rules.map((r) => r.windowMs));
  }

  private forget(at: number): void {
    while (this.posts.length > 0 && this.posts[0]! <= at - this.longest) this.posts.shift();
  }

  private inWindow(at: number, windowMs: number): number[] {
    return this.posts.filter((t) => t > at - windowMs && t <= at);
  }

  /** Whether the robot has told us to stop until some later instant. */
  blocked(at: number): number | undefined {
    return this.blockedUntil > at ? this.blockedUntil : undefined;
  }

  /**
   * How many posts may go at `at` under every rule (the block counts as none). Rules with a window of at
   * most `waitMs` are left out: a caller that waits them out (Feishu's second) can still post that many.
   */
  available(at: number, waitMs = 0): number {
    if (this.blocked(at) !== undefined) return 0;
    this.forget(at);
    return Math.max(0, Math.min(Infinity, ...this.rules.filter((r) => r.windowMs > waitMs).map((r) => r.max - this.inWindow(at, r.windowMs).length)));
  }

  /** The first instant at or after `at` when one more post may go. */
  nextFree(at: number): number {
    let t = Math.max(at, this.blockedUntil);
    for (;;) {
      this.forget(Math.min(t, at));
      let later = t;
      for (const r of this.rules) {
        const recent = this.inWindow(t, r.windowMs);
        // The oldest of the posts that fill the window must leave it first.
        if (recent.length >= r.max) later = Math.max(later, recent[recent.length - r.max]! + r.windowMs);
      }
      if (later === t) return t;
      t = later;
    }
  }

  /** Records a post at `at` (posts are recorded in time order). */
  take(at: number): void {
    this.posts.push(Math.max(at, this.posts.at(-1) ?? -Infinity));
  }

  /** The robot refused for its limit: no post before `until`. */
  block(until: number): void {
    this.blockedUntil = Math.max(this.blockedUntil, until);
  }
}

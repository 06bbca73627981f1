/**
 * Counts per key in fixed windows of wall time: how many sign-ins an address or an account may try, how
 * many refusals of one account are written to the log. Memory stays bounded: keys of ended windows are
 * dropped when the map grows.
 */
export class Throttle {
  private readonly windows = new Map<string, { start: number; count: number; over: number }>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly wallNow: () => number,
  ) {}

  /**
   * Counts one more for `key`. `ok` while within the limit; `over`: how many were refused since the
   * last one allowed (reset by it), `retryAfterMs` until the window ends.
   */
  hit(key: string): { ok: true; over: number } | { ok: false; retryAfterMs: number } {
    const now = this.wallNow();
    let w = this.windows.get(key);
    if (!w || now - w.start >= this.windowMs) {
      if (this.windows.size > 10_000) this.prune(now);
      const over = w?.over ?? 0;
      w = { start: now, count: 0, over };
      this.windows.set(key, w);
    }
    if (w.count >= this.limit) {
      w.over++;
      return { ok: false, retryAfterMs: w.start + this.windowMs - now };
    }
    w.count++;
    const over = w.over;
    w.over = 0;
    return { ok: true, over };
  }

  /** Whether `key` has used up its window, without counting. */
  blocked(key: string): number | undefined {
    const now = this.wallNow();
    const w = this.windows.get(key);
    return w && now - w.start < this.windowMs && w.count >= this.limit ? w.start + this.windowMs - now : undefined;
  }

  private prune(now: number): void {
    for (const [k, w] of this.windows) if (now - w.start >= this.windowMs && w.over === 0) this.windows.delete(k);
  }
}

/** "3 分钟" for a wait, rounded up to whole minutes. */
export function minutesZh(ms: number): string {
  return `${Math.max(1, Math.ceil(ms / 60_000))} 分钟`;
}

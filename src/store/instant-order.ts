/**
 * The verifier's check that the log's instants never decrease along its sequence. As-of replays find
 * their last event by instant, so one event dated before its predecessor hides every later one from
 * replays before it. Logs written before appends refused such events can hold them; this names the first.
 */
export class InstantOrder {
  private lastMs = -Infinity;
  private lastAt = "";
  private lastSeq = 0;

  /** The problem with this row, if its instant is before the previous row's; feed rows in seq order. */
  check(seq: number, at: string, atMs: number): string | undefined {
    if (atMs < this.lastMs) return `时刻倒退：${at} 早于第 ${this.lastSeq} 条的 ${this.lastAt}；日志的时刻只能向前，按时刻回放会漏掉此后的记录`;
    this.lastMs = atMs;
    this.lastAt = at;
    this.lastSeq = seq;
    return undefined;
  }
}

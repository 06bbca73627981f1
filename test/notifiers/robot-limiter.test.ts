import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RobotLimiter, ROBOT_LIMITS } from "../../notifiers/index.ts";

/** Most posts in any window of `ms` (closed at the start, open at the end, as a robot counts). */
function mostIn(posts: readonly number[], ms: number): number {
  return Math.max(0, ...posts.map((p) => posts.filter((q) => q >= p && q < p + ms).length));
}

describe("RobotLimiter", () => {
  it("never lets more than a rule's max into any sliding window, whatever the times asked and however greedy the caller", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(ROBOT_LIMITS.wecom.rules, ROBOT_LIMITS.dingtalk.rules, ROBOT_LIMITS.feishu.rules, [{ max: 3, windowMs: 10_000 }]),
        fc.array(fc.integer({ min: 0, max: 5_000 }), { minLength: 1, maxLength: 300 }),
        (rules, gaps) => {
          const l = new RobotLimiter(rules);
          const posts: number[] = [];
          let t = 0;
          for (const gap of gaps) {
            t += gap;
            // A caller that posts as often as it is allowed: at once when free, else at the first free instant.
            const at = l.nextFree(t);
            if (at === t) expect(l.available(t)).toBeGreaterThan(0);
            l.take(at);
            posts.push(at);
            t = at;
          }
          for (const r of rules) expect(mostIn(posts, r.windowMs)).toBeLessThanOrEqual(r.max);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("a full bucket gives its max at once; a token spent comes back one window later, not sooner", () => {
    const l = new RobotLimiter([{ max: 20, windowMs: 60_000 }]);
    for (let i = 0; i < 20; i++) l.take(1_000 + i);
    expect(l.available(1_019)).toBe(0);
    expect(l.nextFree(1_019)).toBe(61_000);
    expect(l.available(61_000)).toBe(1);
    expect(l.available(61_019)).toBe(20);
  });

  it("a block holds every post until it ends, then the bucket decides again", () => {
    const l = new RobotLimiter(ROBOT_LIMITS.dingtalk.rules);
    l.block(600_000);
    expect(l.blocked(1)).toBe(600_000);
    expect(l.available(1)).toBe(0);
    expect(l.nextFree(1)).toBe(600_000);
    expect(l.blocked(600_000)).toBeUndefined();
    expect(l.available(600_000)).toBe(20);
  });

  it("Feishu: a burst of the minute's budget is spread five a second; the minute's budget is what a digest plans with", () => {
    const l = new RobotLimiter(ROBOT_LIMITS.feishu.rules);
    for (let i = 0; i < 5; i++) l.take(0);
    expect(l.available(0)).toBe(0);
    expect(l.available(0, 2_000)).toBe(95);
    expect(l.nextFree(0)).toBe(1_000);
  });
});

import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Campaign } from "../../src/campaign/campaign.ts";
import { Engine } from "../../src/engine/engine.ts";
import type { EngineInput } from "../../src/engine/types.ts";
import { loadPlan } from "../../src/plan/load.ts";
import { syntheticActions } from "../../src/simulate/synthetic-actions.ts";
import { openStore } from "../../src/store/open.ts";
import type { EventStore } from "../../src/store/store.ts";

const PLAN = "plans/chongqing-2021.yaml";
/** Small, so the year's log holds dozens of snapshots. */
const EVERY = 97;

/** The inputs a daemon would give over the year: a tick whenever something falls due, each action at its time. */
function yearInputs(): { input: EngineInput; now: number }[] {
  const plan = loadPlan(PLAN).plan!;
  const engine = new Engine(plan);
  const out: { input: EngineInput; now: number }[] = [];
  const step = (input: EngineInput, now: number) => {
    out.push({ input, now });
    engine.step(input, now);
  };
  for (const a of syntheticActions(plan)) {
    for (let t = engine.nextDueAt(); t < a.at; t = engine.nextDueAt()) step({ type: "tick" }, t);
    step(a.action, a.at);
  }
  for (let t = engine.nextDueAt(); t <= plan.campaign.endAt; t = engine.nextDueAt()) step({ type: "tick" }, t);
  return out;
}

/**
 * `replay --as-of` from a snapshot equals the fold of the whole log from its first event, at any instant,
 * and never folds more than one snapshot interval of events: snapshots are spaced by events, not by days.
 * `spec()` gives a fresh, empty store spec of the backend.
 */
export function describeAsOfSuite(name: string, spec: () => string, opts: { skip?: boolean } = {}): void {
  describe.skipIf(opts.skip)(name, () => {
    let store: EventStore;
    let snapshotted: Campaign;
    let folded: Campaign;
    let first = 0;
    let last = 0;
    let events = 0;
    /** The most events one step appended: a snapshot is written after the step that completes an interval. */
    let widest = 0;

    beforeAll(async () => {
      store = await openStore(spec());
      const plan = loadPlan(PLAN).plan!;
      const live = await Campaign.init(store, PLAN, plan.campaign.startAt - 86_400_000, { snapshotEvery: EVERY });
      for (const x of yearInputs()) widest = Math.max(widest, (await live.step(x.input, x.now)).events.length);
      events = (await store.head()).seq;
      for await (const e of store.read({ toSeq: 1 })) first = Date.parse(e.at);
      last = Date.parse((await store.head()).at!);
      snapshotted = await Campaign.open(store, { snapshotEvery: EVERY });
      folded = await Campaign.open(store, { snapshots: false });
    }, 300_000);
    afterAll(async () => {
      await store?.close();
    });

    it("logs a year of many snapshot intervals", () => {
      expect(events).toBeGreaterThan(20 * EVERY);
    });

    it("at random instants, a replay from the nearest snapshot equals the fold from the first event, within one interval of it", async () => {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: first, max: last + 86_400_000 }), async (t) => {
          const a = await snapshotted.boardAsOf(t);
          const b = await folded.boardAsOf(t);
          expect(b.snapshotSeq).toBe(0);
          expect(a.seq).toBe(b.seq);
          expect(a.campaign).toBe(b.campaign);
          expect(a.rows).toEqual(b.rows);
          // The snapshot chosen is the newest at or before the instant's last event: at most one interval back.
          expect(a.snapshotSeq).toBeLessThanOrEqual(a.seq);
          expect(a.seq - a.snapshotSeq).toBeLessThan(EVERY + widest);
          if (a.seq >= EVERY + widest) expect(a.snapshotSeq).toBeGreaterThan(0);
        }),
        { numRuns: 25, seed: 16 },
      );
    }, 300_000);
  });
}

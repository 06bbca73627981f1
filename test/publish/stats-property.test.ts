import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Campaign } from "../../src/campaign/campaign.ts";
import type { EngineInput } from "../../src/engine/types.ts";
import { OUTCOMES } from "../../src/publish/items.ts";
import { publishedAsOf, publishedNow } from "../../src/publish/source.ts";
import { statistics, type Statistics, type StatsLine } from "../../src/publish/stats.ts";
import { openStore } from "../../src/store/open.ts";
import { cst } from "../helpers.ts";
import { dbPath, initCampaign, unit } from "./fixture.ts";

const ITEMS = ["report/north", "report/south", "report/east", "summary/north", "summary/south", "summary/east"];
const VERBS = ["submit", "accept", "return", "extend", "waive", "tick"] as const;

/** A random action at some hour of a day between 06-01 and 07-31; refused ones are simply not logged. */
const action = fc.record({ day: fc.integer({ min: 0, max: 60 }), hour: fc.integer({ min: 8, max: 20 }), verb: fc.constantFrom(...VERBS), item: fc.constantFrom(...ITEMS), days: fc.integer({ min: 1, max: 20 }) });

function input(a: { verb: (typeof VERBS)[number]; item: string; days: number }, at: number): EngineInput {
  const owner = unit(a.item.split("/")[1]!);
  switch (a.verb) {
    case "tick":
      return { type: "tick" };
    case "submit":
      return { type: "submit", assignment: a.item, actor: owner };
    case "extend":
      return { type: "extend", assignment: a.item, actor: unit("hq"), until: at + a.days * 86_400_000 };
    default:
      return { type: a.verb, assignment: a.item, actor: unit("hq") } as EngineInput;
  }
}

function checkLine(l: StatsLine): void {
  // The outcomes partition the items: on time + late + overdue + waived + still open and not due = assigned.
  expect(OUTCOMES.reduce((n, o) => n + l[o], 0)).toBe(l.assigned);
  expect(l.due).toBe(l.onTime + l.late + l.overdue);
  if (l.due > 0) expect(l.onTimeRate! + l.overdueRate!).toBeCloseTo(1, 3);
  else expect([l.onTimeRate, l.overdueRate]).toEqual([null, null]);
  expect(l.late > 0).toBe(l.lateDaysMax !== null);
}

function checkTable(s: Statistics): void {
  for (const l of [...s.lines, s.total]) checkLine(l);
  for (const k of ["assigned", "onTime", "late", "overdue", "waived", "pending", "returned", "extended"] as const) expect(s.lines.reduce((n, l) => n + l[k], 0)).toBe(s.total[k]);
}

describe("statistics over random action streams", () => {
  it("partition every line and total, and replay from the log to what was seen live", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 12 }), async (actions) => {
        const db = dbPath();
        const { c, close } = await initCampaign(db);
        // Several steps at one instant: the log as of that instant holds them all, so keep what was seen after the last.
        const seen = new Map<number, Statistics[]>();
        try {
          const steps = actions.map((a) => ({ a, at: cst("2021-06-01T00:00") + a.day * 86_400_000 + a.hour * 3_600_000 })).sort((x, y) => x.at - y.at);
          for (const { a, at } of steps) {
            await c.step(input(a, at), at, { clock: "set" });
            const state = publishedNow(c, at);
            const stats = (["unit", "deliverable", "phase"] as const).map((by) => statistics(state, by));
            stats.forEach(checkTable);
            seen.set(at, stats);
          }
        } finally {
          await close();
        }
        const store = await openStore(db);
        try {
          const later = await Campaign.open(store);
          for (const [at, stats] of seen) {
            const state = await publishedAsOf(later, at);
            expect((["unit", "deliverable", "phase"] as const).map((by) => statistics(state, by))).toEqual(stats);
          }
        } finally {
          await store.close();
        }
      }),
      { numRuns: 25 },
    );
  }, 60_000);
});

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Campaign } from "../../src/campaign/campaign.ts";
import { Engine } from "../../src/engine/engine.ts";
import type { Actor, DomainEvent, StepResult } from "../../src/engine/types.ts";
import { openStore } from "../../src/store/open.ts";
import { chongqing, cst } from "../helpers.ts";

/**
 * A handed-in item is off the ladder, and stays off it across a restart. A live engine drops a submitted
 * item from its queue when the submission arrives; an engine rebuilt from persisted state or from the log
 * decides from the item's state alone, so a rule that let `submitted` count as owed would escalate
 * handed-in items after every restart while a never-stopped engine stays quiet.
 */

const unit = (u: string): Actor => ({ kind: "unit", unit: u });
/** Due Tue 2021-06-15 18:00; handed in on 06-01, and the restart comes before the due day. */
const EARLY = "progress-report/yuzhong";
/** Handed in late, on 05-21 10:00, after the level-1 escalation at 09:00. */
const LATE = "implementation-plan/fuling";
/** Never handed in: the control that proves the restarted engine still runs its ladder. */
const OWED = "progress-report/wanzhou";
const HANDED_IN = [EARLY, LATE];

function touching(r: StepResult, id: string): { events: DomainEvent[]; reminded: string[] } {
  const events = r.events.filter((e) => "assignment" in e && e.assignment === id);
  const reminded = r.reminders.filter((x) => x.items.some((it) => it.assignment === id)).map((x) => x.recipient);
  return { events, reminded };
}

/** The drill every case runs: one late and one early submission before the restart at 06-01 12:00. */
function drill(): Engine {
  const e = new Engine(chongqing());
  e.tick(cst("2021-05-17T12:00"));
  expect(e.step({ type: "submit", assignment: LATE, actor: unit("fuling") }, cst("2021-05-21T10:00")).refused).toBeUndefined();
  expect(e.step({ type: "submit", assignment: EARLY, actor: unit("yuzhong") }, cst("2021-06-01T10:00")).refused).toBeUndefined();
  e.tick(cst("2021-06-01T12:00"));
  return e;
}

function expectQuiet(r: StepResult, engine: Engine): void {
  for (const id of HANDED_IN) {
    expect(touching(r, id), id).toEqual({ events: [], reminded: [] });
    expect(engine.view(id)!.progress, id).toBe("submitted");
  }
  // Handed in early: never overdue, never escalated. Handed in late: stays at the level it had reached.
  expect(engine.view(EARLY)!.lateness).toBe("onTrack");
  expect(engine.view(EARLY)!.context.level).toBe(0);
  expect(engine.view(LATE)!.context.level).toBe(1);
  // The control item escalates to the top of its ladder: the restarted engine is not simply idle.
  expect(touching(r, OWED).reminded.length).toBeGreaterThan(0);
  expect(engine.view(OWED)!.context.level).toBe(3);
}

describe("a restart never puts handed-in items back on the ladder", () => {
  it("Engine.restore from persisted state sends no reminder for submitted items", () => {
    const live = drill();
    const restored = Engine.restore(live.plan, JSON.parse(JSON.stringify(live.persist())));
    const r = restored.tick(cst("2021-07-01T00:00"));
    expectQuiet(r, restored);
    // And it says exactly what the engine that never stopped says.
    expect(r).toEqual(live.tick(cst("2021-07-01T00:00")));
  });

  it("an engine rebuilt from the logged events (apply, then settle) sends none either", () => {
    const plan = chongqing();
    const live = new Engine(plan);
    const log: DomainEvent[] = [
      ...live.tick(cst("2021-05-17T12:00")).events,
      ...live.step({ type: "submit", assignment: LATE, actor: unit("fuling") }, cst("2021-05-21T10:00")).events,
      ...live.step({ type: "submit", assignment: EARLY, actor: unit("yuzhong") }, cst("2021-06-01T10:00")).events,
      ...live.tick(cst("2021-06-01T12:00")).events,
    ];
    const replayed = new Engine(plan);
    for (const e of log) replayed.apply(e);
    replayed.settle(live.clock);
    const r = replayed.tick(cst("2021-07-01T00:00"));
    expectQuiet(r, replayed);
    expect(r).toEqual(live.tick(cst("2021-07-01T00:00")));
  });

  describe("Campaign.open on a real SQLite store", () => {
    const dir = mkdtempSync(join(tmpdir(), "duban-restart-"));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it("a reopened campaign queues no reminder for items handed in before the restart", async () => {
      const file = join(dir, "restart.db");
      const first = await openStore(file);
      const c = await Campaign.init(first, "plans/chongqing-2021.yaml", cst("2021-04-28T10:00"));
      await c.tick(cst("2021-05-17T12:00"));
      expect((await c.step({ type: "submit", assignment: LATE, actor: unit("fuling") }, cst("2021-05-21T10:00"))).refused).toBeUndefined();
      expect((await c.step({ type: "submit", assignment: EARLY, actor: unit("yuzhong") }, cst("2021-06-01T10:00"))).refused).toBeUndefined();
      await c.tick(cst("2021-06-01T12:00"));
      await first.close();

      const second = await openStore(file);
      try {
        const reopened = await Campaign.open(second);
        const r = await reopened.tick(cst("2021-07-01T00:00"));
        for (const id of HANDED_IN) {
          expect(r.events.filter((e) => e.assignment === id).map((e) => e.type), id).toEqual([]);
          expect(r.reminders.filter((x) => x.items.some((it) => it.assignment === id)), id).toEqual([]);
        }
        const outbox = await second.listOutbox({ channel: "reminder" });
        expect(outbox.length).toBeGreaterThan(0);
        const row = (id: string) => reopened.row(id)!;
        expect([row(EARLY).state, row(EARLY).level, row(EARLY).late]).toEqual(["submitted", 0, false]);
        expect([row(LATE).state, row(LATE).level, row(LATE).late]).toEqual(["submitted", 1, true]);
        expect(row(OWED).level).toBe(3);
      } finally {
        await second.close();
      }
    });
  });
});

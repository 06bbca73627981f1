import { describe, expect, it } from "vitest";
import { Engine } from "../../src/engine/engine.ts";
import type { Actor, StepResult } from "../../src/engine/types.ts";
import { loadPlan } from "../../src/plan/load.ts";
import type { ResolvedPlan } from "../../src/plan/types.ts";
import { cst } from "../helpers.ts";

/**
 * Engines on one plan object share its items' index, their schedules and its calendar (built once per
 * plan, so restoring a snapshot does not rebuild them). What one engine does to its items (an extension,
 * a restore with a moved deadline) must never reach another engine on the same plan, and a restored
 * item keeps its own deadline's ladder, not the plan's.
 */
const office: Actor = { kind: "unit", unit: "flow" };
const ID = "implementation-plan/yuzhong";

function freshPlan(): ResolvedPlan {
  const r = loadPlan("plans/chongqing-2021.yaml");
  if (!r.plan) throw new Error(r.diagnostics.map((d) => d.message).join("\n"));
  return r.plan;
}

/** The item's events and reminded recipients over daily ticks from `from` for `days` days. */
function trail(e: Engine, from: string, days: number): unknown[] {
  const out: unknown[] = [];
  const start = cst(from);
  for (let d = 1; d <= days; d++) {
    const r: StepResult = e.tick(start + d * 86_400_000);
    out.push(r.events.filter((x) => "assignment" in x && x.assignment === ID).map((x) => [x.type, x.at]), r.reminders.filter((x) => x.items.some((i) => i.assignment === ID)).map((x) => x.recipient));
  }
  return out;
}

describe("engines on one plan", () => {
  it("an extension in one engine, and its restore, leave every other engine on the plan on the planned ladder", () => {
    const plan = freshPlan();
    const extended = new Engine(plan);
    const other = new Engine(plan);
    extended.tick(cst("2021-05-21T12:00"));
    other.tick(cst("2021-05-21T12:00"));
    expect(extended.step({ type: "extend", assignment: ID, actor: office, until: cst("2021-06-04T18:00") }, cst("2021-05-21T14:00")).refused).toBeUndefined();
    // Restored from its own persisted state: the item's ladder is the extension's, as in the live engine.
    const restored = Engine.restore(plan, JSON.parse(JSON.stringify(extended.persist())));
    expect(restored.view(ID)!.context.dueAt).toBe(cst("2021-06-04T18:00"));
    const live = trail(extended, "2021-05-21T14:00", 20);
    expect(trail(restored, "2021-05-21T14:00", 20)).toEqual(live);
    // An engine on a plan loaded on its own, shared with nobody: the planned ladder the other must keep.
    const alone = new Engine(freshPlan());
    alone.tick(cst("2021-05-21T12:00"));
    const planned = trail(alone, "2021-05-21T14:00", 20);
    expect(planned).not.toEqual(live);
    expect(trail(other, "2021-05-21T14:00", 20)).toEqual(planned);
    // And an engine built after all this on the shared plan starts on the planned ladder too.
    const later = new Engine(plan);
    later.tick(cst("2021-05-21T12:00"));
    expect(trail(later, "2021-05-21T14:00", 20)).toEqual(planned);
  });
});

import { transition as pureTransition } from "xstate";
import { describe, expect, it } from "vitest";
import { assignmentMachine } from "../../src/engine/assignment-machine.ts";
import { Engine } from "../../src/engine/engine.ts";
import type { AssignmentEvent, DomainEvent } from "../../src/engine/types.ts";
import { loadPlanText } from "../../src/plan/load.ts";
import { generatePlan } from "../../src/scale/generate.ts";

/**
 * The engine remembers the machine's outcome of a time-driven event by state, context, type and level
 * (Engine.transitionOf), reusing it for every item in the same combination. Every item's state and
 * context must equal what folding its own events through the machine with XState's own pure
 * `transition` gives: over a catch-up, daily ticks, and hand-ins, returns and extensions that give
 * items contexts of their own.
 */
describe("remembered transitions", () => {
  it("leave every item as XState's own transition of its events would", () => {
    const plan = loadPlanText("national-3k.yaml", generatePlan("3k").text).plan!;
    const engine = new Engine(plan);
    const log: DomainEvent[] = [];
    const office = { kind: "unit" as const, unit: plan.leadingGroup.office.unit };
    const day = 86_400_000;
    let now = plan.campaign.startAt + 20 * day;
    // A catch-up over weeks, then days one by one with actions in between.
    log.push(...engine.step({ type: "tick" }, now).events);
    const items = plan.assignments;
    for (let d = 0; d < 60; d++) {
      now += day;
      log.push(...engine.step({ type: "tick" }, now).events);
      for (let k = d; k < items.length; k += 97) {
        const a = items[k]!;
        const unit = { kind: "unit" as const, unit: a.unit };
        const r =
          d % 3 === 0
            ? engine.step({ type: "submit", assignment: a.id, actor: unit }, now + 1)
            : d % 3 === 1
              ? engine.step({ type: "return", assignment: a.id, actor: office }, now + 2)
              : engine.step({ type: "extend", assignment: a.id, actor: office, until: now + 9 * day }, now + 3);
        log.push(...r.events);
      }
    }
    expect(log.filter((e) => e.type === "reminded").length).toBeGreaterThan(1_000);
    const byItem = new Map<string, AssignmentEvent[]>();
    for (const e of log) if ("assignment" in e) (byItem.get(e.assignment) ?? byItem.set(e.assignment, []).get(e.assignment)!).push(e);
    for (const v of engine.views()) {
      const a = v.assignment;
      let snap = assignmentMachine.resolveState({ value: { progress: "waiting", lateness: "onTrack" }, context: { dueAt: a.dueAt, level: 0, late: false, submittedAt: null, reminders: 0, returns: 0, extensions: 0 } });
      for (const e of byItem.get(a.id) ?? []) snap = pureTransition(assignmentMachine, snap, e)[0];
      const value = snap.value as { progress: string; lateness: string };
      expect({ id: a.id, progress: v.progress, lateness: v.lateness, context: v.context }).toEqual({ id: a.id, progress: value.progress, lateness: value.lateness, context: snap.context });
    }
  });
});

import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createActor, initialTransition, transition as pureTransition, type AnyActorScope, type AnyMachineSnapshot, type AnyStateMachine } from "xstate";
import { assignmentMachine } from "../../src/engine/assignment-machine.ts";
import { createCampaignMachine } from "../../src/engine/campaign-machine.ts";
import { inertScope, transition } from "../../src/engine/xstate-adapter.ts";
import { loadPlanText } from "../../src/plan/load.ts";
import { planText } from "../plan/minimal-plan.ts";

/**
 * The contract of the engine's XState fast path: stepping a machine through the adapter's reused inert
 * scope is exactly XState's public pure `transition()`. It leans on XState internals (the scope's
 * shape), so these tests are what must pass before the xstate pin in package.json moves.
 */

// Three phases, two of them overlapping, so phase events hit pending, active and ended regions at once.
const plan = loadPlanText(
  "plan.yaml",
  planText({
    20: [
      "  - { id: first, name: 第一阶段, start: 2021-05-01, end: 2021-07-31 }",
      "  - { id: second, name: 第二阶段, start: 2021-06-01, end: 2021-08-31 }",
      "  - { id: third, name: 第三阶段, start: 2021-09-01, end: 2021-10-31 }",
    ],
    21: [],
  }),
).plan!;
const campaignMachine = createCampaignMachine(plan) as unknown as AnyStateMachine;

const T0 = Date.parse("2021-05-01T00:00:00+08:00");
const DAY = 86_400_000;
const instant = fc.integer({ min: T0, max: T0 + 200 * DAY });

/** Every event type a machine handles anywhere, read from the machine itself so new events are covered unasked. */
function eventTypes(machine: AnyStateMachine): string[] {
  return [...new Set(machine.root.events.map(String))].filter((t) => !t.startsWith("xstate.") && t !== "*").sort();
}

/**
 * An event of any type the machine handles, with every field any of its guards or actions reads, each
 * drawn at random: guards then go both ways (an extension into the past, a reminder below the level).
 */
function eventOf(types: string[], phases: string[]) {
  return fc
    .record({
      type: fc.constantFrom(...types),
      at: instant,
      until: instant,
      level: fc.integer({ min: 0, max: 4 }),
      step: fc.integer({ min: 0, max: 5 }),
      late: fc.boolean(),
      phase: fc.constantFrom(...phases, "elsewhere"),
      report: fc.constantFrom(undefined, "interim", "final"),
      nextDueAt: instant,
    })
    .map((e) => ({ ...e, assignment: "a/x", recipients: [], actor: { kind: "unit", unit: "north" } }));
}

function shape(s: AnyMachineSnapshot) {
  return { value: s.value, context: s.context, status: s.status };
}

/** A step's outcome, a throw included: a guard that trips on a field the random event lacks must trip on both paths. */
function attempt<T>(f: () => T): { ok: T } | { threw: string } {
  try {
    return { ok: f() };
  } catch (err) {
    return { threw: String(err) };
  }
}

/**
 * Plays `events` on both paths from the same start and checks every step: the same value, context and
 * status, and the same answer to "did anything change" (the engine tells by snapshot identity).
 */
function sameAsPublic(machine: AnyStateMachine, input: unknown, events: object[], seen: Set<string>): void {
  const scope = inertScope(machine);
  let ours = machine.getInitialSnapshot(scope, input) as AnyMachineSnapshot;
  let theirs = initialTransition(machine, input as never)[0] as AnyMachineSnapshot;
  expect(shape(ours)).toEqual(shape(theirs));
  for (const e of events) {
    const a = attempt(() => transition(machine, ours as never, e as never, scope) as AnyMachineSnapshot);
    const b = attempt(() => pureTransition(machine, theirs as never, e as never)[0] as AnyMachineSnapshot);
    if (!("ok" in a) || !("ok" in b)) {
      expect(a, JSON.stringify(e)).toEqual(b);
      continue;
    }
    const nextOurs = a.ok;
    const nextTheirs = b.ok;
    expect(shape(nextOurs), JSON.stringify(e)).toEqual(shape(nextTheirs));
    expect(nextOurs === ours, `changed? ${JSON.stringify(e)}`).toBe(nextTheirs === theirs);
    ours = nextOurs;
    theirs = nextTheirs;
    seen.add(JSON.stringify(ours.value));
  }
}

describe("the XState adapter steps exactly like XState's pure transition()", () => {
  it("for the assignment machine, over random event sequences", () => {
    const types = eventTypes(assignmentMachine);
    expect(types).toEqual(expect.arrayContaining(["opened", "submitted", "accepted", "returned", "extended", "waived", "reminded", "overdue"]));
    const seen = new Set<string>();
    fc.assert(
      fc.property(fc.option(instant, { nil: null }), fc.array(eventOf(types, []), { maxLength: 40 }), (dueAt, events) => {
        sameAsPublic(assignmentMachine, { dueAt }, events, seen);
      }),
      { numRuns: 300 },
    );
    // The sequences reached far into the machine, not only its first state.
    expect(seen.size).toBeGreaterThan(12);
  });

  it("for the campaign machine of a plan with overlapping phases, over random event sequences", () => {
    const types = eventTypes(campaignMachine);
    expect(types).toEqual(expect.arrayContaining(["campaignClosed", "phaseEnded", "phaseStarted"]));
    const seen = new Set<string>();
    fc.assert(
      fc.property(fc.array(eventOf(types, plan.phases.map((p) => p.id)), { maxLength: 20 }), (events) => {
        sameAsPublic(campaignMachine, undefined, events, seen);
      }),
      { numRuns: 300 },
    );
    expect(seen.size).toBeGreaterThan(8);
  });
});

describe("the adapter notices when XState's actor scope changes shape", () => {
  const machines: [string, AnyStateMachine][] = [
    ["assignment", assignmentMachine],
    ["campaign", campaignMachine],
  ];
  const kinds = (scope: object) => Object.fromEntries(Object.entries(scope).map(([k, v]) => [k, typeof v]));

  it.each(machines)("the inert scope has every key a live %s actor passes its logic, of the same kind", (_, machine) => {
    // `_actorScope` is XState's own field: when it is renamed or reshaped this test fails, which is the point.
    const live = (createActor(machine) as unknown as { _actorScope: AnyActorScope })._actorScope;
    expect(live).toBeTypeOf("object");
    expect(kinds(inertScope(machine))).toEqual(kinds(live));
  });

  it.each(machines)("and every key of the scope XState's own pure transition() passes the %s machine", (_, machine) => {
    let passed: AnyActorScope | undefined;
    const spy = Object.create(machine, {
      transition: {
        value: (s: unknown, e: unknown, scope: AnyActorScope) => {
          passed = scope;
          return machine.transition(s as never, e as never, scope);
        },
      },
    }) as AnyStateMachine;
    pureTransition(spy, initialTransition(machine, { dueAt: null } as never)[0], { type: "campaignClosed", at: T0 } as never);
    expect(passed).toBeDefined();
    expect(kinds(inertScope(machine))).toEqual(kinds(passed!));
  });

  it("the inert scope runs nothing and records nothing", () => {
    const scope = inertScope(assignmentMachine);
    expect(scope.actionExecutor({ type: "recordSubmission", params: undefined, exec: () => expect.unreachable("executed"), info: {} as never, args: [] } as never)).toBeUndefined();
    expect(scope.emit({ type: "x" })).toBeUndefined();
  });
});

describe("the xstate pin", () => {
  it("package.json pins xstate to the minor version installed, since the adapter leans on its internals", () => {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { dependencies: Record<string, string> };
    const installed = (JSON.parse(readFileSync(new URL("../../node_modules/xstate/package.json", import.meta.url), "utf8")) as { version: string }).version;
    const pin = pkg.dependencies.xstate!;
    expect(pin).toMatch(/^~\d+\.\d+\.\d+$/);
    expect(pin.slice(1).split(".").slice(0, 2)).toEqual(installed.split(".").slice(0, 2));
  });
});

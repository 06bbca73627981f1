import { createActor, type AnyActorScope, type AnyStateMachine, type EventFromLogic, type SnapshotFrom } from "xstate";

/**
 * The engine's one dependency on XState internals, kept here so it is checked in one place
 * (test/engine/xstate-adapter.test.ts) and replaced in one place if XState changes it.
 *
 * XState's pure `transition()` builds a throwaway actor per call (about 20 µs); one inert scope
 * reused for every call gives the same pure step at the cost of a live actor's `send`. The scope's
 * shape is not public API: it mirrors the `createInertActorScope` XState's own `transition()` uses,
 * and the keys an actor passes to its logic. That is why package.json pins xstate to one minor
 * version (`~5.33.3`): a minor release may add a key to the scope (as 5.x added `actionExecutor`);
 * the contract test then fails, and the pin is moved only after it passes again.
 *
 * The scope executes nothing: `actionExecutor` drops named actions (the machines have none the host
 * must run; `assign` is applied inside the snapshot), `emit` and `defer` are no-ops, and no child is
 * ever spawned: durable machines neither invoke nor spawn.
 */
export function inertScope(machine: AnyStateMachine): AnyActorScope {
  const self = createActor(machine);
  return {
    self,
    defer: () => {},
    id: "",
    logger: () => {},
    sessionId: "",
    stopChild: () => {},
    system: self.system,
    emit: () => {},
    actionExecutor: () => {},
  } as unknown as AnyActorScope;
}

/**
 * One pure step of `machine` through a scope from {@link inertScope}: the next snapshot, or the very
 * same snapshot object when no transition is enabled (the engine relies on that identity to tell
 * "nothing changed" without comparing).
 */
export function transition<M extends AnyStateMachine>(machine: M, snapshot: SnapshotFrom<M>, event: EventFromLogic<M>, scope: AnyActorScope): SnapshotFrom<M> {
  return machine.transition(snapshot, event, scope) as SnapshotFrom<M>;
}

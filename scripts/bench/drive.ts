/** Drives a campaign through the synthetic action stream and every tick, in time order. */
import type { Campaign } from "../../src/campaign/campaign.ts";
import type { EpochMs } from "../../src/engine/calendar.ts";
import type { Engine } from "../../src/engine/engine.ts";
import type { EngineInput, StepResult } from "../../src/engine/types.ts";
import type { ScheduledAction } from "../../src/simulate/actions-file.ts";

export interface Input {
  input: EngineInput;
  now: EpochMs;
}

/**
 * The inputs a daemon would give the engine over the year: a tick at every instant something falls
 * due, and each action at its time. Computed once against a scratch engine, so the timed runs replay
 * exactly the same sequence.
 */
export function yearInputs(engine: Engine, actions: readonly ScheduledAction[], endAt: EpochMs, onStep?: (r: StepResult) => void): Input[] {
  const out: Input[] = [];
  const step = (input: EngineInput, now: EpochMs) => {
    out.push({ input, now });
    const r = engine.step(input, now);
    onStep?.(r);
  };
  for (const a of actions) {
    for (let t = engine.nextDueAt(); t < a.at; t = engine.nextDueAt()) step({ type: "tick" }, t);
    step(a.action, a.at);
  }
  for (let t = engine.nextDueAt(); t <= endAt; t = engine.nextDueAt()) step({ type: "tick" }, t);
  return out;
}

/** Engine alone: returns the number of domain events produced. */
export function runEngine(engine: Engine, inputs: readonly Input[], sample?: () => void): number {
  let events = 0;
  for (let i = 0; i < inputs.length; i++) {
    const x = inputs[i]!;
    events += engine.step(x.input, x.now).events.length;
    if ((i & 1023) === 0) sample?.();
  }
  return events;
}

/**
 * Through the Campaign (engine + codec + store + snapshots) until `limit` events are stored; returns
 * each append's size as [events, outbox rows], so a baseline can write the same rows in the same transactions.
 */
export async function runCampaign(campaign: Campaign, inputs: readonly Input[], limit: number, sample?: () => void): Promise<{ events: number; batches: [number, number][] }> {
  let events = 0;
  const batches: [number, number][] = [];
  for (let i = 0; i < inputs.length && events < limit; i++) {
    const x = inputs[i]!;
    const r = await campaign.step(x.input, x.now);
    if (r.events.length || r.reminders.length) batches.push([r.events.length, r.reminders.length]);
    events += r.events.length;
    if ((i & 255) === 0) sample?.();
  }
  return { events, batches };
}

import { setup } from "xstate";
import type { ResolvedPlan } from "../plan/types.ts";
import type { CampaignEvent } from "./types.ts";

/** The campaign: not started → each phase of the plan in order → closed. Generated from the plan's phases. */
export function createCampaignMachine(plan: ResolvedPlan) {
  const ids = plan.phases.map((p) => p.id);
  const states: Record<string, object> = {
    notStarted: { on: { phaseStarted: ids.map((id) => ({ guard: { type: "isPhase", params: { phase: id } }, target: id })), campaignClosed: "closed" } },
  };
  for (const [i, id] of ids.entries()) {
    states[id] = {
      on: {
        phaseStarted: ids.slice(i + 1).map((next) => ({ guard: { type: "isPhase", params: { phase: next } }, target: next })),
        campaignClosed: "closed",
      },
    };
  }
  states.closed = { type: "final" };
  return setup({
    types: { events: {} as CampaignEvent },
    guards: {
      isPhase: ({ event }, params: { phase: string }) => event.type === "phaseStarted" && event.phase === params.phase,
    },
  }).createMachine({ id: "campaign", initial: "notStarted", states } as never);
}

export type CampaignMachine = ReturnType<typeof createCampaignMachine>;

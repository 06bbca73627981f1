import { setup } from "xstate";
import type { ResolvedPlan } from "../model/definition.ts";
import type { CampaignEvent } from "./types.ts";

/**
 * The campaign: open, with one parallel region per phase (pending → active → ended), then closed.
 * Phases may overlap (边查边改: inspection and rectification side by side), so several can be active at
 * once; each starts and ends on its own logged event. Generated from the plan's phases.
 */
export function createCampaignMachine(plan: ResolvedPlan) {
  const regions: Record<string, object> = {};
  for (const p of plan.phases) {
    const mine = { type: "isPhase", params: { phase: p.id } };
    regions[p.id] = {
      initial: "pending",
      states: {
        pending: { on: { phaseStarted: { guard: mine, target: "active" } } },
        active: {
          on: {
            phaseEnded: { guard: mine, target: "ended" },
            // Logs written before phaseEnded existed: a later phase's start ends the phases over by then.
            phaseStarted: { guard: { type: "isOver", params: { endAt: p.endAt } }, target: "ended" },
          },
        },
        ended: {},
      },
    };
  }
  return setup({
    types: { events: {} as CampaignEvent },
    guards: {
      isPhase: ({ event }, params: { phase: string }) => (event.type === "phaseStarted" || event.type === "phaseEnded") && event.phase === params.phase,
      isOver: ({ event }, params: { endAt: number }) => event.at >= params.endAt,
    },
  }).createMachine({
    id: "campaign",
    initial: "open",
    states: { open: { type: "parallel", states: regions, on: { campaignClosed: "closed" } }, closed: { type: "final" } },
  } as never);
}

export type CampaignMachine = ReturnType<typeof createCampaignMachine>;

/**
 * The campaign's time-driven events in the order they apply: each phase's start and end (an end at
 * the campaign's close is the close itself), a phase ending before another starts at the same instant.
 */
export function campaignTriggers(plan: ResolvedPlan): CampaignEvent[] {
  const closeAt = plan.campaign.endAt;
  const out: CampaignEvent[] = [];
  for (const p of plan.phases) {
    out.push({ type: "phaseStarted", at: p.startAt, phase: p.id });
    if (p.endAt < closeAt) out.push({ type: "phaseEnded", at: p.endAt, phase: p.id });
  }
  const rank = (e: CampaignEvent) => (e.type === "phaseEnded" ? 0 : 1);
  out.sort((a, b) => a.at - b.at || rank(a) - rank(b));
  out.push({ type: "campaignClosed", at: closeAt });
  return out;
}

/** A persisted campaign value; older snapshots hold one phase id (phases ran one after another). */
export function campaignValue(plan: ResolvedPlan, value: unknown): unknown {
  if (typeof value !== "string" || value === "closed") return value;
  const i = plan.phases.findIndex((p) => p.id === value);
  return { open: Object.fromEntries(plan.phases.map((p, j) => [p.id, i < 0 || j > i ? "pending" : j < i ? "ended" : "active"])) };
}

/** The phases active in a campaign value, in plan order. */
export function activePhases(plan: ResolvedPlan, value: unknown): string[] {
  const open = (value as { open?: Record<string, string> }).open;
  return open ? plan.phases.filter((p) => open[p.id] === "active").map((p) => p.id) : [];
}

/**
 * The campaign's state in one word, for boards and JSON: "notStarted", the active phase (several joined
 * by "+" when phases overlap), "betweenPhases" in a gap between phases, or "closed".
 */
export function campaignStateName(plan: ResolvedPlan, value: unknown): string {
  if (value === "closed") return "closed";
  const active = activePhases(plan, value);
  if (active.length) return active.join("+");
  const open = (value as { open?: Record<string, string> }).open ?? {};
  return Object.values(open).some((s) => s !== "pending") ? "betweenPhases" : "notStarted";
}

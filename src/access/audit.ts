import { encodeActor } from "../campaign/codec.ts";
import { formatInstant, type EpochMs } from "../engine/calendar.ts";
import type { Actor } from "../engine/types.ts";
import type { ResolvedPlan } from "../plan/types.ts";
import type { EventStore } from "../store/store.ts";
import type { StoredEvent } from "../store/types.ts";

/** Access events in the log: bookkeeping the engine ignores (see codec's DOMAIN_TYPES) but auditors read. */
export type AccessEventType = "userAdded" | "userRevoked" | "signedIn" | "signedOut" | "signInRefused" | "requestRefused";

/**
 * Appends one access event. It is stamped with the campaign clock, not the wall clock: a drill that sets
 * the clock must not see its log jump to today (the engine settles to the latest event's instant).
 * Payloads never hold tokens or session ids.
 */
export async function logAccess(
  store: EventStore,
  plan: ResolvedPlan,
  now: EpochMs,
  type: AccessEventType,
  payload: Record<string, unknown>,
  actor?: Actor,
  assignment?: string,
): Promise<StoredEvent> {
  const [e] = await store.append([
    {
      at: formatInstant(now, plan.campaign.timezone),
      actor: actor ? encodeActor(plan, actor) : { kind: "engine" },
      type,
      payload,
      planHash: plan.hash,
      ...(assignment !== undefined ? { assignment } : {}),
    },
  ]);
  return e!;
}

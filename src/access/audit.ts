import type { Campaign, Clock } from "../campaign/campaign.ts";
import { encodeActor } from "../campaign/codec.ts";
import { formatInstant } from "../engine/calendar.ts";
import type { Actor } from "../engine/types.ts";
import type { StoredEvent } from "../store/types.ts";

/** Access events in the log: bookkeeping the engine ignores (see codec's DOMAIN_TYPES) but auditors read. */
export type AccessEventType = "userAdded" | "userRevoked" | "signedIn" | "signedOut" | "signInRefused" | "requestRefused";

/**
 * Appends one access event through the campaign, so it obeys the log's clock like every other change:
 * stamped with the campaign clock, not the wall clock (a drill that sets the clock must not see its log
 * jump to today), refused when that is before the log's last instant, and written after the time-based
 * events up to it. Payloads never hold tokens or session ids.
 */
export async function logAccess(
  campaign: Campaign,
  now: Clock,
  type: AccessEventType,
  payload: Record<string, unknown>,
  actor?: Actor,
  assignment?: string,
): Promise<StoredEvent> {
  const [e] = await campaign.record(now, (plan, at) => [
    {
      at: formatInstant(at, plan.campaign.timezone),
      actor: actor ? encodeActor(plan, actor) : { kind: "engine" },
      type,
      payload,
      planHash: plan.hash,
      ...(assignment !== undefined ? { assignment } : {}),
    },
  ]);
  return e!;
}

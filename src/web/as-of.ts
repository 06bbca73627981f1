import type { EpochMs } from "../engine/calendar.ts";
import type { WebDeps } from "./context.ts";

/**
 * An `asOf` from a request, kept within what the campaign can say: no later than its end or now,
 * whichever is later. An instant in the year 9999 says nothing more than the campaign's end does, and
 * the replay's work (lateness counted up to it) must stay bounded whatever the query says. Before the
 * log's first event stays a refusal (see Campaign.boardAsOf).
 */
export function clampAsOf(deps: WebDeps, asOf: EpochMs): EpochMs {
  return Math.min(asOf, Math.max(deps.campaign.plan.campaign.endAt, deps.now()));
}

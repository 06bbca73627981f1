import { randomBytes } from "node:crypto";
import { hashToken, sameToken } from "../access/tokens.ts";
import type { Campaign } from "../campaign/campaign.ts";
import { encodeActor } from "../campaign/codec.ts";
import { formatInstant, parseInstant, type EpochMs } from "../engine/calendar.ts";
import type { Actor } from "../engine/types.ts";
import type { EventStore } from "../store/store.ts";

/** The log's record of a unit's calendar-feed token: issued (its hash) or revoked. */
export type FeedEventType = "feedTokenIssued" | "feedTokenRevoked";

/**
 * What the calendar feed needs from the log beyond the engine's state, folded incrementally (a server
 * keeps one and catches up per request): when plan changes moved each item's deadline, and each unit's
 * current feed token (only its hash; one per unit, a new one replaces the old).
 */
export class FeedLog {
  private seq = 0;
  /** Per assignment, the instants at which a plan change moved its deadline. */
  private readonly moves = new Map<string, EpochMs[]>();
  private readonly tokens = new Map<string, string>();

  async catchUp(store: EventStore, zone: string): Promise<void> {
    for await (const e of store.read({ fromSeq: this.seq + 1 })) {
      this.seq = e.seq;
      const p = e.payload as { moved?: { id: string }[]; unit?: string; tokenHash?: string };
      if (e.type === "planChanged" && Array.isArray(p.moved)) {
        const at = parseInstant(e.at, zone);
        for (const m of p.moved) (this.moves.get(m.id) ?? this.moves.set(m.id, []).get(m.id)!).push(at);
      } else if (e.type === "feedTokenIssued" && p.unit && p.tokenHash) this.tokens.set(p.unit, p.tokenHash);
      else if (e.type === "feedTokenRevoked" && p.unit) this.tokens.delete(p.unit);
    }
  }

  /** How many times plan changes up to `asOf` moved this item's deadline. */
  planMoves(assignment: string, asOf: EpochMs): number {
    return (this.moves.get(assignment) ?? []).filter((at) => at <= asOf).length;
  }

  /** Whether `token` is the unit's current feed token. */
  accepts(unit: string, token: string): boolean {
    const want = this.tokens.get(unit);
    return want !== undefined && sameToken(want, hashToken(token));
  }

  hasToken(unit: string): boolean {
    return this.tokens.has(unit);
  }
}

/**
 * Issues a unit's read-only feed token (replacing any earlier one) and records its hash in the log.
 * The token opens that unit's calendar and nothing else; it is shown once.
 */
export async function issueFeedToken(c: Campaign, unit: string, now: EpochMs, actor?: Actor): Promise<string> {
  // A feed URL is pasted into calendar apps and mail: shorter than an access token, still 192 random bits.
  const token = randomBytes(24).toString("base64url");
  await appendFeedEvent(c, "feedTokenIssued", { unit, tokenHash: hashToken(token) }, now, actor);
  return token;
}

export async function revokeFeedToken(c: Campaign, unit: string, now: EpochMs, actor?: Actor): Promise<void> {
  await appendFeedEvent(c, "feedTokenRevoked", { unit }, now, actor);
}

async function appendFeedEvent(c: Campaign, type: FeedEventType, payload: Record<string, unknown>, now: EpochMs, actor?: Actor): Promise<void> {
  // Through the campaign's one write path: refused when `now` is behind the log, never clamped to it.
  await c.record(now, (plan) => [{ at: formatInstant(now, plan.campaign.timezone), actor: actor ? encodeActor(plan, actor) : { kind: "engine" }, type, payload, planHash: plan.hash }]);
}

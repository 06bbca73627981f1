import type { AccessStore } from "../access/store.ts";
import type { User } from "../access/types.ts";
import type { AttachmentStore } from "../attachments/types.ts";
import type { Campaign } from "../campaign/campaign.ts";
import type { SubPlans } from "../campaign/subplans.ts";
import type { EpochMs } from "../engine/calendar.ts";
import type { Actor } from "../engine/types.ts";
import type { DeliveryIndex } from "./deliveries.ts";
import type { Site } from "./site.ts";
import type { Throttle } from "./throttle.ts";

/** Everything a request handler needs; built once per server. */
export interface WebDeps {
  campaign: Campaign;
  access: AccessStore;
  attachments: AttachmentStore;
  /** The campaign clock: wall time, or the instant a drill set (then recorded as `clock: "set"`). */
  now: () => EpochMs;
  clockSet: boolean;
  /** Wall time for session expiry, which must not follow a drill's clock. */
  wallNow: () => number;
  sessionTtlMs: number;
  deliveries: DeliveryIndex;
  lock: Mutex;
  /** How the public reaches this server: cookie names and flags, the origin POSTs must come from. */
  site: Site;
  /** The key that signs the sign-in form's token, read from the database once. */
  loginKey(): Promise<Buffer>;
  limits: WebLimits;
  /** The sub-plans under this campaign in its store, rolled up for the board and item pages (undefined without a store). */
  subPlans?: SubPlans;
  /** With several campaigns in the store: every campaign, for the switcher in the page header. */
  switcher?: readonly CampaignChoice[];
}

/** Per-server budgets (two servers in one process, as in tests, never share them). */
export interface WebLimits {
  /** Refused sign-ins (wrong token, bad form) per client address; past it, sign-in answers 429. */
  signInByAddress: Throttle;
  /** Sign-ins per account: each starts a session and writes a `signedIn` event. */
  signInByAccount: Throttle;
  /** Refusals logged per signed-in account; past it they are counted and the next logged says how many. */
  refusalLogByAccount: Throttle;
  /** Refused sign-ins logged per server, whoever sends them. */
  signInRefusalLog: Throttle;
}

/** One campaign of the store as the switcher shows it. */
export interface CampaignChoice {
  id: string;
  title: string;
  /** Whether a unit has a role in it (its plan lists the unit or person). */
  has(unit: string): boolean;
}

/** What the header shows of the switcher for this user: the campaigns its unit is in, the current one marked. */
export function switcherFor(deps: WebDeps, user: User | undefined): { campaigns?: { id: string; title: string; current: boolean }[] } {
  if (!deps.switcher || !user) return {};
  const here = deps.campaign.plan.campaign.id;
  return { campaigns: deps.switcher.filter((c) => c.has(user.unit)).map((c) => ({ id: c.id, title: c.title, current: c.id === here })) };
}

/** The signed-in user behind a request. */
export interface Viewer {
  user: User;
  /** Undefined for auditors: they act as nobody. */
  actor?: Actor;
  via: "session" | "bearer";
  sessionHash?: string;
  csrf?: string;
}

export type Env = { Variables: { viewer: Viewer | undefined; sessionProblem: "expired" | "ended" | undefined } };

/**
 * One request at a time touches the Campaign object: its engine state is folded from the log in
 * place, and two interleaved steps would each fold the other's half-written state.
 */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.tail.then(fn);
    this.tail = p.catch(() => {});
    return p;
  }
}

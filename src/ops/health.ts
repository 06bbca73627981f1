import type { Campaign } from "../campaign/campaign.ts";
import { SCHEMA_VERSION } from "../store/schema.ts";
import type { HostMetrics, LeaseState } from "./metrics.ts";

export interface ReadinessReport {
  ready: boolean;
  checks: {
    store: { ok: boolean; headSeq?: number; error?: string };
    schema: { ok: boolean; version?: number; expected: number };
    lease: { ok: boolean; state: LeaseState };
    outbox: { ok: boolean; oldestUnsentAgeSeconds?: number; maxAgeSeconds: number };
  };
}

/** /readyz fails when the oldest message due and unsent is older than this. */
export const DEFAULT_MAX_OUTBOX_AGE_MS = 15 * 60_000;

/** A store that does not answer within this is as good as down for a load balancer. */
const STORE_TIMEOUT_MS = 3000;

function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(Object.assign(new Error("timeout"), { code: "TIMEOUT" })), ms)));
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/**
 * What /readyz answers: the store answers, its schema is the one this build writes, the daemon's lease
 * is known (leader or standby; `none` where no daemon runs), and the oldest message due and unsent is
 * younger than `maxOutboxAgeMs`. Only counts and states: never a key, an address or a token.
 */
export async function readiness(campaign: Campaign, metrics: HostMetrics, maxOutboxAgeMs: number): Promise<ReadinessReport> {
  const maxAgeSeconds = Math.round(maxOutboxAgeMs / 1000);
  const state = metrics.leaseState;
  const checks: ReadinessReport["checks"] = {
    store: { ok: false },
    schema: { ok: false, expected: SCHEMA_VERSION },
    lease: { ok: state === "leader" || state === "standby" || state === "none", state },
    outbox: { ok: false, maxAgeSeconds },
  };
  try {
    checks.store = { ok: true, headSeq: (await within(campaign.store.head(), STORE_TIMEOUT_MS)).seq };
    const version = await within(campaign.store.schemaVersion(), STORE_TIMEOUT_MS);
    checks.schema = { ok: version === SCHEMA_VERSION, version, expected: SCHEMA_VERSION };
    const age = await within(metrics.oldestUnsentAgeSeconds(), STORE_TIMEOUT_MS);
    checks.outbox = { ok: age * 1000 <= maxOutboxAgeMs, oldestUnsentAgeSeconds: Math.round(age), maxAgeSeconds };
  } catch (err) {
    // The code only: a driver's message may carry the connection string.
    const code = (err as { code?: string }).code;
    if (!checks.store.ok) checks.store = { ok: false, error: typeof code === "string" ? code : "UNREACHABLE" };
  }
  return { ready: Object.values(checks).every((c) => c.ok), checks };
}

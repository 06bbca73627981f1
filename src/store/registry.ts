import { StoreError } from "./errors.ts";
import { CAMPAIGN_PREFIX } from "./schema.ts";
import type { CampaignRecord, StoredEvent } from "./types.ts";

/**
 * The registry of the campaigns one store holds: which campaign id owns which table prefix. Pure rules
 * here; each backend keeps the rows (table `campaigns`) and runs them inside its write transaction.
 */

export interface RegistryRow {
  id: string;
  prefix: string;
  parent: string | null;
  created_at: string;
}

export function recordOf(r: RegistryRow): CampaignRecord {
  return { id: r.id, prefix: r.prefix, ...(r.parent ? { parent: r.parent } : {}), createdAt: r.created_at };
}

/** Campaign ids are the plan's `campaign.id`: kept short and printable, as they go into commands and URLs. */
export function checkCampaignId(id: string): void {
  if (typeof id !== "string" || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(id)) throw new StoreError("INVALID_ARGUMENT", `campaign id must be letters, digits, ".", "_" or "-", got ${JSON.stringify(id)}`);
}

export function checkPrefix(prefix: string): void {
  if (!CAMPAIGN_PREFIX.test(prefix)) throw new StoreError("INVALID_ARGUMENT", `not a campaign table prefix: ${JSON.stringify(prefix)}`);
}

/**
 * The campaign a release without the registry wrote into the unprefixed tables, known by its first event
 * (`campaignInitialised` names it). Undefined when those tables are empty or already registered.
 */
function legacyRoot(rows: CampaignRecord[], first: StoredEvent | undefined): CampaignRecord | undefined {
  if (rows.some((r) => r.prefix === "") || !first) return undefined;
  const id = (first.payload as { campaign?: unknown } | null)?.campaign;
  if (typeof id !== "string") return undefined;
  return { id, prefix: "", createdAt: first.at };
}

/** Every campaign, the legacy one first (it was there before any other). */
export function listed(rows: CampaignRecord[], first: StoredEvent | undefined): CampaignRecord[] {
  const root = legacyRoot(rows, first);
  return root ? [root, ...rows] : rows;
}

/**
 * Where a new campaign goes: the unprefixed tables while they are free (a fresh store, or one whose only
 * campaign was never started), else the next `c<n>_`. The rows to insert include the legacy campaign's own
 * row, so its id is taken from then on. Two campaigns with one id are refused.
 */
export function allocate(rows: CampaignRecord[], first: StoredEvent | undefined, id: string, parent: string | undefined, now: string): { record: CampaignRecord; insert: CampaignRecord[] } {
  const root = legacyRoot(rows, first);
  const all = root ? [root, ...rows] : rows;
  if (all.some((r) => r.id === id)) throw new StoreError("CAMPAIGN_EXISTS", `campaign ${id} is already in this store`);
  const rootFree = !all.some((r) => r.prefix === "") && !first;
  let prefix = "";
  if (!rootFree) {
    const used = all.map((r) => Number(/^c([0-9]+)_$/.exec(r.prefix)?.[1] ?? 1));
    prefix = `c${Math.max(1, ...used) + 1}_`;
  }
  const record: CampaignRecord = { id, prefix, ...(parent ? { parent } : {}), createdAt: now };
  return { record, insert: [...(root ? [root] : []), record] };
}

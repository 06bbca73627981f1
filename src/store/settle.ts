import { StoreError } from "./errors.ts";
import type { DigestGroup, DigestSettle, SettleOptions } from "./types.ts";
import { instantMs } from "./validate.ts";

/**
 * The rules every backend applies when a dispatcher settles a claimed item: it must still be pending,
 * and when the settle carries its claim's `attempts` (the fencing token), nobody may have claimed it since.
 */
export function checkSettle(id: number, row: { status: string; attempts: number | string } | undefined, opts: SettleOptions): void {
  if (!row) throw new StoreError("OUTBOX_NOT_FOUND", `no outbox item ${id}`);
  if (row.status !== "pending") throw new StoreError("OUTBOX_STATE", `outbox item ${id} is already ${row.status}`);
  if (opts.attempt !== undefined && Number(row.attempts) !== opts.attempt)
    throw new StoreError("OUTBOX_LEASE_LOST", `outbox item ${id} was claimed again (attempt ${row.attempts}) after this claim (attempt ${opts.attempt}) lost its lease`);
}

/** Column values to keep with the item, or undefined when the settle carries none. */
export function settleProgress(opts: SettleOptions): { deliveredVia: string | null; retryUntil: string | null } | undefined {
  if (opts.deliveredVia === undefined && opts.retryUntil === undefined) return undefined;
  if (opts.retryUntil !== undefined) instantMs(opts.retryUntil, "retryUntil");
  if (opts.deliveredVia !== undefined && !(Array.isArray(opts.deliveredVia) && opts.deliveredVia.every((c) => typeof c === "string" && c.length > 0)))
    throw new StoreError("INVALID_ARGUMENT", "deliveredVia must be a list of channel names");
  return { deliveredVia: opts.deliveredVia?.length ? JSON.stringify([...new Set(opts.deliveredVia)].sort()) : null, retryUntil: opts.retryUntil ?? null };
}

/** A manual retry applies to failed items only; returns the item's id. */
export function checkRetry(key: string, row: { id: number | string; status: string } | undefined): number {
  if (!row) throw new StoreError("OUTBOX_NOT_FOUND", `no outbox item with key ${key}`);
  if (row.status !== "failed") throw new StoreError("OUTBOX_STATE", `outbox item ${key} is ${row.status}, not failed`);
  return Number(row.id);
}

/**
 * A digest group closes when its message went out or a member was given up on (its campaign's horizon
 * passed): a member still due is then sent alone, so no group waits on a member that will never go.
 */
export function closesDigest(settles: readonly DigestSettle[]): boolean {
  return settles.some((s) => "sentAt" in s.outcome || s.outcome.final);
}

/** Rows of digest_members, ordered by digest, as groups. */
export function groupDigestRows(rows: readonly { digest: string; prefix: string; outbox_id: number | string; item_key: string }[]): DigestGroup[] {
  const groups: DigestGroup[] = [];
  for (const r of rows) {
    let g = groups.at(-1);
    if (g?.key !== r.digest) groups.push((g = { key: r.digest, members: [] }));
    g.members.push({ prefix: r.prefix, id: Number(r.outbox_id), itemKey: r.item_key });
  }
  return groups;
}

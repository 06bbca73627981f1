import { afterEach, describe, expect, it } from "vitest";
import { StoreError } from "../../src/store/errors.ts";
import { openStore } from "../../src/store/open.ts";
import type { EventStore } from "../../src/store/store.ts";
import type { NewEvent } from "../../src/store/types.ts";

const due = "2025-03-01T09:00:00+08:00";
const ev = (campaign: string, i: number): NewEvent => ({
  at: `2025-03-01T09:00:${String(i).padStart(2, "0")}+08:00`,
  actor: { kind: "engine" },
  type: i === 1 ? "campaignInitialised" : "x",
  payload: { campaign, i },
  planHash: `plan-${campaign}`,
});

/** The registry of campaigns in one store, the same on every backend: `spec()` gives a fresh, empty store. */
export function describeRegistrySuite(name: string, spec: () => string, opts: { skip?: boolean } = {}): void {
  describe.skipIf(opts.skip)(name, () => {
    const open: EventStore[] = [];
    afterEach(async () => {
      for (const s of open.splice(0).reverse()) await s.close();
    });
    const store = async (s: string) => {
      const st = await openStore(s);
      open.push(st);
      return st;
    };
    /** A fresh store with campaigns a and b, their records and their logs. */
    const twoCampaigns = async () => {
      const s = await store(spec());
      const ra = await s.addCampaign("a");
      const rb = await s.addCampaign("b");
      return { s, ra, rb, a: s.campaignLog(ra.prefix), b: s.campaignLog(rb.prefix) };
    };

    it("puts the first campaign in the unprefixed tables and each further one in tables of its own", async () => {
      const s = await store(spec());
      expect(await s.campaigns()).toEqual([]);
      const a = await s.addCampaign("city");
      const b = await s.addCampaign("district", { parent: "city" });
      expect([a.prefix, b.prefix]).toEqual(["", "c2_"]);
      expect((await s.campaigns()).map((r) => [r.id, r.prefix, r.parent])).toEqual([
        ["city", "", undefined],
        ["district", "c2_", "city"],
      ]);
      expect(s.campaignLog("")).toBe(s);
      expect(s.campaignLog("c2_")).toBe(s.campaignLog("c2_"));
    });

    it("settles a batch of a further campaign's messages in that campaign's own outbox", async () => {
      const s = await store(spec());
      const a = s.campaignLog((await s.addCampaign("a")).prefix);
      const b = s.campaignLog((await s.addCampaign("b")).prefix);
      await a.append([ev("a", 1)], [{ key: "k", channel: "email", dueAt: due, payload: { to: "a" } }]);
      await b.append([ev("b", 1)], [{ key: "k", channel: "email", dueAt: due, payload: { to: "b" } }, { key: "k2", channel: "email", dueAt: due, payload: { to: "b" } }]);
      const claimed = await b.claimOutbox("2025-03-01T09:00:30+08:00", 10);
      expect(claimed.map((c) => c.key).sort()).toEqual(["k", "k2"]);
      const out = await b.markSentMany(claimed.map((c, i) => ({ id: c.id, sentAt: "2025-03-01T09:00:31+08:00", event: { ...ev("b", 31 + i), type: "delivered" }, opts: { attempt: c.attempts } })));
      expect(out.every((o) => "event" in o)).toBe(true);
      expect(await b.outboxCounts()).toMatchObject({ pending: 0, sent: 2 });
      // The first campaign's row with the same id is untouched.
      expect(await a.outboxCounts()).toMatchObject({ pending: 1, sent: 0 });
      expect((await b.verify()).ok).toBe(true);
    });

    it("claims a digest group across campaigns once, its members never alone, and a retry claims exactly the recorded members", async () => {
      const { s, ra, rb, a, b } = await twoCampaigns();
      await a.append([ev("a", 1)], [{ key: "a/u", channel: "reminder", dueAt: due, payload: {} }, { key: "a/v", channel: "reminder", dueAt: due, payload: {} }]);
      await b.append([ev("b", 1)], [{ key: "b/u", channel: "reminder", dueAt: due, payload: {} }]);
      const [au, av] = (await a.listOutbox()).sort((x, y) => (x.key < y.key ? -1 : 1));
      const [bu] = await b.listOutbox();
      const now = "2025-03-01T09:00:05+08:00";
      const claim = await s.claimDigest({ key: "digest/u", members: [{ prefix: ra.prefix, id: au!.id }, { prefix: rb.prefix, id: bu!.id }] }, now, { leaseMs: 60_000 });
      expect(claim?.retry).toBe(false);
      expect(claim!.members.map((m) => [m.prefix, m.item.key, m.item.attempts])).toEqual([
        [ra.prefix, "a/u", 1],
        [rb.prefix, "b/u", 1],
      ]);
      // Leased: neither a second claim of the group nor the campaign's own dispatch takes it meanwhile.
      expect(await s.claimDigest({ key: "digest/u", members: [] }, now, { leaseMs: 60_000 })).toBeUndefined();
      const later = "2025-03-01T09:05:00+08:00";
      // Past the lease, the campaign's own claim still leaves a member of an open group to its group.
      expect((await a.claimOutbox(later, 10)).map((o) => o.key)).toEqual(["a/v"]);
      expect(await b.claimOutbox(later, 10)).toEqual([]);
      // A new group cannot take a member of an open one, nor a row claimed already.
      expect(await s.claimDigest({ key: "digest/other", members: [{ prefix: ra.prefix, id: au!.id }, { prefix: ra.prefix, id: av!.id }, { prefix: rb.prefix, id: bu!.id }] }, later)).toBeUndefined();
      // The retry: the recorded members, whatever is asked for, claimed again.
      const retry = await s.claimDigest({ key: "digest/u", members: [{ prefix: ra.prefix, id: av!.id }] }, later, { leaseMs: 60_000 });
      expect(retry?.retry).toBe(true);
      expect(retry!.members.map((m) => [m.item.key, m.item.attempts])).toEqual([
        ["a/u", 2],
        ["b/u", 2],
      ]);
      expect((await s.openDigests()).map((g) => [g.key, g.members.map((m) => m.itemKey)])).toEqual([["digest/u", ["a/u", "b/u"]]]);
      const settle = (m: NonNullable<typeof retry>["members"][number], attempt: number, i: number) => ({
        prefix: m.prefix,
        id: m.id,
        attempt,
        event: { ...ev(m.prefix || "a", 40 + i), type: "delivered", payload: { key: m.item.key, digest: "digest/u" } },
        outcome: { sentAt: "2025-03-01T09:05:01+08:00" },
      });
      // A stale claim (the first one's attempt) is refused, for every member: nothing commits.
      await expect(s.settleDigest("digest/u", retry!.members.map((m, i) => settle(m, i === 0 ? 2 : 1, i)))).rejects.toMatchObject({ code: "OUTBOX_LEASE_LOST" });
      expect(await a.outboxCounts()).toMatchObject({ sent: 0 });
      expect((await a.head()).seq + (await b.head()).seq).toBe(2);
      const events = await s.settleDigest("digest/u", retry!.members.map((m, i) => settle(m, 2, i)));
      expect(events.map((e) => e.seq)).toEqual([2, 2]);
      expect((await a.listOutbox({ key: "a/u" }))[0]!.status).toBe("sent");
      expect((await b.listOutbox({ key: "b/u" }))[0]!.status).toBe("sent");
      expect(await s.openDigests()).toEqual([]);
      expect((await a.verify()).ok && (await b.verify()).ok).toBe(true);
      // A key stands for its members for good: closed, it is never claimed again, whatever is asked for.
      await a.append([], [{ key: "a/w", channel: "reminder", dueAt: due, payload: {} }]);
      await b.append([], [{ key: "b/w", channel: "reminder", dueAt: due, payload: {} }]);
      const aw = (await a.listOutbox({ key: "a/w" }))[0]!;
      const bw = (await b.listOutbox({ key: "b/w" }))[0]!;
      const fresh = [{ prefix: ra.prefix, id: aw.id }, { prefix: rb.prefix, id: bw.id }];
      expect(await s.claimDigest({ key: "digest/u", members: fresh }, later)).toBeUndefined();
      // All or none: with one member taken already, nothing is claimed, and the other stays its campaign's.
      expect(await s.claimDigest({ key: "digest/w", members: [...fresh, { prefix: ra.prefix, id: av!.id }] }, later)).toBeUndefined();
      expect((await b.claimOutbox(later, 10)).map((o) => o.key)).toEqual(["b/w"]);
    });

    it("keeps a digest group open after a failed attempt that will be retried, and closes it when a member is given up on", async () => {
      const { s, ra, rb, a, b } = await twoCampaigns();
      await a.append([ev("a", 1)], [{ key: "a/u", channel: "reminder", dueAt: due, payload: {} }]);
      await b.append([ev("b", 1)], [{ key: "b/u", channel: "reminder", dueAt: due, payload: {} }]);
      const members = [{ prefix: ra.prefix, id: (await a.listOutbox())[0]!.id }, { prefix: rb.prefix, id: (await b.listOutbox())[0]!.id }];
      const fail = (c: NonNullable<Awaited<ReturnType<typeof s.claimDigest>>>, final: (k: number) => boolean, next: string) =>
        c.members.map((m, k) => ({ prefix: m.prefix, id: m.id, attempt: m.item.attempts, event: { ...ev("x", 50 + k + m.item.attempts * 2), type: final(k) ? "deliveryFailed" : "deliveryRetry" }, outcome: { error: "E: down", nextAttemptAt: next, final: final(k) } }));
      const c1 = await s.claimDigest({ key: "digest/u", members }, "2025-03-01T09:00:05+08:00");
      await s.settleDigest("digest/u", fail(c1!, () => false, "2025-03-01T09:01:00+08:00"));
      expect(await s.openDigests()).toHaveLength(1);
      expect(await a.claimOutbox("2025-03-01T09:02:00+08:00", 10)).toEqual([]);
      const c2 = await s.claimDigest({ key: "digest/u", members: [] }, "2025-03-01T09:02:00+08:00");
      expect(c2?.retry).toBe(true);
      // b's campaign gives up (its horizon passed), a's retries: the group closes and a's row goes alone.
      await s.settleDigest("digest/u", fail(c2!, (k) => k === 1, "2025-03-01T09:03:00+08:00"));
      expect(await s.openDigests()).toEqual([]);
      expect((await a.claimOutbox("2025-03-01T09:04:00+08:00", 10)).map((o) => o.key)).toEqual(["a/u"]);
      expect((await b.listOutbox())[0]!.status).toBe("failed");
    });

    it("refuses two campaigns with one id, and writes nothing", async () => {
      const s = await store(spec());
      await s.addCampaign("city");
      await s.addCampaign("other");
      const err = await s.addCampaign("other").catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreError);
      expect((err as StoreError).code).toBe("CAMPAIGN_EXISTS");
      expect((await s.campaigns()).map((r) => r.id)).toEqual(["city", "other"]);
    });

    it("keeps a chain, an outbox and plans per campaign: each verifies alone, one key may be in both", async () => {
      const spec1 = spec();
      const s = await store(spec1);
      const a = s.campaignLog((await s.addCampaign("a")).prefix);
      const b = s.campaignLog((await s.addCampaign("b")).prefix);
      await a.append([ev("a", 1), ev("a", 2)], [{ key: "k", channel: "email", dueAt: "2025-03-01T09:00:00+08:00", payload: { to: "a" } }]);
      await b.append([ev("b", 1)], [{ key: "k", channel: "email", dueAt: "2025-03-01T09:00:00+08:00", payload: { to: "b" } }]);
      await b.putPlan("plan-b", "text of b");
      expect((await a.head()).seq).toBe(2);
      expect((await b.head()).seq).toBe(1);
      expect(await a.verify()).toMatchObject({ ok: true, count: 2 });
      expect(await b.verify()).toMatchObject({ ok: true, count: 1 });
      expect(await a.latestPlanHash()).toBeUndefined();
      expect(await b.getPlan("plan-b")).toBe("text of b");
      const claimed = await b.claimOutbox("2025-03-01T10:00:00+08:00", 10);
      expect(claimed.map((o) => o.payload)).toEqual([{ to: "b" }]);
      expect((await a.outboxCounts()).pending).toBe(1);
      expect(await b.storeId()).toBe(await a.storeId());

      // Another connection finds them all; closing a campaign's store leaves the store open.
      const again = await store(spec1);
      const records = await again.campaigns();
      expect(records.map((r) => r.id)).toEqual(["a", "b"]);
      const b2 = again.campaignLog(records[1]!.prefix);
      expect((await b2.head()).seq).toBe(1);
      await b2.close();
      expect((await again.head()).seq).toBe(2);
    });

    it("lists the campaign a release without the registry wrote, and takes a second beside it", async () => {
      const spec1 = spec();
      const s = await store(spec1);
      // Written as that release did: straight into the unprefixed log, no registry row.
      await s.append([ev("old", 1), ev("old", 2)]);
      expect((await s.campaigns()).map((r) => [r.id, r.prefix])).toEqual([["old", ""]]);
      const dup = await s.addCampaign("old").catch((e: unknown) => e);
      expect((dup as StoreError).code).toBe("CAMPAIGN_EXISTS");
      const next = await s.addCampaign("new");
      expect(next.prefix).toBe("c2_");
      expect((await (await store(spec1)).campaigns()).map((r) => [r.id, r.prefix])).toEqual([
        ["old", ""],
        ["new", "c2_"],
      ]);
      expect(await s.verify()).toMatchObject({ ok: true, count: 2 });
    });

    it("forgets a registration only while its log is empty", async () => {
      const s = await store(spec());
      await s.addCampaign("a");
      const b = await s.addCampaign("b");
      const c = await s.addCampaign("c");
      await s.campaignLog(c.prefix).append([ev("c", 1)]);
      await s.dropEmptyCampaign("b");
      await s.dropEmptyCampaign("c");
      expect((await s.campaigns()).map((r) => r.id)).toEqual(["a", "c"]);
      expect(b.prefix).toBe("c2_");
      // A later campaign does not land on a prefix still in use.
      expect((await s.addCampaign("d")).prefix).not.toBe(c.prefix);
    });

    it("refuses a campaign id that could not be typed in a command", async () => {
      const s = await store(spec());
      for (const id of ["", "a b", "../x", "区"]) await expect(s.addCampaign(id)).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    });
  });
}

import { messageIdFromKey, type NotifierSet, type OutgoingMessage } from "../../notifiers/index.ts";
import { REMINDER_CHANNEL } from "../campaign/codec.ts";
import type { EpochMs } from "../engine/calendar.ts";
import type { LogFn } from "../ops/log-fields.ts";
import type { ReminderSection } from "../reminders/compose.ts";
import { composeSections } from "../reminders/digest.ts";
import { StoreError } from "../store/errors.ts";
import { sha256Hex } from "../store/hash.ts";
import type { EventStore } from "../store/store.ts";
import type { DigestClaim, DigestSettle, MemberRef } from "../store/types.ts";
import { sendMessage, type DispatchObserver, type DispatchReport, type Dispatcher } from "./dispatcher.ts";

/**
 * One message per recipient per send time across the campaigns of a store (issue 14). The store daemon runs
 * this between ticking its campaigns and their own dispatch: a recipient owing e-mail reminders in several
 * campaigns at one send time gets one message with a section per campaign, under a Message-ID of the group's
 * key; the store records the group's members (claimDigest), so a retry after a crash claims the same rows and
 * resends the same sections under the same Message-ID, and settles every member in its own chain at once
 * (settleDigest). Rows alone in their group are left to their campaign's dispatcher, which sends them as ever.
 */

/** A campaign of the store as the digest pass sees it: its prefix, its log, and its opened dispatcher on demand. */
export interface DigestCampaign {
  id: string;
  prefix: string;
  log: EventStore;
  /** Whether this process leads the campaign: only those form groups (a group already recorded is retried by a leader of any member). */
  led: boolean;
  use<T>(fn: (d: Dispatcher) => Promise<T>): Promise<T>;
}

export interface DigestOptions {
  leaseMs?: number;
  log?: LogFn;
  observer?: DispatchObserver;
}

/** The outcomes by campaign id, counted per member row as a campaign's own dispatch counts its messages. */
export type DigestReport = Map<string, DispatchReport>;

/** A candidate row rarely waits long: a minute's reminders are due together, so a short read holds them all. */
const CANDIDATES = 100_000;

/**
 * The recipient and send instant a group gathers: the unit id and its address set (two plans' different
 * contacts for one id are not merged) and the instant in UTC. A group's key adds its members' keys' hash.
 */
export function digestKey(unit: string, at: EpochMs, addresses: readonly string[]): string {
  return `digest/${unit}/${new Date(at).toISOString()}/${sha256Hex([...addresses].sort().join("\n")).slice(0, 12)}`;
}

export async function dispatchDigests(store: EventStore, campaigns: readonly DigestCampaign[], notifiers: NotifierSet, now: EpochMs, opts: DigestOptions = {}): Promise<DigestReport> {
  const report: DigestReport = new Map();
  const log = opts.log ?? (() => {});
  const byPrefix = new Map(campaigns.map((c) => [c.prefix, c]));
  const iso = new Date(now).toISOString();
  const leaseMs = opts.leaseMs ?? 120_000;

  // A group spans two campaigns at least: a store of one campaign pays nothing here.
  if (campaigns.length < 2) return report;
  // Groups recorded before (a crash between send and settle, a failed attempt): the same members again.
  for (const g of await store.openDigests()) {
    if (!g.members.some((m) => byPrefix.get(m.prefix)?.led)) continue;
    if (!g.members.every((m) => byPrefix.has(m.prefix))) continue;
    const claim = await store.claimDigest({ key: g.key, members: [] }, iso, { leaseMs });
    if (claim) await sendGroup(claim);
  }

  // New groups among the first claims of the campaigns this process leads.
  const groups = new Map<string, (MemberRef & { campaign: string; itemKey: string })[]>();
  // Only campaigns with a message due now are read (one indexed min() each): an idle minute lists no outbox.
  const dueNow: DigestCampaign[] = [];
  for (const c of campaigns) if (c.led && ((await c.log.nextOutboxAttemptMs()) ?? Infinity) <= now) dueNow.push(c);
  for (const c of dueNow.length >= 2 ? dueNow : []) {
    const due = (await c.log.listOutbox({ status: "pending", channel: REMINDER_CHANNEL, limit: CANDIDATES })).filter((o) => o.attempts === 0 && Date.parse(o.nextAttemptAt) <= now);
    if (due.length === 0) continue;
    const found = await c.use(async (d) => due.map((item) => ({ item, r: d.digestCandidate(item, now) })));
    for (const { item, r } of found) {
      if (!r) continue;
      const key = digestKey(r.unit, r.at, r.addresses);
      (groups.get(key) ?? groups.set(key, []).get(key)!).push({ prefix: c.prefix, id: item.id, campaign: c.id, itemKey: item.key });
    }
  }
  for (const [recipient, members] of groups) {
    // One campaign's rows of one recipient and instant are its engine's business (a 催办 goes alone).
    if (new Set(members.map((m) => m.campaign)).size < 2) continue;
    // The members are part of the key: another set for the same recipient and instant (another daemon's
    // share of the campaigns, a campaign added later) is another message, under another Message-ID.
    const key = `${recipient}/${sha256Hex(members.map((m) => m.itemKey).sort().join("\n")).slice(0, 12)}`;
    const claim = await store.claimDigest({ key, members: members.map(({ prefix, id }) => ({ prefix, id })) }, iso, { leaseMs });
    if (claim) await sendGroup(claim);
  }
  return report;

  function count(campaign: string, what: keyof DispatchReport): void {
    const r = report.get(campaign) ?? report.set(campaign, { sent: 0, retrying: 0, failed: 0 }).get(campaign)!;
    r[what]++;
  }

  async function sendGroup(claim: DigestClaim): Promise<void> {
    // One order for the first send and every retry: the same Message-ID carries the same sections.
    const members = [...claim.members].sort((a, b) => (a.prefix < b.prefix ? -1 : a.prefix > b.prefix ? 1 : a.id - b.id));
    const of = (m: MemberRef) => byPrefix.get(m.prefix)!;
    const sections: ReminderSection[] = [];
    let broken: { member: DigestClaim["members"][number]; error: string } | undefined;
    for (const m of members) {
      try {
        sections.push(await of(m).use((d) => d.digestSection(m.item)));
      } catch (err) {
        broken = { member: m, error: String((err as Error).message ?? err) };
        break;
      }
    }
    const first = of(members[0]!);
    const identity = await first.use((d) => d.messageIdentity());
    let msg: OutgoingMessage | undefined;
    let results;
    if (broken) {
      // The member that cannot be composed is given up on; that closes the group, and the others go alone.
      results = undefined;
    } else {
      msg = composeSections(claim.key, sections, identity);
      const skip = new Set(members.map((m) => m.item.deliveredVia ?? []).reduce((a, b) => a.filter((c) => b.includes(c))));
      // Renewed from the time spent sending, on the minute's clock (as the Dispatcher's own leases are): a slow
      // server must not let the leases run out under a message still being sent.
      const sendStarted = Date.now();
      const timer = setInterval(() => {
        const until = new Date(now + (Date.now() - sendStarted) + leaseMs).toISOString();
        for (const m of members) void of(m).log.renewOutboxLease([{ id: m.item.id, attempts: m.item.attempts }], until).catch(() => {});
      }, Math.max(5, Math.floor(leaseMs / 3)));
      try {
        results = await sendMessage(notifiers, msg, skip);
      } finally {
        clearInterval(timer);
      }
    }
    let at: string | undefined;
    for (let attempt = 0; ; attempt++) {
      const settles: DigestSettle[] = [];
      for (const m of members) {
        const c = of(m);
        const s = await c.use(async (d) => {
          if (broken) {
            const own = broken.member === m;
            const f = own ? { ok: false as const, channel: "compose", retryable: false, code: "COMPOSE", error: broken.error } : { ok: false as const, channel: "compose", retryable: true, code: "DIGEST_MEMBER_BROKEN", error: `同批汇总中“${of(broken.member).id}”的提醒（${broken.member.item.key}）无法生成，本项改为单独发送` };
            // Nothing was sent: the events name the group's Message-ID and the recipient, as a failed send would.
            const placeholder = { messageId: messageIdFromKey(claim.key, identity), to: sections[0]?.to ?? { id: "", name: "" }, subject: "", text: "", html: "" };
            const r = d.digestSettle(m.item, placeholder, claim.key, [f], now, at);
            // Due now, alone: the group is closed by its broken member.
            return own ? r : { ...r, outcome: { ...r.outcome, nextAttemptAt: new Date(now).toISOString() } };
          }
          return d.digestSettle(m.item, msg!, claim.key, results!, now, at);
        });
        settles.push({ prefix: m.prefix, ...s });
      }
      try {
        await store.settleDigest(claim.key, settles);
        const sent = settles.every((s) => "sentAt" in s.outcome);
        for (const [k, s] of settles.entries()) count(of(members[k]!).id, "sentAt" in s.outcome ? "sent" : s.outcome.final ? "failed" : "retrying");
        if (sent) {
          opts.observer?.delivered(results!.filter((r) => r.ok).map((r) => r.channel));
          log(`sent digest ${claim.key} to=${msg!.to.id} members=${members.map((m) => m.item.key).join(",")} id=${msg!.messageId}${claim.retry ? " (resent)" : ""}`, {
            event: "sent",
            item: claim.key,
            messageId: msg!.messageId,
            recipient: msg!.to.id,
            members: members.map((m) => m.item.key),
            addresses: msg!.to.email ?? [],
          });
        } else {
          const f = settles.find((s) => !("sentAt" in s.outcome))!;
          const final = !("sentAt" in f.outcome) && f.outcome.final;
          opts.observer?.failed(broken ? "compose" : (results!.find((r) => !r.ok)?.channel ?? "none"), final);
          log(`${final ? "FAILED" : "retry"} digest ${claim.key}: ${"error" in f.outcome ? f.outcome.error : ""}`, { level: final ? "error" : "warn", event: final ? "failed" : "retry", item: claim.key });
        }
        return;
      } catch (err) {
        if (err instanceof StoreError && err.code === "CLOCK_BEHIND" && err.lastAt !== undefined && attempt < 3) {
          at = err.lastAt;
          continue;
        }
        // Left claimed: when the leases run out the group is claimed again and resent under its Message-ID.
        log(`could not record digest ${claim.key}: ${(err as Error).message}; retried when its lease ends`, { level: "warn", event: "digest-unsettled", item: claim.key });
        for (const m of members) count(of(m).id, "retrying");
        return;
      }
    }
  }
}

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { Campaign } from "../campaign/campaign.ts";
import type { EventStore } from "../store/store.ts";
import type { EpochMs } from "../engine/calendar.ts";
import type { DaemonObserver } from "../daemon/daemon.ts";
import { REMINDER_CHANNEL } from "../campaign/codec.ts";
import { SUMMARY_CHANNEL } from "../dispatch/dispatcher.ts";

/** A campaign the metrics read: its log, and the campaign itself where the process holds it open. */
export interface WatchedCampaign {
  id: string;
  store: Pick<EventStore, "head" | "outboxCounts" | "listOutbox">;
  campaign?: Pick<Campaign, "board">;
}

/** What the host tells the metrics about the daemon's lease; `none` where no daemon runs in the process. */
export type LeaseState = "acquiring" | "leader" | "standby" | "stopped" | "none";
const LEASE_STATES: readonly LeaseState[] = ["acquiring", "leader", "standby", "stopped", "none"];

/**
 * The process's Prometheus metrics, on a registry of its own (not prom-client's global one), so a test
 * or a process with two hosts never mixes their series. Counters are fed by the daemon and the web as
 * things happen; the campaign's state (outbox, overdue items, log head) is read when scraped.
 * Labels are closed sets (channel, outcome, level, route pattern): never a unit, an address or a token.
 */
export class HostMetrics implements DaemonObserver {
  readonly registry = new Registry();
  /**
   * Every campaign the process serves, the first one first. Outbox, log head and the oldest unsent
   * message are read from each one's log; overdue items only from those open in the process (a campaign
   * the daemon has released is not opened for a scrape).
   */
  private watched: readonly WatchedCampaign[] = [];
  private now: () => EpochMs = Date.now;
  private lease: LeaseState = "none";

  readonly reminders = new Counter({ name: "duban_reminders_total", help: "Messages by outcome (queued, sent, retrying, failed) and channel (outbox channel when queued, delivery channel after)", labelNames: ["channel", "outcome"] as const, registers: [this.registry] });
  readonly tickDuration = new Histogram({ name: "duban_tick_duration_seconds", help: "Duration of one daemon cycle: tick, summary, dispatch", buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120], registers: [this.registry] });
  readonly eventsAppended = new Counter({ name: "duban_events_appended_total", help: "Events this process's daemon appended to the log by ticking", registers: [this.registry] });
  readonly leaseAcquired = new Counter({ name: "duban_lease_acquired_total", help: "Times this process became the daemon that ticks and sends", registers: [this.registry] });
  private readonly leaseLost_ = new Counter({ name: "duban_lease_lost_total", help: "Times this process lost the daemon lease while holding it (its store connection ended)", registers: [this.registry] });
  readonly outboxLeaseRenewals = new Counter({ name: "duban_outbox_lease_renewals_total", help: "Renewals of the leases on messages being sent, by result", labelNames: ["result"] as const, registers: [this.registry] });
  readonly cycleFailures = new Counter({ name: "duban_cycle_failures_total", help: "Daemon cycles that did not finish", registers: [this.registry] });
  readonly httpDuration = new Histogram({ name: "duban_http_request_duration_seconds", help: "HTTP requests of the web workspace by method, route pattern and status", labelNames: ["method", "route", "status"] as const, buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [this.registry] });

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    const self = this;
    new Gauge({
      name: "duban_lease_holder",
      help: "1 for the lease state this process is in (leader ticks and sends; standby waits; none: no daemon here)",
      labelNames: ["state"] as const,
      registers: [this.registry],
      collect() {
        for (const s of LEASE_STATES) this.set({ state: s }, s === self.lease ? 1 : 0);
      },
    });
    new Gauge({
      name: "duban_outbox_messages",
      help: "Messages in the outbox by campaign and status",
      labelNames: ["campaign", "status"] as const,
      registers: [this.registry],
      async collect() {
        for (const w of self.watched) {
          const counts = await w.store.outboxCounts();
          for (const [status, n] of Object.entries(counts)) this.set({ campaign: w.id, status }, n);
        }
      },
    });
    new Gauge({
      name: "duban_outbox_oldest_unsent_age_seconds",
      help: "Age of the oldest message that is due and not sent (0 when none): a stuck outbox grows it",
      registers: [this.registry],
      async collect() {
        this.set(await self.oldestUnsentAgeSeconds());
      },
    });
    new Gauge({
      name: "duban_overdue_items",
      help: "Items overdue and not handed in, by campaign and ladder level (campaigns open in this process)",
      labelNames: ["campaign", "level"] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const w of self.watched) {
          if (!w.campaign) continue;
          // The campaign as last folded: a scrape never folds the log beside a running cycle.
          const byLevel = new Map<number, number>();
          for (const r of w.campaign.board(self.now())) if (r.lateness === "overdue" || r.lateness === "escalated") byLevel.set(r.level, (byLevel.get(r.level) ?? 0) + 1);
          for (const [level, n] of byLevel) this.set({ campaign: w.id, level: String(level) }, n);
        }
      },
    });
    new Gauge({
      name: "duban_log_head_seq",
      help: "Sequence number of the last event in each campaign's log",
      labelNames: ["campaign"] as const,
      registers: [this.registry],
      async collect() {
        for (const w of self.watched) this.set({ campaign: w.id }, (await w.store.head()).seq);
      },
    });
    if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: "duban_" });
  }

  /** The campaigns whose state is read at each scrape (the first one open), and the clock it is read at. */
  watch(campaign: Campaign, now: () => EpochMs = Date.now, others: readonly WatchedCampaign[] = []): void {
    this.watched = [{ id: campaign.plan.campaign.id, store: campaign.store, campaign }, ...others.filter((c) => c.store !== campaign.store)];
    this.now = now;
  }

  setLease(state: LeaseState): void {
    if (state === "leader" && this.lease !== "leader") this.leaseAcquired.inc();
    this.lease = state;
  }

  get leaseState(): LeaseState {
    return this.lease;
  }

  async oldestUnsentAgeSeconds(): Promise<number> {
    let age = 0;
    for (const c of this.watched) {
      const [oldest] = await c.store.listOutbox({ status: "pending", limit: 1 });
      if (oldest) age = Math.max(age, (this.now() - Date.parse(oldest.dueAt)) / 1000);
    }
    return age;
  }

  // DispatchObserver: called by the dispatcher for each outcome.
  delivered(channels: readonly string[]): void {
    for (const channel of channels) this.reminders.inc({ channel, outcome: "sent" });
  }
  failed(channel: string, final: boolean): void {
    this.reminders.inc({ channel, outcome: final ? "failed" : "retrying" });
  }
  leaseRenewed(ok: boolean): void {
    this.outboxLeaseRenewals.inc({ result: ok ? "ok" : "error" });
  }

  // DaemonObserver: called by the daemon after each cycle and when its lease ends.
  cycle(r: { durationMs: number; events: number; queued: number; summaryQueued: boolean; ok: boolean }): void {
    this.tickDuration.observe(r.durationMs / 1000);
    if (!r.ok) return void this.cycleFailures.inc();
    if (r.events > 0) this.eventsAppended.inc(r.events);
    if (r.queued > 0) this.reminders.inc({ channel: REMINDER_CHANNEL, outcome: "queued" }, r.queued);
    if (r.summaryQueued) this.reminders.inc({ channel: SUMMARY_CHANNEL, outcome: "queued" });
  }
  leaseLost(): void {
    this.leaseLost_.inc();
  }

  /** The text exposition format, and its content type. */
  async scrape(): Promise<{ body: string; contentType: string }> {
    return { body: await this.registry.metrics(), contentType: this.registry.contentType };
  }
}

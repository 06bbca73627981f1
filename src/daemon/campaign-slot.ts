import type { NotifierSet } from "../../notifiers/index.ts";
import { Campaign } from "../campaign/campaign.ts";
import { Dispatcher, type DispatchOptions } from "../dispatch/dispatcher.ts";
import { addDays, type EpochMs } from "../engine/calendar.ts";
import type { EventStore } from "../store/store.ts";

/**
 * A store of many campaigns cannot hold every campaign's engine in memory (100 campaigns of 3,000
 * assignments would take GBs), and most are idle most minutes. A CampaignSlot stands for one campaign in
 * the store daemon: it keeps only what it needs to know when the campaign is next due, opens it (from its
 * snapshot and log) when it is, and gives it back to a bounded cache of opened campaigns after the cycle.
 */

export interface Opened {
  campaign: Campaign;
  dispatcher: Dispatcher;
}

/**
 * Opened campaigns, at most `capacity` at once, in use or idle: an idle one is dropped, least recently
 * used first, to make room; a cycle that needs a campaign when all are in use waits for one to finish.
 */
export class CampaignCache {
  /** Idle campaigns, least recently used first (a Map keeps insertion order). */
  private readonly idle = new Map<string, Opened>();
  private inUse = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly capacity: number) {
    if (!(capacity >= 1)) throw new Error(`the cache of opened campaigns needs room for one at least, got ${capacity}`);
  }

  /** How many campaigns are held now (in use and idle). */
  get size(): number {
    return this.inUse + this.idle.size;
  }

  has(id: string): boolean {
    return this.idle.has(id);
  }

  /** A campaign the host opened already: kept as the most recently used. */
  seed(id: string, o: Opened): void {
    this.idle.set(id, o);
    this.trim(this.capacity - this.inUse);
  }

  forget(id: string): void {
    this.idle.delete(id);
  }

  async use<T>(id: string, open: () => Promise<Opened>, fn: (o: Opened) => Promise<T>): Promise<T> {
    while (this.inUse >= this.capacity) await new Promise<void>((r) => this.waiting.push(r));
    this.inUse++;
    let o = this.idle.get(id);
    this.idle.delete(id);
    try {
      if (!o) {
        // Room first, so the campaign being opened never sits in memory beside capacity others.
        this.trim(this.capacity - this.inUse);
        o = await open();
      }
      return await fn(o);
    } finally {
      this.inUse--;
      if (o) this.seed(id, o);
      this.waiting.shift()?.();
    }
  }

  private trim(keep: number): void {
    for (const id of this.idle.keys()) {
      if (this.idle.size <= Math.max(0, keep)) return;
      this.idle.delete(id);
    }
  }
}

/**
 * The first instant after `now` at which the daily summary may be queued (queueDailySummary): today's
 * send time while it is ahead, else the next day's. Never later than the true one (a day off only makes
 * the daemon look once for nothing), so no summary waits for a campaign that stays released.
 */
export function nextSummaryAt(c: Campaign, now: EpochMs): EpochMs {
  const plan = c.plan;
  const cal = c.calendar;
  if (now >= plan.campaign.endAt + 86_400_000 * 7) return Infinity;
  const from = Math.max(now, plan.campaign.startAt);
  const date = cal.dateOf(from);
  const slot = cal.at(date, plan.calendar.sendAt);
  if (slot > now) return slot;
  return cal.at(addDays(date, 1), plan.calendar.sendAt);
}

export interface SlotOptions extends DispatchOptions {
  /** Told about the campaign the first time it is opened (the log's contact scrubbing, a line in the log). */
  onOpen?: (c: Campaign) => void;
}

export class CampaignSlot {
  /** Unknown until the first cycle: -Infinity makes it due. */
  private nextDue = -Infinity;
  /** The log's head when the campaign was last given back: an append by anyone since makes it due. */
  private seq = -1;
  private seen = false;
  /** Set while the daemon stops: the dispatcher finishes the message in flight and starts no other. */
  stopping = false;

  constructor(
    readonly id: string,
    readonly log: EventStore,
    private readonly cache: CampaignCache,
    private readonly notifiers: NotifierSet,
    private readonly opts: SlotOptions,
  ) {}

  /** The instant up to which the slot knows nothing is due (-Infinity: unknown); for tests and the bench. */
  get knownIdleUntil(): EpochMs {
    return this.nextDue;
  }

  /**
   * Whether a cycle at `now` has work: something the engine or the daily summary has due, a message in
   * the outbox that may be claimed, or events appended since (an action on the web, a plan applied by
   * another process, another daemon's work), which may change what is due. Two indexed reads.
   */
  async due(now: EpochMs): Promise<boolean> {
    if (now >= this.nextDue) return true;
    if ((await this.log.head()).seq !== this.seq) return true;
    const next = await this.log.nextOutboxAttemptMs();
    return next !== undefined && next <= now;
  }

  /** Runs `run` on the opened campaign when due at `now`; undefined when nothing was due. */
  async cycle<T>(now: EpochMs, run: (o: Opened) => Promise<T>): Promise<T | undefined> {
    if (!(await this.due(now))) return undefined;
    return this.cache.use(this.id, () => this.open(), async (o) => {
      // Stopped while it waited for room: the next holder runs the cycle.
      if (this.stopping) return undefined;
      this.nextDue = -Infinity;
      const r = await run(o);
      await this.learn(o.campaign, now);
      return r;
    });
  }

  /** What is next due, read from the campaign before it is given back. */
  private async learn(c: Campaign, now: EpochMs): Promise<void> {
    // The dispatcher's deliveries (and anyone's appends meanwhile) are folded first, so the head it keeps is the one it has seen.
    await c.refresh();
    this.seq = c.lastSeq;
    this.nextDue = Math.max(now, Math.min(c.nextDueAt(), nextSummaryAt(c, now)));
  }

  /**
   * Runs `fn` on the opened campaign whether due or not (the digest pass composes a member's section with
   * it), leaving what is known of its next due instant as it is.
   */
  use<T>(fn: (o: Opened) => Promise<T>): Promise<T> {
    return this.cache.use(this.id, () => this.open(), fn);
  }

  /** Seeds the cache with a campaign the host has opened already. */
  adopt(c: Campaign): void {
    this.seen = true;
    this.cache.seed(this.id, { campaign: c, dispatcher: this.dispatcherFor(c) });
  }

  private async open(): Promise<Opened> {
    const campaign = await Campaign.open(this.log);
    if (!this.seen) this.opts.onOpen?.(campaign);
    this.seen = true;
    return { campaign, dispatcher: this.dispatcherFor(campaign) };
  }

  private dispatcherFor(c: Campaign): Dispatcher {
    const { onOpen: _onOpen, ...opts } = this.opts;
    return new Dispatcher(c, this.notifiers, { ...opts, shouldStop: () => this.stopping || (opts.shouldStop?.() ?? false) });
  }
}

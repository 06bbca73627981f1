import { markLog, type LightMarkLog } from "../publish/light-marks.ts";
import { channelOf, isRobotNotifier, type DeliveryResult, type MessageIdentity, type NotifierSet, type OutgoingMessage, type RobotNotifier } from "../../notifiers/index.ts";
import type { Campaign } from "../campaign/campaign.ts";
import { decodeReminder, REMINDER_CHANNEL } from "../campaign/codec.ts";
import { formatInstant, formatLocal, type EpochMs } from "../engine/calendar.ts";
import { composeReminder, reminderSection, type ReminderSection } from "../reminders/compose.ts";
import { recipientOf } from "../reminders/format.ts";
import { composeDailySummary, logHeadOf } from "../reminders/summary.ts";
import { SubPlans } from "../campaign/subplans.ts";
import type { TemplateSet } from "../reminders/templates.ts";
import { StoreError } from "../store/errors.ts";
import type { DigestSettle, NewEvent, OutboxItem, StoredEvent } from "../store/types.ts";
import type { ReminderIntent } from "../engine/types.ts";
import { freshPart, type StaleRule } from "./stale.ts";
import type { LogFn } from "../ops/log-fields.ts";
import { DEFAULT_RETRY_HORIZON, retryHorizonAt, type RetryHorizon } from "./retry-horizon.ts";
import { RobotRelay, type RobotOutcome, type RobotWaiting } from "./robots.ts";
import { SettleBatch } from "./settle-batch.ts";

type Failure = Extract<DeliveryResult, { ok: false }>;

/** A message whose mail is done (or failed) and whose robots are posted at the end of the cycle. */
interface Queued extends RobotWaiting {
  item: OutboxItem;
  results: DeliveryResult[];
  stale: number;
}

/** How far back the log is read for robots' recent posts and blocks when a dispatcher starts. */
const ROBOT_MEMORY_MS = 15 * 60_000;
// Notifier sets whose robots' budgets were restored from a log: once per process, however many dispatchers.
const restored = new WeakSet<RobotNotifier>();

export const SUMMARY_CHANNEL = "summary";

/**
 * What a host counts (src/ops/metrics.ts): the dispatcher calls it at each outcome. A hook, so that the
 * dispatcher knows nothing of Prometheus.
 */
export interface DispatchObserver {
  /** A message went out; `channels` took it (email, eml, webhook, console). */
  delivered(channels: readonly string[]): void;
  /** An attempt failed on `channel`: given up on when `final`, else retried. */
  failed(channel: string, final: boolean): void;
  /** The leases on messages in flight were renewed, or the renewal failed. */
  leaseRenewed(ok: boolean): void;
}

export interface DispatchOptions {
  /**
   * A message that cannot be delivered is retried until this horizon, counted from when it was due (or
   * from its first failed attempt, when that is later), then marked failed and listed in the office's
   * summary; `duban outbox retry` sends it again. @default { workingDays: 1 }: the same hour of the next working day
   */
  retryHorizon?: RetryHorizon;
  /** An optional cap on attempts besides the horizon. @default no cap */
  maxAttempts?: number;
  /** First retry delay; each further one doubles, up to `maxBackoffMs`. @default 60 000 */
  backoffMs?: number;
  maxBackoffMs?: number;
  /**
   * How long a claimed message is hidden from other dispatchers. The lease is renewed every third of
   * it while the message is being sent, so a slow peer never lets another dispatcher send it again.
   * @default 120 000
   */
  leaseMs?: number;
  /**
   * Messages claimed and in flight at once. @default twice the smallest concurrency of the channels (the
   * SMTP pool's connections), else 5: a crash leaves no more than that many leased. Twice, so the pool
   * always has its next messages composed and queued while the claim of more runs: it never idles.
   * Messages queued behind the pool have not been sent, so a crash still resends at most the pool's.
   */
  window?: number;
  templates?: TemplateSet;
  baseUrl?: string;
  /** Progress lines with their facts; the daemon prints them. */
  log?: LogFn;
  observer?: DispatchObserver;
  /**
   * Restart policy: messages that fell due more than this long before `now` are not sent but marked
   * failed ("skipped after downtime") and reported to the office. Undefined: send the backlog once.
   */
  skipOlderThanMs?: number;
  /**
   * After a long catch-up: reminder and escalation items that fired longer ago than the rule's window
   * are left out of their message, and a message left with nothing is marked failed ("skipped after
   * downtime") as `skipOlderThanMs` does. Undefined: every item goes out.
   */
  staleItems?: StaleRule;
  /** Right-hand side of Message-IDs. @default the domain of the From address the notifiers send with */
  messageDomain?: string;
  /** Set by the daemon on SIGTERM: finish the message in flight, start no other. */
  shouldStop?: () => boolean;
}

export interface DispatchReport {
  sent: number;
  retrying: number;
  failed: number;
}

const DEFAULT_WINDOW = 5;

type Opts = Required<Omit<DispatchOptions, "templates" | "baseUrl" | "skipOlderThanMs" | "staleItems" | "maxAttempts" | "window" | "observer" | "messageDomain">> &
  Pick<DispatchOptions, "templates" | "baseUrl" | "skipOlderThanMs" | "staleItems" | "maxAttempts" | "observer" | "messageDomain"> & { window: number };

/**
 * Sends what the outbox holds and records each delivery, or failure and its reason, as an event.
 * A crash between "sent" and "recorded" leaves the item claimed; when its lease runs out it is sent
 * again with the same Message-ID, so at most the messages in flight (the window) can arrive twice and
 * nothing is lost. While the process lives, its leases are renewed, so no other dispatcher sends them.
 */
export class Dispatcher {
  private readonly opts: Opts;
  /** The office's light marks as read at the start of this dispatch cycle (see dispatchDue). */
  private marks: LightMarkLog | undefined;
  /** Sender's domain and this store's id, read once: every Message-ID this dispatcher composes carries them. */
  private identity: MessageIdentity | undefined;
  /** The chat robots, driven within their limits (undefined when none are configured). */
  private readonly robots: RobotNotifier | undefined;
  private readonly relay: RobotRelay | undefined;
  /** Messages of the current cycle waiting for their robots. */
  private queued: Queued[] = [];
  /** Deliveries that finish together are recorded in one transaction. */
  private readonly settles: SettleBatch;
  /** The fewest messages one claim takes (but the last of the outbox): a claim is a write transaction. */
  private readonly chunk: number;

  constructor(
    private readonly campaign: Campaign,
    private readonly notifiers: NotifierSet,
    opts: DispatchOptions = {},
  ) {
    const pools = notifiers.notifiers.map((n) => n.concurrency).filter((c): c is number => c !== undefined && c > 0);
    this.opts = {
      retryHorizon: DEFAULT_RETRY_HORIZON,
      backoffMs: 60_000,
      maxBackoffMs: 3_600_000,
      leaseMs: 120_000,
      log: () => {},
      shouldStop: () => false,
      ...opts,
      window: opts.window ?? (pools.length > 0 ? 2 * Math.min(...pools) : DEFAULT_WINDOW),
    };
    // With the default window of twice the pool, a claim refills the half the pool has sent: the pool
    // keeps a message per connection meanwhile. An explicit window is refilled by quarters, as before.
    this.chunk = opts.window === undefined && pools.length > 0 ? Math.min(...pools) : Math.max(1, this.opts.window >> 2);
    const webhook = notifiers.get("webhook");
    this.robots = isRobotNotifier(webhook) ? webhook : undefined;
    this.relay = this.robots ? new RobotRelay(this.robots, campaign.plan.campaign.timezone) : undefined;
    this.settles = new SettleBatch(campaign.store);
  }

  /**
   * A robot's budget outlives the process: posts and blocks of the last minutes are read back from the log
   * (recorded with each outcome), so `duban run --once` every minute, or a restart, cannot overrun a robot.
   */
  private async restoreRobots(now: EpochMs): Promise<void> {
    const robots = this.robots;
    if (!robots || restored.has(robots)) return;
    restored.add(robots);
    const zone = this.campaign.plan.campaign.timezone;
    const store = this.campaign.store;
    const from = (await store.lastSeqAt(formatInstant(now - ROBOT_MEMORY_MS, zone))) + 1;
    const posts = new Map<string, Set<string>>();
    for await (const e of store.read({ fromSeq: from })) {
      const p = e.payload as { robotPosts?: { id: string; at: string; digest?: string }[]; robotBlocks?: { id: string; until: string }[] } | null;
      for (const r of p?.robotPosts ?? []) (posts.get(r.id) ?? posts.set(r.id, new Set()).get(r.id)!).add(`${Date.parse(r.at)}\n${r.digest ?? e.seq}`);
      for (const b of p?.robotBlocks ?? []) robots.limiter(b.id).block(Date.parse(b.until));
    }
    for (const [id, set] of posts) {
      const limiter = robots.limiter(id);
      for (const t of [...set].map((k) => Number(k.split("\n")[0])).filter((t) => t <= now && t > now - ROBOT_MEMORY_MS).sort((a, b) => a - b)) limiter.take(t);
    }
  }

  /**
   * Sends everything due at `now`. A window of sends is kept full: as each finishes, more are claimed,
   * so the SMTP pool never idles waiting for the slowest message of a batch. `now` is the clock the
   * dispatcher was given; leases are counted from it plus the time this call has run.
   */
  async dispatchDue(now: EpochMs): Promise<DispatchReport> {
    const report: DispatchReport = { sent: 0, retrying: 0, failed: 0 };
    // The office's marks are read from the log once per cycle, not once per message.
    this.marks = undefined;
    await this.messageIdentity();
    await this.restoreRobots(now);
    this.queued = [];
    const zone = this.campaign.plan.campaign.timezone;
    const store = this.campaign.store;
    const { window, leaseMs } = this.opts;
    const started = Date.now();
    const elapsed = () => Date.now() - started;
    const inFlight = new Set<Promise<void>>();
    const held = new Map<number, OutboxItem>();
    let renewing = false;
    const renew = async () => {
      if (renewing || held.size === 0) return;
      renewing = true;
      try {
        await store.renewOutboxLease([...held.values()].map((i) => ({ id: i.id, attempts: i.attempts })), formatInstant(now + elapsed() + leaseMs, zone));
        this.opts.observer?.leaseRenewed(true);
      } catch (err) {
        this.opts.observer?.leaseRenewed(false);
        // The next renewal tries again; the lease still has two thirds of its time left.
        this.opts.log(`could not renew leases: ${(err as Error).message}`);
      } finally {
        renewing = false;
      }
    };
    const timer = setInterval(() => void renew(), Math.max(5, Math.floor(leaseMs / 3)));
    let drained = false;
    try {
      for (;;) {
        if (!drained && !this.opts.shouldStop() && inFlight.size < window) {
          // Claim in chunks (see `chunk`), so a busy outbox is not read one row at a time.
          const want = window - inFlight.size;
          if (want >= this.chunk || inFlight.size === 0) {
            const items = await store.claimOutbox(formatInstant(now, zone), want, { leaseMs: leaseMs + elapsed() });
            if (items.length < want) drained = true;
            for (const item of items) {
              held.set(item.id, item);
              const p: Promise<void> = this.settle(item, now, report).finally(() => {
                // A message waiting for its robots stays leased (and renewed) until it settles after them.
                if (!this.queued.some((q) => q.id === item.id)) held.delete(item.id);
                inFlight.delete(p);
              });
              inFlight.add(p);
            }
            if (items.length > 0) continue;
          }
        }
        if (inFlight.size === 0) break;
        await Promise.race(inFlight);
        if (drained && !this.opts.shouldStop()) drained = false;
      }
      const queued = this.queued;
      if (queued.length > 0 && this.relay) {
        const outcomes = await this.relay.flush(queued, () => now + elapsed());
        await Promise.all(
          queued.map((q) =>
            this.guard(q.item, () => this.settleQueued(q, outcomes.get(q.id)!, now, report), report).finally(() => held.delete(q.id)),
          ),
        );
      }
    } finally {
      clearInterval(timer);
    }
    return report;
  }

  /**
   * One message, never throwing: if recording its outcome fails (another dispatcher took it over after
   * this one's lease ran out, or the store is briefly unavailable), the others in flight carry on and the
   * message's lease decides whether it is tried again.
   */
  private settle(item: OutboxItem, now: EpochMs, report: DispatchReport): Promise<void> {
    return this.guard(item, () => this.deliver(item, now, report), report);
  }

  private async guard(item: OutboxItem, work: () => Promise<void>, report: DispatchReport): Promise<void> {
    try {
      await work();
    } catch (err) {
      if (err instanceof StoreError && err.code === "OUTBOX_STATE") this.opts.log(`already settled elsewhere ${item.key}`);
      else if (err instanceof StoreError && err.code === "OUTBOX_LEASE_LOST") this.opts.log(`lease lost ${item.key}: another dispatcher took it over and records its outcome`);
      else {
        report.retrying++;
        this.opts.log(`could not record ${item.key}: ${(err as Error).message}; retried when its lease ends`);
      }
    }
  }

  private async deliver(item: OutboxItem, now: EpochMs, report: DispatchReport): Promise<void> {
    const plan = this.campaign.plan;
    const zone = plan.campaign.timezone;
    const at = formatInstant(now, zone);
    // The catch-up rules judge what a stopped daemon finds on its first claim of a message. A retry after an
    // outage (hours later, within its horizon) or a resend the office asked for (outbox retry) is no backlog.
    const firstClaim = item.attempts <= 1;
    if (firstClaim && this.opts.skipOlderThanMs !== undefined && Date.parse(item.dueAt) < now - this.opts.skipOlderThanMs) {
      const error = `应于 ${formatLocal(Date.parse(item.dueAt), zone)} 发出，系统停机期间已超过 ${Math.round(this.opts.skipOlderThanMs / 3_600_000)} 小时，按补发规则不再发送`;
      await this.fail(item, at, now, { ok: false, channel: "none", retryable: false, code: "SKIPPED_AFTER_DOWNTIME", error }, report);
      return;
    }
    let intent: ReminderIntent | undefined;
    let stale = 0;
    if (firstClaim && this.opts.staleItems && item.channel === REMINDER_CHANNEL) {
      const part = freshPart(decodeReminder(plan, item.payload), now, this.opts.staleItems, this.campaign.calendar);
      stale = part.stale.length;
      if (part.intent.items.length === 0) {
        const first = Math.min(...part.stale.map((i) => i.firedAt));
        const error = `${stale} 项提醒或督办应于 ${formatLocal(first, zone)} 起发出，补记时已超过 ${Math.round(this.opts.staleItems.windowMs / 3_600_000)} 小时，按补发规则不再发送（duban run --catch-up all 可全部补发）`;
        await this.fail(item, at, now, { ok: false, channel: "none", retryable: false, code: "SKIPPED_AFTER_DOWNTIME", error }, report);
        return;
      }
      if (stale > 0) intent = part.intent;
    }
    let msg: OutgoingMessage;
    try {
      msg = await this.compose(item, intent);
    } catch (err) {
      await this.fail(item, at, now, { ok: false, channel: "compose", retryable: false, code: "COMPOSE", error: String((err as Error).message ?? err) }, report);
      return;
    }
    // Channels that took the message on an earlier attempt (recorded with the item, so also by another process) are skipped.
    const done = item.deliveredVia ?? [];
    const endpoints = this.robotsFor(msg, done);
    const results = await this.send(msg, new Set(done), endpoints !== undefined);
    if (endpoints !== undefined && endpoints.length > 0) {
      // The robots are posted at the end of the cycle, all of one robot's messages together. Mail that went
      // out is kept with the item now, so a crash meanwhile does not mail it again.
      const via = [...new Set([...done, ...results.filter((r) => r.ok).map((r) => r.channel)])];
      if (via.length > done.length) {
        await this.campaign.store.keepDelivered({ id: item.id, attempts: item.attempts }, via).catch((err: Error) => this.opts.log(`could not keep progress of ${item.key}: ${err.message}`));
      }
      this.queued.push({ id: item.id, item, msg, endpoints, results, stale });
      return;
    }
    await this.conclude(item, msg, at, now, results, done, [], stale, report);
  }

  /** The robots of a message still to be posted: undefined when robots are not driven by this dispatcher. */
  private robotsFor(msg: OutgoingMessage, done: readonly string[]): string[] | undefined {
    if (!this.robots || !msg.to.webhooks?.length) return undefined;
    // "webhook" is how a store written before per-robot progress recorded that every robot took it.
    if (done.includes("webhook")) return [];
    return [...new Set(msg.to.webhooks)].filter((id) => !done.includes(`robot:${id}`));
  }

  private async settleQueued(q: Queued, outcomes: Map<string, RobotOutcome>, now: EpochMs, report: DispatchReport): Promise<void> {
    const at = formatInstant(now, this.campaign.plan.campaign.timezone);
    const robotResults = q.endpoints.map((id) => {
      const o = outcomes.get(id);
      const r: DeliveryResult = o?.result ?? { ok: false, channel: "webhook", retryable: true, code: "ROBOT_NOT_POSTED", error: `${id}：未发出` };
      // Progress is kept per robot: "robot:<id>" in deliveredVia, so a retry posts only to the robots that missed it.
      return { ...o, id, result: r.ok ? { ...r, channel: `robot:${id}` } : r };
    });
    const results = [...q.results, ...robotResults.map((o) => o.result)];
    await this.conclude(q.item, q.msg, at, now, results, q.item.deliveredVia ?? [], robotResults, q.stale, report);
  }

  /** Records a message's outcome over all its channels: delivered, or a retry (when) or a failure (why). */
  private async conclude(item: OutboxItem, msg: OutgoingMessage, at: string, now: EpochMs, results: DeliveryResult[], done: readonly string[], robots: (Partial<RobotOutcome> & { id: string })[], stale: number, report: DispatchReport): Promise<void> {
    const failed = results.filter((r): r is Failure => !r.ok);
    const via = [...new Set([...done, ...results.filter((r) => r.ok).map((r) => r.channel)])];
    // What the log says: the channels by kind (email, dingtalk, wecom, feishu), and which robots.
    const channels = [...new Set(via.map((c) => (c.startsWith("robot:") ? this.robotChannel(c.slice(6)) : c)))];
    const robotIds = via.filter((c) => c.startsWith("robot:")).map((c) => c.slice(6));
    const robotPosts = robots.flatMap((o) => (o.post ? [o.post] : []));
    const robotBlocks = robots.flatMap((o) => (o.blockedUntil ? [{ id: o.id, until: o.blockedUntil }] : []));
    const extra = {
      ...(robotIds.length > 0 ? { robots: robotIds } : {}),
      ...(robotPosts.length > 0 ? { robotPosts } : {}),
      ...(robotBlocks.length > 0 ? { robotBlocks } : {}),
    };
    if (failed.length === 0) {
      const payload = this.deliveredPayload(item, msg, channels, { ...extra, ...(stale > 0 ? { staleItemsLeftOut: stale } : {}) });
      const event = (a: string, p: Record<string, unknown>) => this.outcomeEvent(a, "delivered", p);
      const alone = () => this.recordOutcome(at, payload, (a, p) => this.campaign.store.markSent(item.id, a, event(a, p), { attempt: item.attempts }));
      const recorded = await this.settles.markSent({ id: item.id, sentAt: at, event: event(at, payload), opts: { attempt: item.attempts } }, alone);
      report.sent++;
      // Metrics count robots by kind (dingtalk, wecom, feishu), as the log names them, never by id.
      this.opts.observer?.delivered(results.filter((r) => r.ok).map((r) => (r.channel.startsWith("robot:") ? this.robotChannel(r.channel.slice(6)) : r.channel)));
      this.opts.log(`sent ${item.key} to=${msg.to.id} via=${channels.join(",")} id=${msg.messageId}`, { event: "sent", seq: recorded?.seq, item: item.key, messageId: msg.messageId, channel: channels.join(","), recipient: msg.to.id, attempt: item.attempts, addresses: msg.to.email ?? [] });
      return;
    }
    // Robots that wait for their window say when; the message is retried then, not after the backoff.
    const retryAt = failed.every((f) => f.retryAt !== undefined) ? Math.max(...failed.map((f) => f.retryAt!)) : undefined;
    await this.fail(item, at, now, { ...failed[0]!, retryable: failed.every((f) => f.retryable), ...(retryAt !== undefined ? { retryAt } : {}) }, report, msg.to.id, via, extra);
  }

  private robotChannel(id: string): string {
    const ep = this.robots?.endpoint(id);
    return ep ? channelOf(ep) : "webhook";
  }

  private async fail(item: OutboxItem, at: string, now: EpochMs, f: Failure, report: DispatchReport, recipient?: string, deliveredVia: string[] = [], extra: Record<string, unknown> = {}): Promise<void> {
    const c = this.campaign;
    const o = this.failure(item, now, f, recipient, deliveredVia, extra);
    const recorded = await this.recordOutcome(at, o.payload, (a, p) =>
      c.store.markAttemptFailed(item.id, o.error, o.nextAttemptAt, o.final, this.outcomeEvent(a, o.final ? "deliveryFailed" : "deliveryRetry", p), {
        attempt: item.attempts,
        retryUntil: o.retryUntil,
        ...(deliveredVia.length > 0 ? { deliveredVia } : {}),
      }),
    );
    if (o.final) report.failed++;
    else report.retrying++;
    this.opts.observer?.failed(f.channel, o.final);
    this.opts.log(`${o.final ? "FAILED" : "retry"} ${item.key} attempt=${item.attempts} ${f.code}: ${o.payload.error as string}`, { level: o.final ? "error" : "warn", event: o.final ? "failed" : "retry", seq: recorded?.seq, item: item.key, channel: f.channel, code: f.code, attempt: item.attempts });
  }

  /** What a failed attempt of `item` comes to: given up on (`final`) or retried when, and the event's payload. */
  private failure(item: OutboxItem, now: EpochMs, f: Failure, recipient?: string, deliveredVia: string[] = [], extra: Record<string, unknown> = {}) {
    const c = this.campaign;
    const zone = c.plan.campaign.timezone;
    const horizon = item.retryUntil !== undefined ? Date.parse(item.retryUntil) : retryHorizonAt(this.opts.retryHorizon, Math.max(Date.parse(item.dueAt), now), c.calendar, zone);
    const exhausted = now >= horizon || (this.opts.maxAttempts !== undefined && item.attempts >= this.opts.maxAttempts);
    const final = !f.retryable || exhausted;
    const delay = Math.min(this.opts.maxBackoffMs, this.opts.backoffMs * 2 ** Math.max(0, item.attempts - 1));
    // The last retry falls on the horizon itself, so a relay back just before it still gets the message.
    const next = final ? now : Math.min(f.retryAt !== undefined ? Math.max(f.retryAt, now) : now + delay, horizon);
    const retryUntil = formatInstant(horizon, zone);
    const error = f.retryable && exhausted ? `${f.error}（已重试至 ${formatLocal(horizon, zone)} 仍未送达）` : f.error;
    const payload: Record<string, unknown> = {
      key: item.key,
      recipient: recipient ?? null,
      channel: f.channel,
      code: f.code,
      error,
      attempt: item.attempts,
      final,
      ...(final ? {} : { nextAttemptAt: formatInstant(next, zone), retryUntil }),
      ...(deliveredVia.length > 0 ? { deliveredVia } : {}),
      ...extra,
    };
    return { final, error: `${f.code}: ${error}`, nextAttemptAt: formatInstant(next, zone), retryUntil, payload };
  }

  /** The `delivered` event's payload of a message that went out. */
  private deliveredPayload(item: OutboxItem, msg: OutgoingMessage, channels: string[], extra: Record<string, unknown>): Record<string, unknown> {
    // A daily summary's 日志头 goes into the log with it, so the web's verify page can offer to check against it.
    const head = item.channel === SUMMARY_CHANNEL ? logHeadOf(msg.headers) : undefined;
    return { key: item.key, recipient: msg.to.id, messageId: msg.messageId, channels, subject: msg.subject, ...(head ? { head } : {}), ...extra };
  }

  private outcomeEvent(at: string, type: string, payload: Record<string, unknown>): NewEvent {
    return { at, actor: { kind: "engine" }, type, payload, planHash: this.campaign.plan.hash };
  }

  /**
   * Whether a claimable reminder row may go out in a digest group with other campaigns' (src/dispatch/digest.ts),
   * and under which recipient: only a first claim of an e-mail reminder that the catch-up rules leave whole, to a
   * recipient without chat robots (robots post to a campaign's own groups), never a 催办 (sent on its own).
   */
  digestCandidate(item: OutboxItem, now: EpochMs): { unit: string; at: EpochMs; addresses: string[] } | undefined {
    if (item.channel !== REMINDER_CHANNEL || item.attempts !== 0 || (item.deliveredVia?.length ?? 0) > 0) return undefined;
    if (!(this.notifiers.get("email") ?? this.notifiers.get("eml"))) return undefined;
    if (this.opts.skipOlderThanMs !== undefined && Date.parse(item.dueAt) < now - this.opts.skipOlderThanMs) return undefined;
    const plan = this.campaign.plan;
    let intent: ReminderIntent;
    try {
      intent = decodeReminder(plan, item.payload);
    } catch {
      // Its own dispatch records why it cannot be sent (COMPOSE); one bad row must not stop the others' groups.
      return undefined;
    }
    if (intent.items.length === 0 || intent.items.some((i) => i.reason === "urged")) return undefined;
    if (this.opts.staleItems && freshPart(intent, now, this.opts.staleItems, this.campaign.calendar).stale.length > 0) return undefined;
    const to = recipientOf(plan, intent.recipient);
    if (!to.email?.length || to.webhooks?.length) return undefined;
    return { unit: intent.recipient, at: intent.at, addresses: [...new Set(to.email)].sort() };
  }

  /** This campaign's section of a digest group's message: what compose() would send alone. */
  async digestSection(item: OutboxItem): Promise<ReminderSection> {
    const c = this.campaign;
    const r = decodeReminder(c.plan, item.payload);
    return reminderSection(c.plan, r, { ...this.composeOptions(), itemOf: (id) => c.item(id), marks: (this.marks ??= await markLog(c)).at(r.at) });
  }

  /**
   * How a member row of a digest group settles with the group's message: sent with the channels that took it,
   * or failed as a message of its own would have (this campaign's retry horizon and backoff). `at` is the
   * instant recorded (a later one than the dispatch when another writer's event is later, as recordOutcome).
   */
  digestSettle(item: OutboxItem, msg: OutgoingMessage, digest: string, results: DeliveryResult[], now: EpochMs, at?: string): Omit<DigestSettle, "prefix"> {
    const zone = this.campaign.plan.campaign.timezone;
    const dispatched = formatInstant(now, zone);
    const when = at ?? dispatched;
    const later = when !== dispatched ? { dispatchedAt: dispatched } : {};
    const done = item.deliveredVia ?? [];
    const via = [...new Set([...done, ...results.filter((r) => r.ok).map((r) => r.channel)])];
    const failed = results.filter((r): r is Failure => !r.ok);
    const extra = { digest, ...later };
    if (failed.length === 0) {
      return { id: item.id, attempt: item.attempts, event: this.outcomeEvent(when, "delivered", this.deliveredPayload(item, msg, via, extra)), outcome: { sentAt: when } };
    }
    const f: Failure = { ...failed[0]!, retryable: failed.every((x) => x.retryable) };
    const o = this.failure(item, now, f, msg.to.id, via, { ...extra, messageId: msg.messageId });
    return {
      id: item.id,
      attempt: item.attempts,
      event: this.outcomeEvent(when, o.final ? "deliveryFailed" : "deliveryRetry", o.payload),
      outcome: { error: o.error, nextAttemptAt: o.nextAttemptAt, final: o.final },
      opts: { retryUntil: o.retryUntil, ...(via.length > 0 ? { deliveredVia: via } : {}) },
    };
  }

  /** The Message-ID identity (sender's domain, store id), read once per dispatcher. */
  async messageIdentity(): Promise<MessageIdentity> {
    return (this.identity ??= { domain: this.opts.messageDomain ?? this.notifiers.senderDomain ?? "duban", store: await this.campaign.store.storeId() });
  }

  private composeOptions() {
    return { calendar: this.campaign.calendar, ...(this.identity ? { messageIdentity: this.identity } : {}), ...(this.opts.templates ? { templates: this.opts.templates } : {}), ...(this.opts.baseUrl ? { baseUrl: this.opts.baseUrl } : {}) };
  }

  /**
   * Records an outcome at the dispatch instant. When another writer logged a later instant while the
   * message was in flight (a clerk's action during a long send), the log's clock cannot run back to it:
   * the outcome is recorded at that later instant, the one at which it reached the log, with the dispatch
   * instant kept as `dispatchedAt`. Refusing it would leave the message claimed and send it twice.
   */
  private async recordOutcome(at: string, payload: Record<string, unknown>, write: (at: string, payload: Record<string, unknown>) => Promise<StoredEvent | undefined>): Promise<StoredEvent | undefined> {
    for (let a = at, attempt = 0; ; attempt++) {
      try {
        return await write(a, a === at ? payload : { ...payload, dispatchedAt: at });
      } catch (err) {
        if (!(err instanceof StoreError && err.code === "CLOCK_BEHIND" && err.lastAt !== undefined) || attempt >= 3) throw err;
        a = err.lastAt;
      }
    }
  }

  /** The message of an outbox item; `intent`, when given, is the reminder's part still worth sending. */
  private async compose(item: OutboxItem, intent?: ReminderIntent): Promise<OutgoingMessage> {
    const c = this.campaign;
    const opts = this.composeOptions();
    if (item.channel === REMINDER_CHANNEL) {
      const r = intent ?? decodeReminder(c.plan, item.payload);
      // The office's marks as of the reminder's own instant: a resend composes the same message.
      return composeReminder(c.plan, r, { ...opts, itemOf: (id) => c.item(id), marks: (this.marks ??= await markLog(c)).at(r.at) });
    }
    if (item.channel === SUMMARY_CHANNEL) {
      const p = item.payload as { at: string };
      const at = Date.parse(p.at);
      await c.refresh();
      const views = c.board(at);
      const failedDeliveries = (await c.store.listOutbox({ status: "failed" })).map((o) => ({ key: o.key, recipient: o.key.split("/")[1] ?? "", error: o.lastError ?? "" }));
      return composeDailySummary(
        c.plan,
        {
          at,
          rows: views.map((r) => ({ assignment: c.item(r.id)!, progress: r.state, lateness: r.lateness, level: r.level, late: r.late })),
          failedDeliveries,
          head: await c.store.head(),
          // The sub-plans under this campaign, read afresh once a day: none is kept open between summaries.
          subPlans: await new SubPlans(c.store, c.plan.campaign.id).all(at),
        },
        opts,
      );
    }
    throw new Error(`unknown outbox channel "${item.channel}"`);
  }

  /** One message goes out on every channel the recipient has and the host configured, except those in `skip`. */
  private send(msg: OutgoingMessage, skip: ReadonlySet<string> = new Set(), robotsLater = false): Promise<DeliveryResult[]> {
    return sendMessage(this.notifiers, msg, skip, robotsLater);
  }
}

/**
 * The one sender: a message goes out on every channel the recipient has and the host configured, except
 * those in `skip` (and the robots, when `robotsLater`: the dispatcher posts them at the end of its cycle).
 * A campaign's dispatcher and a digest group (src/dispatch/digest.ts) both send through it.
 */
export function sendMessage(n: NotifierSet, msg: OutgoingMessage, skip: ReadonlySet<string> = new Set(), robotsLater = false): Promise<DeliveryResult[]> {
  const targets = [];
  if (msg.to.email?.length) {
    const mail = n.get("email") ?? n.get("eml");
    if (mail) targets.push(mail);
  }
  if (msg.to.webhooks?.length && n.get("webhook") && !robotsLater) targets.push(n.get("webhook")!);
  if (n.get("console")) targets.push(n.get("console")!);
  if (targets.length === 0 && !robotsLater) return Promise.resolve([{ ok: false, channel: "none", retryable: false, code: "NO_CHANNEL", error: `无法送达${msg.to.name}（${msg.to.id}）：计划中没有其电子邮箱或群机器人，或本机未配置相应通道；请在计划 contacts 中补充` }]);
  return Promise.all(targets.filter((t) => !skip.has(t.channel)).map((t) => t.send(msg)));
}

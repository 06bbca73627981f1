import { assignmentsById } from "../plan/ids.ts";
import type { DeliveryResult, NotifierSet, OutgoingMessage } from "../../notifiers/index.ts";
import type { Campaign } from "../campaign/campaign.ts";
import { decodeReminder, REMINDER_CHANNEL } from "../campaign/codec.ts";
import { formatInstant, formatLocal, type EpochMs } from "../engine/calendar.ts";
import { composeReminder } from "../reminders/compose.ts";
import { composeDailySummary } from "../reminders/summary.ts";
import type { TemplateSet } from "../reminders/templates.ts";
import { StoreError } from "../store/errors.ts";
import type { OutboxItem } from "../store/types.ts";
import type { ReminderIntent } from "../engine/types.ts";
import { freshPart, type StaleRule } from "./stale.ts";

export const SUMMARY_CHANNEL = "summary";

export interface DispatchOptions {
  /** After this many attempts a message is marked failed and shows in `duban status`. @default 8 */
  maxAttempts?: number;
  /** First retry delay; each further one doubles, up to `maxBackoffMs`. @default 60 000 */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** How long a claimed message is hidden from other dispatchers while it is being sent. @default 120 000 */
  leaseMs?: number;
  batchSize?: number;
  templates?: TemplateSet;
  baseUrl?: string;
  /** Structured progress lines; the daemon prints them. */
  log?: (line: string) => void;
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
  /** Set by the daemon on SIGTERM: finish the message in flight, start no other. */
  shouldStop?: () => boolean;
}

export interface DispatchReport {
  sent: number;
  retrying: number;
  failed: number;
}

/**
 * Sends what the outbox holds and records each delivery, or failure and its reason, as an event.
 * A crash between "sent" and "recorded" leaves the item claimed; when its lease runs out it is sent
 * again with the same Message-ID, so at most that one message can arrive twice and nothing is lost.
 */
export class Dispatcher {
  /**
   * Channels that already took a message whose other channels failed, by outbox key: a retry goes only
   * to the channels still missing, so a chat-robot outage does not mail the recipient on every attempt.
   * Kept in memory, like the webhook notifier's own record; a restart may repeat such a channel once.
   */
  private readonly partial = new Map<string, DeliveryResult[]>();
  private readonly opts: Required<Omit<DispatchOptions, "templates" | "baseUrl" | "skipOlderThanMs" | "staleItems">> & Pick<DispatchOptions, "templates" | "baseUrl" | "skipOlderThanMs" | "staleItems">;

  constructor(
    private readonly campaign: Campaign,
    private readonly notifiers: NotifierSet,
    opts: DispatchOptions = {},
  ) {
    this.opts = {
      maxAttempts: 8,
      backoffMs: 60_000,
      maxBackoffMs: 3_600_000,
      leaseMs: 120_000,
      batchSize: 50,
      log: () => {},
      shouldStop: () => false,
      ...opts,
    };
  }

  /**
   * Sends everything due at `now`. A window of sends is kept full: as each finishes, more are claimed,
   * so the SMTP pool never idles waiting for the slowest message of a batch.
   */
  async dispatchDue(now: EpochMs): Promise<DispatchReport> {
    const report: DispatchReport = { sent: 0, retrying: 0, failed: 0 };
    const zone = this.campaign.plan.campaign.timezone;
    const store = this.campaign.store;
    const window = this.opts.batchSize;
    const inFlight = new Set<Promise<void>>();
    let drained = false;
    for (;;) {
      if (!drained && !this.opts.shouldStop() && inFlight.size < window) {
        // Claim in chunks of at least a quarter window, so a busy outbox is not read one row at a time.
        const want = window - inFlight.size;
        if (want >= Math.max(1, window >> 2) || inFlight.size === 0) {
          const items = await store.claimOutbox(formatInstant(now, zone), want, { leaseMs: this.opts.leaseMs });
          if (items.length < want) drained = true;
          for (const item of items) {
            const p: Promise<void> = this.settle(item, now, report).finally(() => inFlight.delete(p));
            inFlight.add(p);
          }
          if (items.length > 0) continue;
        }
      }
      if (inFlight.size === 0) break;
      await Promise.race(inFlight);
      if (drained && !this.opts.shouldStop()) drained = false;
    }
    return report;
  }

  /**
   * One message, never throwing: if recording its outcome fails (another dispatcher settled it after this
   * one's lease ran out, or the store is briefly unavailable), the others in flight carry on and the
   * message's lease decides whether it is tried again.
   */
  private async settle(item: OutboxItem, now: EpochMs, report: DispatchReport): Promise<void> {
    try {
      await this.deliver(item, now, report);
    } catch (err) {
      if (err instanceof StoreError && err.code === "OUTBOX_STATE") this.opts.log(`already settled elsewhere ${item.key}`);
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
    if (this.opts.skipOlderThanMs !== undefined && Date.parse(item.dueAt) < now - this.opts.skipOlderThanMs) {
      const error = `应于 ${formatLocal(Date.parse(item.dueAt), zone)} 发出，系统停机期间已超过 ${Math.round(this.opts.skipOlderThanMs / 3_600_000)} 小时，按补发规则不再发送`;
      await this.fail(item, at, now, { ok: false, channel: "none", retryable: false, code: "SKIPPED_AFTER_DOWNTIME", error }, report);
      return;
    }
    let intent: ReminderIntent | undefined;
    let stale = 0;
    if (this.opts.staleItems && item.channel === REMINDER_CHANNEL) {
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
    const done = this.partial.get(item.key) ?? [];
    const results = [...done, ...(await this.send(msg, new Set(done.map((r) => r.channel))))];
    const failed = results.filter((r): r is Extract<DeliveryResult, { ok: false }> => !r.ok);
    if (failed.length === 0) {
      this.partial.delete(item.key);
      const payload = { key: item.key, recipient: msg.to.id, messageId: msg.messageId, channels: results.map((r) => r.channel), subject: msg.subject, ...(stale > 0 ? { staleItemsLeftOut: stale } : {}) };
      await this.recordOutcome(at, payload, (a, p) => this.campaign.store.markSent(item.id, a, { at: a, actor: { kind: "engine" }, type: "delivered", payload: p, planHash: plan.hash }));
      report.sent++;
      this.opts.log(`sent ${item.key} to=${msg.to.id} via=${results.map((r) => r.channel).join(",")} id=${msg.messageId}`);
      return;
    }
    const retryable = failed.every((f) => f.retryable);
    const delivered = results.filter((r) => r.ok);
    if (retryable && delivered.length > 0) this.partial.set(item.key, delivered);
    else this.partial.delete(item.key);
    await this.fail(item, at, now, { ...failed[0]!, retryable }, report, msg.to.id, delivered.map((r) => r.channel));
  }

  private async fail(item: OutboxItem, at: string, now: EpochMs, f: Extract<DeliveryResult, { ok: false }>, report: DispatchReport, recipient?: string, deliveredVia: string[] = []): Promise<void> {
    const final = !f.retryable || item.attempts >= this.opts.maxAttempts;
    if (final) this.partial.delete(item.key);
    const delay = Math.min(this.opts.maxBackoffMs, this.opts.backoffMs * 2 ** Math.max(0, item.attempts - 1));
    const zone = this.campaign.plan.campaign.timezone;
    const payload = { key: item.key, recipient: recipient ?? null, channel: f.channel, code: f.code, error: f.error, attempt: item.attempts, final, ...(deliveredVia.length > 0 ? { deliveredVia } : {}) };
    await this.recordOutcome(at, payload, (a, p) =>
      this.campaign.store.markAttemptFailed(item.id, `${f.code}: ${f.error}`, formatInstant(now + delay, zone), final, { at: a, actor: { kind: "engine" }, type: final ? "deliveryFailed" : "deliveryRetry", payload: p, planHash: this.campaign.plan.hash }),
    );
    if (final) report.failed++;
    else report.retrying++;
    this.opts.log(`${final ? "FAILED" : "retry"} ${item.key} attempt=${item.attempts} ${f.code}: ${f.error}`);
  }

  /**
   * Records an outcome at the dispatch instant. When another writer logged a later instant while the
   * message was in flight (a clerk's action during a long send), the log's clock cannot run back to it:
   * the outcome is recorded at that later instant, the one at which it reached the log, with the dispatch
   * instant kept as `dispatchedAt`. Refusing it would leave the message claimed and send it twice.
   */
  private async recordOutcome(at: string, payload: Record<string, unknown>, write: (at: string, payload: Record<string, unknown>) => Promise<unknown>): Promise<void> {
    for (let a = at, attempt = 0; ; attempt++) {
      try {
        await write(a, a === at ? payload : { ...payload, dispatchedAt: at });
        return;
      } catch (err) {
        if (!(err instanceof StoreError && err.code === "CLOCK_BEHIND" && err.lastAt !== undefined) || attempt >= 3) throw err;
        a = err.lastAt;
      }
    }
  }

  /** The message of an outbox item; `intent`, when given, is the reminder's part still worth sending. */
  private async compose(item: OutboxItem, intent?: ReminderIntent): Promise<OutgoingMessage> {
    const c = this.campaign;
    const opts = { calendar: c.calendar, ...(this.opts.templates ? { templates: this.opts.templates } : {}), ...(this.opts.baseUrl ? { baseUrl: this.opts.baseUrl } : {}) };
    if (item.channel === REMINDER_CHANNEL) return composeReminder(c.plan, intent ?? decodeReminder(c.plan, item.payload), opts);
    if (item.channel === SUMMARY_CHANNEL) {
      const p = item.payload as { at: string };
      const at = Date.parse(p.at);
      await c.refresh();
      const views = c.board(at);
      const byId = assignmentsById(c.plan);
      const failedDeliveries = (await c.store.listOutbox({ status: "failed" })).map((o) => ({ key: o.key, recipient: o.key.split("/")[1] ?? "", error: o.lastError ?? "" }));
      return composeDailySummary(
        c.plan,
        {
          at,
          rows: views.map((r) => ({ assignment: byId.get(r.id)!, progress: r.state, lateness: r.lateness, level: r.level, late: r.late })),
          failedDeliveries,
          head: await c.store.head(),
        },
        opts,
      );
    }
    throw new Error(`unknown outbox channel "${item.channel}"`);
  }

  /** One message goes out on every channel the recipient has and the host configured, except those in `skip`. */
  private async send(msg: OutgoingMessage, skip: ReadonlySet<string> = new Set()): Promise<DeliveryResult[]> {
    const n = this.notifiers;
    const targets = [];
    if (msg.to.email?.length) {
      const mail = n.get("email") ?? n.get("eml");
      if (mail) targets.push(mail);
    }
    if (msg.to.webhooks?.length && n.get("webhook")) targets.push(n.get("webhook")!);
    if (n.get("console")) targets.push(n.get("console")!);
    if (targets.length === 0) return [{ ok: false, channel: "none", retryable: false, code: "NO_CHANNEL", error: `无法送达${msg.to.name}（${msg.to.id}）：计划中没有其电子邮箱或群机器人，或本机未配置相应通道；请在计划 contacts 中补充` }];
    return Promise.all(targets.filter((t) => !skip.has(t.channel)).map((t) => t.send(msg)));
  }
}

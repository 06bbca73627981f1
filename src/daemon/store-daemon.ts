import type { NotifierSet } from "../../notifiers/index.ts";
import type { Campaign } from "../campaign/campaign.ts";
import type { DaemonPresence, EventStore } from "../store/store.ts";
import cron from "node-cron";
import { dispatchDigests, type DigestCampaign } from "../dispatch/digest-groups.ts";
import type { DispatchReport } from "../dispatch/dispatcher.ts";
import { CampaignCache, CampaignSlot } from "./campaign-slot.ts";
import { tickCycle, withDispatch, type TickReport } from "./cycle.ts";
import { startDaemon, type DaemonLeaseState, type DaemonObserver, type DaemonOptions, type RunningDaemon } from "./daemon.ts";

export interface StoreDaemonOptions extends DaemonOptions {
  /** How often the store is asked for campaigns added since the daemon started. @default 60 000 */
  watchMs?: number;
  /** Told about each campaign as its daemon starts (metrics, the log's contact scrubbing). */
  onCampaign?: (c: Campaign) => void;
  /** Campaigns the host has opened already (by id), used instead of opening them again. */
  opened?: ReadonlyMap<string, Campaign>;
  /** Serve this campaign only (`duban run --campaign`). */
  only?: string;
  /**
   * How many campaigns are held opened in memory at once (in a cycle, or kept for the next one, least
   * recently used dropped first); the others are opened from their snapshot when due. @default 8
   */
  keepOpen?: number;
}

export interface RunningStoreDaemon {
  done: Promise<void>;
  stop(): Promise<void>;
  /** leader when this process works for at least one campaign; standby when it only waits. */
  leaseState(): DaemonLeaseState;
  /** The campaigns this process holds the lease of now. */
  leading(): string[];
}

/**
 * The daemon of a whole store: one campaign daemon (startDaemon) per campaign, each under its own lease
 * `campaign:<id>`. On PostgreSQL several processes running this spread the campaigns between them: each
 * campaign is ticked and dispatched by the one holding its lease; each process asks for no more than its
 * share (the campaigns divided by the daemons alive, EventStore.joinDaemons) and hands over what it holds
 * beyond it when another daemon joins; a campaign whose holder died is taken by a process under its share
 * at its next ask (every standbyPollMs), the share growing as the dead one's presence goes. On SQLite one process holds them all. A campaign
 * added with `duban init` while it runs is picked up within watchMs.
 */
export function startStoreDaemon(store: EventStore, notifiers: NotifierSet, opts: StoreDaemonOptions): RunningStoreDaemon {
  const running = new Map<string, RunningDaemon>();
  const states = new Map<string, DaemonLeaseState>();
  let stopping = false;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  const aggregate = (): DaemonLeaseState => {
    const all = [...states.values()];
    if (stopping) return "stopped";
    if (all.includes("leader")) return "leader";
    if (all.includes("standby")) return "standby";
    return "acquiring";
  };
  const obs = opts.observer;
  const asking = new Set<string>();

  const leadingCount = () => [...running.values()].filter((d) => d.leaseState() === "leader").length;
  /** This process's fair share of the campaigns: all of them alone, a third of them beside two others. */
  let share = Infinity;
  let known = 0;
  const cache = new CampaignCache(opts.keepOpen ?? 8);
  const slots = new Map<string, CampaignSlot>();
  const prefixes = new Map<string, string>();
  let presence: DaemonPresence | undefined;
  /** Campaigns that became leader since the last minute ran: their cycle of it is their catch-up. */
  const fresh = new Set<string>();
  const now = opts.now ?? (() => Date.now());

  /**
   * The store's minute: every campaign this process leads is ticked first, then the reminders one recipient
   * owes in several of them at one send time go out as one message (src/dispatch/digest-groups.ts), then each
   * campaign's dispatcher sends what is left, as a campaign's own daemon would. Minutes never overlap.
   */
  let minuteChain: Promise<void> = Promise.resolve();
  /**
   * A campaign's catch-up runs once every campaign has heard back about its lease: campaigns that start
   * together tick together, so a unit's reminders of one send time in two of them go out as one message.
   */
  const startWhenAsked = () => {
    if (fresh.size > 0 && ![...states.values()].includes("acquiring")) void minute();
  };
  const minute = () =>
    (minuteChain = minuteChain.then(() => runMinute()).catch((err: Error) => opts.log(`cycle failed: 本轮未完成：${err.stack ?? String(err)}`, { level: "error", event: "cycle-failed", code: "INTERNAL" })));
  const runMinute = async (): Promise<void> => {
    if (stopping) return;
    const started = Date.now();
    const at = now();
    const led = [...running].filter(([, d]) => d.leaseState() === "leader");
    const reasons = new Map(led.map(([id]) => [id, fresh.delete(id) ? "start" : "minute"]));
    const ticks = new Map<string, { ok: TickReport | undefined } | { err: unknown }>();
    await Promise.all(
      led.map(async ([id, d]) => {
        try {
          ticks.set(id, { ok: await d.work(() => slots.get(id)!.cycle(at, (o) => tickCycle(o.campaign, at))) });
        } catch (err) {
          ticks.set(id, { err });
        }
      }),
    );
    const ledIds = new Set(led.map(([id]) => id));
    const members: DigestCampaign[] = [...slots.values()].map((slot) => ({
      id: slot.id,
      prefix: prefixes.get(slot.id)!,
      log: slot.log,
      led: ledIds.has(slot.id),
      use: (fn) => slot.use((o) => fn(o.dispatcher)),
    }));
    let digests = new Map<string, DispatchReport>();
    try {
      digests = await dispatchDigests(store, members, notifiers, at, { log: opts.log, ...(obs ? { observer: obs } : {}), ...(opts.leaseMs !== undefined ? { leaseMs: opts.leaseMs } : {}) });
    } catch (err) {
      // The campaigns' own dispatch still runs: a row a group could not take goes alone, as before digests.
      opts.log(`digest-error: 跨专项行动汇总提醒未完成（${(err as Error).message}）；各行动照常单独发送`, { level: "error", event: "digest-error", code: (err as { code?: string }).code ?? "INTERNAL" });
    }
    await Promise.all(
      led.map(([id, d]) =>
        d.cycleWith(
          reasons.get(id)!,
          async () => {
            const t = ticks.get(id);
            if (t && "err" in t) throw t.err;
            const dispatch = (await slots.get(id)!.cycle(at, (o) => o.dispatcher.dispatchDue(at))) ?? { sent: 0, retrying: 0, failed: 0 };
            const g = digests.get(id);
            const sum = g ? { sent: dispatch.sent + g.sent, retrying: dispatch.retrying + g.retrying, failed: dispatch.failed + g.failed } : dispatch;
            const tick = t?.ok;
            if (!tick && !g && sum.sent + sum.retrying + sum.failed === 0) return undefined;
            return withDispatch(tick ?? { at: new Date(at).toISOString(), events: 0, queued: 0, summaryQueued: false }, sum);
          },
          started,
        ),
      ),
    );
  };

  let scanning: Promise<void> = Promise.resolve();
  const scan = () =>
    (scanning = scanning.then(async () => {
      if (stopping) return;
      let records;
      try {
        presence ??= await store.joinDaemons();
        records = (await store.campaigns()).filter((r) => opts.only === undefined || r.id === opts.only);
        known = records.length;
        share = Math.ceil(known / (await presence.count()));
      } catch (err) {
        opts.log(`campaigns-error: 无法读取存储中的专项行动列表（${(err as Error).message}）；稍后重试`, { level: "error", event: "campaigns-error", code: (err as { code?: string }).code ?? "STORE" });
        return;
      }
      // More than its share (another daemon joined): hand the extra campaigns over; they wait here as standbys.
      const leading = [...running].filter(([, d]) => d.leaseState() === "leader").map(([id]) => id);
      for (const id of leading.slice(share)) {
        opts.log(`handover: 本进程负责的专项行动多于均分的份额（${share} 个），交出 ${id}，由其他进程接管`, { event: "handover", campaign: id });
        const d = running.get(id)!;
        running.delete(id);
        states.delete(id);
        await d.stop();
        cache.forget(id);
      }
      for (const r of records) {
        if (stopping || running.has(r.id)) continue;
        let slot = slots.get(r.id);
        prefixes.set(r.id, r.prefix);
        if (!slot) {
          // Released until due: only what says when it is next due stays in memory (src/daemon/campaign-slot.ts).
          const { onCampaign: _c, opened: _o, only: _only, keepOpen: _k, watchMs: _w, observer: _obs, ...rest } = opts;
          slot = new CampaignSlot(r.id, store.campaignLog(r.prefix), cache, notifiers, { ...rest, ...(obs ? { observer: obs } : {}), ...(opts.onCampaign ? { onOpen: opts.onCampaign } : {}) });
          slots.set(r.id, slot);
          const given = opts.opened?.get(r.id);
          if (given) slot.adopt(given);
        }
        states.set(r.id, "acquiring");
        // One process-wide observer (HostMetrics); the lease it reports is this process's, over every campaign.
        const observer: DaemonObserver = {
          delivered: (channels) => obs?.delivered(channels),
          failed: (channel, final) => obs?.failed(channel, final),
          leaseRenewed: (ok) => obs?.leaseRenewed(ok),
          cycle: (c) => obs?.cycle(c),
          leaseLost: () => obs?.leaseLost(),
          setLease: (s: DaemonLeaseState) => {
            asking.delete(r.id);
            states.set(r.id, s);
            obs?.setLease(aggregate());
            if (s === "standby") startWhenAsked();
          },
        };
        // Asks in flight count against the share too: ten standbys polling at once must not take ten campaigns.
        const mayAsk = () => {
          asking.delete(r.id);
          if (leadingCount() + asking.size >= share) return false;
          asking.add(r.id);
          return true;
        };
        const driven = {
          onLeader: () => {
            fresh.add(r.id);
            startWhenAsked();
          },
        };
        running.set(r.id, startDaemon(slot, notifiers, { ...opts, observer, lease: `campaign:${r.id}`, mayAsk, driven }));
      }
    }));
  void scan();
  // Every minute: the same instants in every zone of whole-minute offset, so no campaign's plan is opened for it.
  const task = cron.schedule("* * * * *", () => void minute());
  const watch = setInterval(() => void scan(), opts.watchMs ?? 60_000);
  // The share follows the daemons alive at the standbys' pace, so a dead daemon's campaigns wait one poll, not one watch.
  const recount = setInterval(() => {
    void presence
      ?.count()
      .then((n) => (share = Math.ceil(known / n)))
      .catch(() => {});
  }, opts.standbyPollMs ?? 15_000);

  const stop = async () => {
    if (stopping) return done;
    stopping = true;
    clearInterval(watch);
    clearInterval(recount);
    await task.stop();
    await scanning;
    // The daemons first: each finishes the message in flight and starts no other, so the minute ends soon.
    await Promise.all([...running.values()].map((d) => d.stop()));
    await minuteChain;
    await presence?.leave().catch(() => {});
    obs?.setLease("stopped");
    resolveDone();
    return done;
  };
  return {
    done,
    stop,
    leaseState: aggregate,
    leading: () => [...running].filter(([, d]) => d.leaseState() === "leader").map(([id]) => id),
  };
}

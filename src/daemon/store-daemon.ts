import type { NotifierSet } from "../../notifiers/index.ts";
import { Campaign } from "../campaign/campaign.ts";
import type { EventStore } from "../store/store.ts";
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
 * campaign is ticked and dispatched by the one holding its lease, and a campaign whose holder died is taken
 * by whichever standby asks first (every standbyPollMs). On SQLite one process holds them all. A campaign
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

  let scanning: Promise<void> = Promise.resolve();
  const scan = () =>
    (scanning = scanning.then(async () => {
      if (stopping) return;
      let records;
      try {
        records = await store.campaigns();
      } catch (err) {
        opts.log(`campaigns-error: 无法读取存储中的专项行动列表（${(err as Error).message}）；稍后重试`, { level: "error", event: "campaigns-error", code: (err as { code?: string }).code ?? "STORE" });
        return;
      }
      for (const r of records) {
        if (stopping || running.has(r.id) || (opts.only !== undefined && r.id !== opts.only)) continue;
        let c: Campaign;
        try {
          c = opts.opened?.get(r.id) ?? (await Campaign.open(store.campaignLog(r.prefix)));
        } catch (err) {
          opts.log(`open-failed: 无法打开专项行动 ${r.id}：${(err as Error).message}；稍后重试`, { level: "error", event: "open-failed", campaign: r.id, code: (err as { code?: string }).code ?? "INTERNAL" });
          continue;
        }
        opts.onCampaign?.(c);
        states.set(r.id, "acquiring");
        // One process-wide observer (HostMetrics); the lease it reports is this process's, over every campaign.
        const observer: DaemonObserver | undefined = obs && {
          delivered: (channels) => obs.delivered(channels),
          failed: (channel, final) => obs.failed(channel, final),
          leaseRenewed: (ok) => obs.leaseRenewed(ok),
          cycle: (c) => obs.cycle(c),
          leaseLost: () => obs.leaseLost(),
          setLease: (s: DaemonLeaseState) => {
            states.set(r.id, s);
            obs.setLease(aggregate());
          },
        };
        running.set(r.id, startDaemon(c, notifiers, { ...opts, ...(observer ? { observer } : {}), lease: `campaign:${r.id}` }));
      }
    }));
  void scan();
  const watch = setInterval(() => void scan(), opts.watchMs ?? 60_000);

  const stop = async () => {
    if (stopping) return done;
    stopping = true;
    clearInterval(watch);
    await scanning;
    await Promise.all([...running.values()].map((d) => d.stop()));
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

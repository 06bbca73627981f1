import cron, { type ScheduledTask } from "node-cron";
import type { NotifierSet } from "../../notifiers/index.ts";
import { CampaignError, type Campaign } from "../campaign/campaign.ts";
import { Dispatcher, type DispatchObserver, type DispatchOptions } from "../dispatch/dispatcher.ts";
import type { EpochMs } from "../engine/calendar.ts";
import type { Lease } from "../store/store.ts";
import type { LogFn } from "../ops/log-fields.ts";
import { CampaignSlot } from "./campaign-slot.ts";
import { catchUpLine, runCycle, type CycleReport } from "./cycle.ts";

/** The daemon's lease, as /readyz and the metrics report it. */
export type DaemonLeaseState = "acquiring" | "leader" | "standby" | "stopped";

/** What a host measures (src/ops/metrics.ts); every call is optional so tests and drills pass none. */
export interface DaemonObserver extends DispatchObserver {
  setLease(state: DaemonLeaseState): void;
  cycle(r: { durationMs: number; events: number; queued: number; summaryQueued: boolean; ok: boolean }): void;
  leaseLost(): void;
}

export interface DaemonOptions extends Pick<DispatchOptions, "skipOlderThanMs" | "staleItems" | "baseUrl" | "templates" | "maxAttempts" | "backoffMs" | "retryHorizon" | "leaseMs" | "window"> {
  /** The clock; tests and drills pass their own. */
  now?: () => EpochMs;
  log: LogFn;
  observer?: DaemonObserver;
  /** How often a standby daemon asks for the lease. @default 15 000 */
  standbyPollMs?: number;
  /** The lease's name: one per campaign, so daemons sharing a store spread its campaigns. @default campaign:<id> */
  lease?: string;
  /** Asked before each attempt at the lease: false makes this daemon wait as a standby (it has its share). */
  mayAsk?: () => boolean;
  /**
   * Driven by the store daemon: the daemon holds the campaign's lease but schedules no cycle of its own; the
   * store daemon runs each minute for every campaign it leads (RunningDaemon.cycleWith) and is told when this
   * one becomes leader, to run its catch-up.
   */
  driven?: { onLeader: () => void };
}

export interface RunningDaemon {
  /** Resolves when the daemon has stopped (after stop(), or a fatal error). */
  done: Promise<void>;
  /** Finishes the message in flight and the cycle it belongs to, then stops. */
  stop(): Promise<void>;
  /** The lease as it stands: leader works, standby waits, acquiring has not heard back from the store yet. */
  leaseState(): DaemonLeaseState;
  /**
   * Runs `fn` in turn with this daemon's cycles while it holds the lease (undefined when it does not, or is
   * stopping): stop() waits for it. The store daemon ticks its campaigns this way before gathering digests.
   */
  work<T>(fn: () => Promise<T>): Promise<T | undefined>;
  /** Runs one cycle whose report `run` makes, logged and measured as the daemon's own. */
  cycleWith(reason: string, run: () => Promise<CycleReport | undefined>, started?: number): Promise<void>;
}

function summarise(r: CycleReport): string {
  const d = r.dispatch;
  return `cycle at=${r.at} events=${r.events} queued=${r.queued}${r.summaryQueued ? " summary=queued" : ""} sent=${d.sent} retrying=${d.retrying} failed=${d.failed}`;
}

/**
 * The daemon: node-cron fires a cycle every minute in the plan's zone; a cycle costs almost nothing when
 * nothing is due (the engine's time index), so no deadline or send time can fall between two schedules.
 * On start it catches up once on everything that fell due while it was down. With PostgreSQL, only the
 * holder of the lease works; the others wait and take over when its connection dies.
 */
export function startDaemon(target: Campaign | CampaignSlot, notifiers: NotifierSet, opts: DaemonOptions): RunningDaemon {
  const now = opts.now ?? (() => Date.now());
  let stopping = false;
  let lease: Lease | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  let task: ScheduledTask | undefined;
  let standby: NodeJS.Timeout | undefined;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  const obs = opts.observer;
  let state: DaemonLeaseState = "acquiring";
  const setState = (s: DaemonLeaseState) => {
    state = s;
    obs?.setLease(s);
  };
  setState("acquiring");
  // A slot (the store daemon's) opens its campaign only when due; a campaign given opened stays so.
  const slot = target instanceof CampaignSlot ? target : undefined;
  const campaign = slot ? undefined : (target as Campaign);
  const id = slot ? slot.id : campaign!.plan.campaign.id;
  const store = slot ? slot.log : campaign!.store;
  const dispatcher = campaign && new Dispatcher(campaign, notifiers, { ...opts, log: opts.log, ...(obs ? { observer: obs } : {}), shouldStop: () => stopping });
  if (slot) slot.stopping = false;
  const run = (at: EpochMs): Promise<CycleReport | undefined> => (slot ? slot.cycle(at, (o) => runCycle(o.campaign, o.dispatcher, at)) : runCycle(campaign!, dispatcher!, at));

  const work = <T,>(fn: () => Promise<T>): Promise<T | undefined> => {
    if (stopping || !lease) return Promise.resolve(undefined);
    // A cycle that is still running when the next minute fires is not doubled: the next one waits.
    const p = inFlight.then(() => (stopping ? undefined : fn()));
    inFlight = p.then(
      () => {},
      () => {},
    );
    return p;
  };

  const timed = async (reason: string, runIt: () => Promise<CycleReport | undefined>, started = Date.now()): Promise<void> => {
    try {
      const r = await runIt();
      const durationMs = Date.now() - started;
      if (!r) {
        // Nothing due: the campaign stayed released; the cycle still counts (metrics, /readyz).
        obs?.cycle({ durationMs, events: 0, queued: 0, summaryQueued: false, ok: true });
        return;
      }
      obs?.cycle({ durationMs, events: r.events, queued: r.queued, summaryQueued: r.summaryQueued, ok: true });
      const line = catchUpLine(r, !opts.staleItems);
      if (line) opts.log(line, { level: "warn", event: "catch-up", campaign: id, ...r.catchUp });
      const facts = { event: reason === "start" ? "catch-up-cycle" : "cycle", campaign: id, durationMs, events: r.events, ...(r.seq !== undefined ? { seq: r.seq } : {}), queued: r.queued, sent: r.dispatch.sent, retrying: r.dispatch.retrying, failed: r.dispatch.failed };
      if (reason !== "minute" || r.events || r.dispatch.sent || r.dispatch.failed || r.dispatch.retrying || r.summaryQueued) opts.log(`${reason === "start" ? "catch-up " : ""}${summarise(r)}`, facts);
    } catch (err) {
      obs?.cycle({ durationMs: Date.now() - started, events: 0, queued: 0, summaryQueued: false, ok: false });
      // A refusal the user can act on (a clock behind the log) is one line; anything else keeps its stack.
      const code = err instanceof CampaignError ? err.code : ((err as { code?: string }).code ?? "INTERNAL");
      opts.log(`cycle failed: 本轮未完成：${err instanceof CampaignError ? `${err.message} [${err.code}]` : ((err as Error).stack ?? String(err))}`, { level: "error", event: "cycle-failed", campaign: id, code });
    }
  };
  const cycleWith = async (reason: string, runIt: () => Promise<CycleReport | undefined>, started?: number): Promise<void> => {
    await work(() => timed(reason, runIt, started));
  };
  const cycle = (reason: string) => void cycleWith(reason, () => run(now()));

  const becomeLeader = async () => {
    if (stopping) return;
    const poll = () => (standby = setTimeout(() => void becomeLeader(), opts.standbyPollMs ?? 15_000));
    if (opts.mayAsk && !opts.mayAsk()) {
      if (state !== "standby") setState("standby");
      poll();
      return;
    }
    try {
      lease = await store.tryLease(opts.lease ?? `campaign:${id}`);
    } catch (err) {
      // The store is unreachable: ask again later rather than die; /readyz says the store is down.
      opts.log(`lease-error: 无法向存储申请租约（${(err as Error).message}）；稍后重试`, { level: "error", event: "lease-error", campaign: id, code: (err as { code?: string }).code ?? "STORE" });
      poll();
      return;
    }
    if (stopping) return void (await lease?.release());
    if (!lease) {
      if (state !== "standby") opts.log("standby: 另一个进程持有租约，本进程待命，随时接管", { event: "standby", campaign: id });
      setState("standby");
      poll();
      return;
    }
    setState("leader");
    opts.log(`leader: 本进程持有租约，负责 ${id} 的计时与发送`, { event: "leader", campaign: id });
    const held = lease;
    void held.lost?.then(async () => {
      if (stopping || lease !== held) return;
      // Another daemon may hold it now: stop working at once, and ask again like a standby.
      lease = undefined;
      obs?.leaseLost();
      opts.log("lease-lost: 与存储的租约连接已断开，本进程停止计时与发送，稍后重新申请", { level: "error", event: "lease-lost", campaign: id });
      await task?.stop();
      task = undefined;
      setState("standby");
      poll();
    });
    if (opts.driven) return opts.driven.onLeader();
    cycle("start");
    // Every minute: the same instants in every zone of whole-minute offset, so a slot need not open its plan for it.
    task = cron.schedule("* * * * *", () => cycle("minute"), campaign ? { timezone: campaign.plan.campaign.timezone } : {});
  };
  void becomeLeader();

  const stop = async () => {
    if (stopping) return done;
    stopping = true;
    if (slot) slot.stopping = true;
    if (standby) clearTimeout(standby);
    await task?.stop();
    await inFlight;
    await lease?.release();
    setState("stopped");
    resolveDone();
    return done;
  };
  return { done, stop, leaseState: () => state, work, cycleWith };
}

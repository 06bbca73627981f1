import cron, { type ScheduledTask } from "node-cron";
import type { NotifierSet } from "../../notifiers/index.ts";
import { CampaignError, type Campaign } from "../campaign/campaign.ts";
import { Dispatcher, type DispatchOptions } from "../dispatch/dispatcher.ts";
import type { EpochMs } from "../engine/calendar.ts";
import type { Lease } from "../store/store.ts";
import { catchUpLine, runCycle, type CycleReport } from "./cycle.ts";

export interface DaemonOptions extends Pick<DispatchOptions, "skipOlderThanMs" | "staleItems" | "baseUrl" | "templates" | "maxAttempts" | "backoffMs" | "retryHorizon" | "leaseMs" | "window"> {
  /** The clock; tests and drills pass their own. */
  now?: () => EpochMs;
  log: (line: string) => void;
  /** How often a standby daemon asks for the lease. @default 15 000 */
  standbyPollMs?: number;
}

export interface RunningDaemon {
  /** Resolves when the daemon has stopped (after stop(), or a fatal error). */
  done: Promise<void>;
  /** Finishes the message in flight and the cycle it belongs to, then stops. */
  stop(): Promise<void>;
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
export function startDaemon(campaign: Campaign, notifiers: NotifierSet, opts: DaemonOptions): RunningDaemon {
  const now = opts.now ?? (() => Date.now());
  let stopping = false;
  let lease: Lease | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  let task: ScheduledTask | undefined;
  let standby: NodeJS.Timeout | undefined;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  const dispatcher = new Dispatcher(campaign, notifiers, { ...opts, log: opts.log, shouldStop: () => stopping });

  const cycle = (reason: string) => {
    if (stopping || !lease) return;
    // A cycle that is still running when the next minute fires is not doubled: the next one waits.
    inFlight = inFlight.then(async () => {
      if (stopping) return;
      try {
        const r = await runCycle(campaign, dispatcher, now());
        const line = catchUpLine(r, !opts.staleItems);
        if (line) opts.log(line);
        if (reason !== "minute" || r.events || r.dispatch.sent || r.dispatch.failed || r.dispatch.retrying || r.summaryQueued) opts.log(`${reason === "start" ? "catch-up " : ""}${summarise(r)}`);
      } catch (err) {
        // A refusal the user can act on (a clock behind the log) is one line; anything else keeps its stack.
        opts.log(`cycle failed: ${err instanceof CampaignError ? `${err.message} [${err.code}]` : ((err as Error).stack ?? String(err))}`);
      }
    });
  };

  const becomeLeader = async () => {
    if (stopping) return;
    lease = await campaign.store.tryLease("daemon");
    if (!lease) {
      opts.log("standby: another daemon holds the lease; waiting to take over");
      standby = setTimeout(() => void becomeLeader(), opts.standbyPollMs ?? 15_000);
      return;
    }
    opts.log(`leader: ticking and dispatching for ${campaign.plan.campaign.id}`);
    cycle("start");
    task = cron.schedule("* * * * *", () => cycle("minute"), { timezone: campaign.plan.campaign.timezone });
  };
  void becomeLeader();

  const stop = async () => {
    if (stopping) return done;
    stopping = true;
    if (standby) clearTimeout(standby);
    await task?.stop();
    await inFlight;
    await lease?.release();
    resolveDone();
    return done;
  };
  return { done, stop };
}

import type { Command } from "commander";
import type { Campaign } from "../campaign/campaign.ts";
import { formatInstant } from "../engine/calendar.ts";
import { clockOf, warnCalendarDrift, type GlobalOptions } from "./campaign-commands.ts";
import { UsageError, type Io } from "./io.ts";

/** The daemon's parts (engine, dispatcher, mailer, scheduler), loaded when `run` runs, not at every start. */
async function daemonParts() {
  const [{ Campaign, CampaignError }, { startDaemon }, { runCycle }, { describeChannels, hostConfigFromEnv, notifiersFor }, { Dispatcher }, { openStore }] = await Promise.all([
    import("../campaign/campaign.ts"),
    import("../daemon/daemon.ts"),
    import("../daemon/cycle.ts"),
    import("../daemon/host.ts"),
    import("../dispatch/dispatcher.ts"),
    import("../store/open.ts"),
  ]);
  return { Campaign, CampaignError, startDaemon, runCycle, describeChannels, hostConfigFromEnv, notifiersFor, Dispatcher, openStore };
}

function logLine(io: Io): (line: string) => void {
  // One line per fact, stamped with the wall-clock time, readable by people and by log tools.
  return (line) => io.err(`${new Date().toISOString()} duban ${line}`);
}

export function registerRunCommand(program: Command, io: Io): void {
  program
    .command("run")
    .description("the daemon: apply deadlines and ladders, queue and send reminders; catches up after downtime")
    .option("--once", "one tick and one dispatch, then exit (cron-less deployments, tests)")
    .option("--plan <file>", "initialise the store with this plan if it has no campaign yet")
    .option("--eml-dir <dir>", "where .eml files go when no SMTP server is configured (DUBAN_EML_DIR)", undefined)
    .option("--console", "also print each message to the terminal")
    .option("--catch-up <policy>", "after downtime: send (the collapsed backlog, once) or skip (what is older than --window)", "send")
    .option("--window <hours>", "with --catch-up skip: how old a missed message may be and still go out", "72")
    .action(async (o: { once?: boolean; plan?: string; emlDir?: string; console?: boolean; catchUp: string; window: string }) => {
      const g = program.opts() as GlobalOptions;
      if (o.catchUp !== "send" && o.catchUp !== "skip") throw new UsageError(`--catch-up ${o.catchUp}：只能是 send 或 skip`, "BAD_OPTION");
      const windowH = Number(o.window);
      if (!(windowH > 0)) throw new UsageError(`--window ${o.window}：请写大于 0 的小时数，例如 72`, "BAD_OPTION");
      const { Campaign, CampaignError, startDaemon, runCycle, describeChannels, hostConfigFromEnv, notifiersFor, Dispatcher, openStore } = await daemonParts();
      const log = logLine(io);
      const store = await openStore(g.db);
      const cfg = hostConfigFromEnv(process.env, { ...(o.emlDir ? { emlDir: o.emlDir } : {}), ...(o.console ? { console: true } : {}) });
      const notifiers = notifiersFor(cfg);
      try {
        let campaign: Campaign;
        try {
          campaign = o.plan ? await Campaign.init(store, o.plan, clockOf(g).now) : await Campaign.open(store);
        } catch (err) {
          if (err instanceof CampaignError) throw new UsageError(err.message, err.code, 1);
          throw err;
        }
        warnCalendarDrift(campaign, io);
        const zone = campaign.plan.campaign.timezone;
        const fixed = g.now !== undefined ? clockOf(g, zone).now : undefined;
        const skip = { ...(o.catchUp === "skip" ? { skipOlderThanMs: windowH * 3_600_000 } : {}), ...(cfg.baseUrl ? { baseUrl: cfg.baseUrl } : {}) };
        log(`start campaign=${campaign.plan.campaign.id} plan=${campaign.plan.hash.slice(0, 12)} store=${g.db} channels=${describeChannels(cfg)} catch-up=${o.catchUp}`);
        if (o.once) {
          const now = fixed ?? Date.now();
          const r = await runCycle(campaign, new Dispatcher(campaign, notifiers, { log, ...skip }), now);
          log(`once at=${formatInstant(now, zone)} events=${r.events} queued=${r.queued} sent=${r.dispatch.sent} retrying=${r.dispatch.retrying} failed=${r.dispatch.failed}`);
          return;
        }
        const daemon = startDaemon(campaign, notifiers, { log, ...skip, ...(fixed !== undefined ? { now: () => fixed } : {}) });
        const onSignal = (sig: string) => {
          log(`${sig}: finishing the message in flight, then stopping`);
          void daemon.stop();
        };
        process.once("SIGTERM", () => onSignal("SIGTERM"));
        process.once("SIGINT", () => onSignal("SIGINT"));
        await daemon.done;
        log("stopped");
      } finally {
        await notifiers.close();
        await store.close();
      }
    });
}

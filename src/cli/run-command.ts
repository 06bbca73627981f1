import type { Command } from "commander";
import type { Campaign } from "../campaign/campaign.ts";
import type { EventStore } from "../store/store.ts";
import { parseRetryHorizon, retryHorizonText } from "../dispatch/retry-horizon.ts";
import { LARGE_CATCH_UP_WORKING_DAYS } from "../campaign/catch-up.ts";
import { formatInstant } from "../engine/calendar.ts";
import { clockOf, warnOnOpen, type GlobalOptions } from "./campaign-commands.ts";
import { UsageError, type Io } from "./io.ts";
import { logLevelOption, startHostRuntime } from "./host-setup.ts";
import type { DispatchOptions, DispatchReport } from "../dispatch/dispatcher.ts";
import type { TickReport } from "../daemon/cycle.ts";

/** The daemon's parts (engine, dispatcher, mailer, scheduler), loaded when `run` runs, not at every start. */
async function daemonParts() {
  const [{ Campaign, CampaignError }, { startStoreDaemon }, { runCycle, catchUpLine, withDispatch }, { describeChannels }, { Dispatcher }, { openStore }, { startOpsServer }, { addCampaign, allCampaigns, campaignOf }] = await Promise.all([
    import("../campaign/campaign.ts"),
    import("../daemon/store-daemon.ts"),
    import("../daemon/cycle.ts"),
    import("../daemon/host.ts"),
    import("../dispatch/dispatcher.ts"),
    import("../store/open.ts"),
    import("../ops/ops-server.ts"),
    import("../campaign/campaigns.ts"),
  ]);
  return { Campaign, CampaignError, startStoreDaemon, runCycle, catchUpLine, withDispatch, describeChannels, Dispatcher, openStore, startOpsServer, addCampaign, allCampaigns, campaignOf };
}

/** `--metrics-port`, checked before anything is loaded. */
export function portOption(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`${flag} ${value}：不是端口号；请写 0 至 65535 的整数`, "BAD_PORT");
  return port;
}

export const CATCH_UP_HELP = "after downtime: send (the collapsed backlog of a short stop; after more than 3 working days, what is older than --window is not sent), skip (never send what is older than --window), all (send everything)";

/**
 * The daemon's rules for what fell due while it was down. `send`, the default, keeps a short stop's
 * backlog but leaves out what a long catch-up (more than a few working days) found older than the window:
 * a store started long after its campaign must not remind every unit of months-old deadlines.
 */
export function catchUpOptions(policy: string, window: string): Pick<DispatchOptions, "skipOlderThanMs" | "staleItems"> {
  if (policy !== "send" && policy !== "skip" && policy !== "all") throw new UsageError(`--catch-up ${policy}：只能是 send、skip 或 all`, "BAD_OPTION");
  const windowH = Number(window);
  if (!(windowH > 0)) throw new UsageError(`--window ${window}：请写大于 0 的小时数，例如 72`, "BAD_OPTION");
  const windowMs = windowH * 3_600_000;
  if (policy === "all") return {};
  if (policy === "skip") return { skipOlderThanMs: windowMs, staleItems: { windowMs, workingDays: 0 } };
  return { staleItems: { windowMs, workingDays: LARGE_CATCH_UP_WORKING_DAYS } };
}

export function registerRunCommand(program: Command, io: Io): void {
  program
    .command("run")
    .description("the daemon: apply deadlines and ladders, queue and send reminders; catches up after downtime")
    .option("--once", "one tick and one dispatch, then exit (cron-less deployments, tests)")
    .option("--plan <file>", "add this plan's campaign to the store if it is not there yet")
    .option("--eml-dir <dir>", "where .eml files go when no SMTP server is configured (DUBAN_EML_DIR)", undefined)
    .option("--console", "also print each message to the terminal")
    .option("--catch-up <policy>", CATCH_UP_HELP, "send")
    .option("--window <hours>", "how old a missed message may be and still go out (--catch-up send after a long stop, and skip)", "72")
    .option("--retry-for <span>", "how long an undeliverable message is retried before it is marked failed: working days (1wd: the same hour of the next working day) or hours (12h)", "1wd")
    .option("--log-level <level>", "trace, debug (with contact addresses), info, warn, error, fatal or silent (DUBAN_LOG_LEVEL)")
    .option("--metrics-port <port>", "serve /metrics, /healthz and /readyz on this port (DUBAN_METRICS_PORT)")
    .option("--metrics-host <host>", "address for --metrics-port", undefined)
    .action(async (o: { once?: boolean; plan?: string; emlDir?: string; console?: boolean; catchUp: string; window: string; retryFor: string; logLevel?: string; metricsPort?: string; metricsHost?: string }) => {
      const g = program.opts() as GlobalOptions;
      const rules = catchUpOptions(o.catchUp, o.window);
      const retryHorizon = parseRetryHorizon(o.retryFor);
      if (!retryHorizon) throw new UsageError(`--retry-for ${o.retryFor}：请写工作日数或小时数，例如 1wd（下一个工作日同一时刻）或 12h`, "BAD_OPTION");
      const logLevel = logLevelOption(o.logLevel);
      const metricsPortFlag = portOption("--metrics-port", o.metricsPort);
      const { Campaign, CampaignError, startStoreDaemon, runCycle, catchUpLine, withDispatch, describeChannels, Dispatcher, openStore, startOpsServer, addCampaign, allCampaigns, campaignOf } = await daemonParts();
      const { settings, cfg, logger, metrics, notifiers } = await startHostRuntime({ configFile: g.config, ...(logLevel ? { logLevel } : {}), io, overrides: { ...(o.emlDir ? { emlDir: o.emlDir } : {}), ...(o.console ? { console: true } : {}) } });
      const log = logger.log;
      let store;
      try {
        store = await openStore(g.db);
      } catch (err) {
        await notifiers.close();
        throw err;
      }
      let ops: { url: string; close(): Promise<void> } | undefined;
      try {
        // Every campaign of the store, or the one --campaign names; --plan first adds its campaign when missing.
        // Only the first stays opened (metrics, /readyz); the others are opened in turn for their start
        // lines and released: the daemon holds at most keepOpen of them (src/daemon/campaign-slot.ts).
        let logs: EventStore[];
        let first: Campaign;
        let records: string[] = [];
        let prefixes: string[] = [];
        const each = async (fn: (c: Campaign) => Promise<void> | void) => {
          for (let i = 0; i < logs.length; i++) {
            let c: Campaign;
            try {
              c = i === 0 ? first : await Campaign.open(logs[i]!);
            } catch (err) {
              if (err instanceof CampaignError) throw new UsageError(err.message, err.code, 1);
              throw err;
            }
            await fn(c);
          }
        };
        try {
          if (o.plan) await addCampaign(store, o.plan, clockOf(g).now);
          const selected = g.campaign !== undefined ? [await campaignOf(store, g.campaign)] : await allCampaigns(store);
          logs = selected.length ? selected.map((x) => x.log) : [store];
          records = selected.map((x) => x.record.id);
          prefixes = selected.map((x) => x.record.prefix);
          first = await Campaign.open(logs[0]!);
        } catch (err) {
          if (err instanceof CampaignError) throw new UsageError(err.message, err.code, 1);
          throw err;
        }
        const zone = first.plan.campaign.timezone;
        const fixed = g.now !== undefined ? clockOf(g, zone).now : undefined;
        const skip = { ...rules, retryHorizon, ...(cfg.baseUrl ? { baseUrl: cfg.baseUrl } : {}) };
        const startLine = (c: Campaign) => {
          warnOnOpen(c, io, g);
          logger.hideContacts([...c.plan.units.values()].flatMap((u) => u.email));
          log(`start campaign=${c.plan.campaign.id} plan=${c.plan.hash.slice(0, 12)} store=${g.db} channels=${describeChannels(cfg)} catch-up=${o.catchUp} retry-for=${retryHorizonText(retryHorizon)}`, { event: "start", campaign: c.plan.campaign.id, plan: c.plan.hash.slice(0, 12), ...(settings.file ? { config: settings.file } : {}) });
        };
        const ids = records.length ? records : [first.plan.campaign.id];
        // The daemon opens each campaign for its first cycle anyway: its start line (and contact scrubbing) waits for that.
        if (o.once) await each(startLine);
        else startLine(first);
        const id = ids.join(",");
        // Outbox, log head and the oldest unsent message (/readyz) are read from every campaign's log; overdue
        // items from the first, which this process holds open.
        metrics.watch(first, fixed !== undefined ? () => fixed : Date.now, logs.map((l, i) => ({ id: records[i] ?? first.plan.campaign.id, store: l })));
        const metricsPort = metricsPortFlag ?? settings.metrics.port;
        if (metricsPort !== undefined) {
          const host = o.metricsHost ?? settings.metrics.host ?? "127.0.0.1";
          try {
            ops = await startOpsServer({ campaign: first, metrics, maxOutboxAgeMs: settings.maxOutboxAgeMs, port: metricsPort, host });
          } catch (err) {
            const code = (err as NodeJS.ErrnoException).code;
            if (code === "EADDRINUSE") throw new UsageError(`端口 ${metricsPort} 已被占用；请用 --metrics-port 换一个端口`, code, 1);
            if (code === "EADDRNOTAVAIL") throw new UsageError(`本机没有地址 ${host}；请检查 --metrics-host`, code, 1);
            throw err;
          }
          log(`metrics url=${ops.url}/metrics`, { event: "metrics", url: `${ops.url}/metrics` });
        }
        if (o.once) {
          const now = fixed ?? Date.now();
          // Several campaigns, as the daemon's minute: every one ticked first, then each recipient's reminders of
          // one send time across them go as one message (src/dispatch/digest-groups.ts), then each one's own dispatch.
          const many = logs.length > 1 && records.length === logs.length;
          const ticks = new Map<string, TickReport>();
          let digests = new Map<string, DispatchReport>();
          if (many) {
            const [{ tickCycle }, { dispatchDigests }, { CampaignCache }] = await Promise.all([import("../daemon/cycle.ts"), import("../dispatch/digest-groups.ts"), import("../daemon/campaign-slot.ts")]);
            await each(async (campaign) => {
              try {
                ticks.set(campaign.plan.campaign.id, await tickCycle(campaign, now));
              } catch (err) {
                if (err instanceof CampaignError) throw new UsageError(err.message, err.code, 1);
                throw err;
              }
            });
            const cache = new CampaignCache(8);
            const members = records.map((cid, i) => ({
              id: cid,
              prefix: prefixes[i]!,
              log: logs[i]!,
              led: true,
              use: <T,>(fn: (d: InstanceType<typeof Dispatcher>) => Promise<T>) =>
                cache.use(
                  cid,
                  async () => {
                    const campaign = await Campaign.open(logs[i]!);
                    return { campaign, dispatcher: new Dispatcher(campaign, notifiers, { log, observer: metrics, ...skip }) };
                  },
                  (op) => fn(op.dispatcher),
                ),
            }));
            digests = await dispatchDigests(store, members, notifiers, now, { log, observer: metrics });
          }
          await each(async (campaign) => {
            const cid = campaign.plan.campaign.id;
            const czone = campaign.plan.campaign.timezone;
            let r;
            const started = Date.now();
            try {
              const dispatcher = new Dispatcher(campaign, notifiers, { log, observer: metrics, ...skip });
              if (many) {
                const d = await dispatcher.dispatchDue(now);
                const gd = digests.get(cid) ?? { sent: 0, retrying: 0, failed: 0 };
                r = withDispatch(ticks.get(cid)!, { sent: d.sent + gd.sent, retrying: d.retrying + gd.retrying, failed: d.failed + gd.failed });
              } else r = await runCycle(campaign, dispatcher, now);
            } catch (err) {
              if (err instanceof CampaignError) throw new UsageError(err.message, err.code, 1);
              throw err;
            }
            metrics.cycle({ durationMs: Date.now() - started, events: r.events, queued: r.queued, summaryQueued: r.summaryQueued, ok: true });
            const line = catchUpLine(r, !rules.staleItems);
            if (line) log(line, { level: "warn", event: "catch-up", campaign: cid, ...r.catchUp });
            log(`once${logs.length > 1 ? ` campaign=${cid}` : ""} at=${formatInstant(now, czone)} events=${r.events} queued=${r.queued} sent=${r.dispatch.sent} retrying=${r.dispatch.retrying} failed=${r.dispatch.failed}`, { event: "once", campaign: cid, durationMs: Date.now() - started, events: r.events, queued: r.queued, sent: r.dispatch.sent, retrying: r.dispatch.retrying, failed: r.dispatch.failed });
          });
          return;
        }
        const opened = new Map([[first.plan.campaign.id, first]]);
        const atStart = new Set(ids);
        const daemon = startStoreDaemon(store, notifiers, {
          log,
          observer: metrics,
          ...skip,
          ...(fixed !== undefined ? { now: () => fixed } : {}),
          opened,
          ...(g.campaign !== undefined ? { only: g.campaign } : {}),
          onCampaign: (c) => {
            if (c === first) return;
            if (atStart.has(c.plan.campaign.id)) return startLine(c);
            logger.hideContacts([...c.plan.units.values()].flatMap((u) => u.email));
            log(`start campaign=${c.plan.campaign.id} plan=${c.plan.hash.slice(0, 12)}（运行中新加入的专项行动）`, { event: "start", campaign: c.plan.campaign.id, plan: c.plan.hash.slice(0, 12) });
          },
        });
        const onSignal = (sig: string) => {
          log(`${sig}: 发送中的消息完成后停止`, { event: "signal", signal: sig, campaign: id });
          void daemon.stop();
        };
        process.once("SIGTERM", () => onSignal("SIGTERM"));
        process.once("SIGINT", () => onSignal("SIGINT"));
        await daemon.done;
        log("stopped：守护进程已停止", { event: "stopped", campaign: id });
      } finally {
        await ops?.close();
        await notifiers.close();
        await store.close();
      }
    });
}

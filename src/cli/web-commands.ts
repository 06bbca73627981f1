import type { Command } from "commander";
import { logLevelOption, startHostRuntime } from "./host-setup.ts";
import type { Sidecar } from "../access/open.ts";
import type { Campaign } from "../campaign/campaign.ts";
import { unitName } from "../present/plan-text.ts";
import { clockOf, warnOnOpen, type GlobalOptions } from "./campaign-commands.ts";
import { CATCH_UP_HELP, catchUpOptions } from "./run-command.ts";
import type { RunningStoreDaemon } from "../daemon/store-daemon.ts";
import type { NotifierSet } from "../../notifiers/index.ts";
import { UsageError, type Io } from "./io.ts";

/** What these commands use, loaded when one runs: the web server and the mailer only by `serve`. */
async function storeParts() {
  const [{ AccessError }, { openSidecar }, { addUser, revokeUser }, { Campaign, CampaignError }, { openStore }] = await Promise.all([
    import("../access/types.ts"),
    import("../access/open.ts"),
    import("../access/users.ts"),
    import("../campaign/campaign.ts"),
    import("../store/open.ts"),
  ]);
  return { AccessError, openSidecar, addUser, revokeUser, Campaign, CampaignError, openStore };
}

/**
 * `unit`: with several campaigns and no --campaign, the first campaign whose plan lists the unit (an
 * account acts in every campaign its unit is in; the plan it is checked against is one of those).
 */
async function withCampaign<T>(opts: GlobalOptions, fn: (c: Campaign, sidecar: Sidecar) => Promise<T>, unit?: string | { any: true }): Promise<T> {
  const { AccessError, openSidecar, Campaign, CampaignError, openStore } = await storeParts();
  const store = await openStore(opts.db);
  try {
    const { allCampaigns, campaignOf } = await import("../campaign/campaigns.ts");
    let c: Campaign | undefined;
    const all = await allCampaigns(store);
    // Accounts are the store's: listing or revoking one needs no campaign (the first one records a revocation).
    if (opts.campaign === undefined && typeof unit === "object" && all.length > 1) c = await Campaign.open(all[0]!.log);
    if (opts.campaign === undefined && typeof unit === "string" && all.length > 1) {
      for (const x of all) {
        const candidate = await Campaign.open(x.log);
        if (candidate.plan.units.has(unit)) {
          c = candidate;
          break;
        }
      }
      if (!c) throw new CampaignError("CAMPAIGN_UNKNOWN", `此存储中没有哪个专项行动的计划列有单位或人员“${unit}”`);
    }
    c ??= await Campaign.open((await campaignOf(store, opts.campaign)).log);
    // Accounts belong to the store, not to one campaign: a unit signs in once for every campaign it is in.
    const sidecar = await openSidecar(store);
    try {
      return await fn(c, sidecar);
    } finally {
      sidecar.close();
    }
  } catch (err) {
    if (err instanceof CampaignError || err instanceof AccessError) throw new UsageError(err.message, err.code, 1);
    throw err;
  } finally {
    await store.close();
  }
}

/** `duban users …` (web sign-in accounts) and `duban serve` (the web workspace). */
export function registerWebCommands(program: Command, io: Io): void {
  const g = () => program.opts() as GlobalOptions;
  const users = program.command("users").description("web accounts: each signs in with a one-time access token");

  users
    .command("add")
    .description("create an account and print its access token (shown once; only its hash is stored)")
    .argument("<name>", "account name, e.g. yuzhong-zhang")
    .requiredOption("--unit <unit-or-person>", "the unit or person from the plan the account acts for")
    .option("--role <role>", "unit (its own items), office (everything; the plan's rules decide), auditor (reads everything, changes nothing)", "unit")
    .action(async (name: string, o: { unit: string; role: string }) => {
      const { addUser } = await storeParts();
      await withCampaign(g(), async (c, s) => {
        const { now } = clockOf(g(), c.plan.campaign.timezone);
        const { user, token } = await addUser(c, s.access, { name, unit: o.unit, role: o.role }, now);
        io.out(`已建立账号 ${user.name}（${unitName(c.plan, user.unit)}，${user.role}）。访问令牌只显示这一次：\n${token}`);
      }, o.unit);
    });

  users
    .command("list")
    .description("every account, with its unit, role and whether it is revoked")
    .action(async () => {
      await withCampaign(g(), async (c, s) => {
        const list = await s.access.listUsers();
        if (list.length === 0) return io.out("尚无账号；用 duban users add 建立");
        for (const u of list) io.out(`${u.name}\t${u.role}\t${u.unit}（${unitName(c.plan, u.unit)}）\t${u.createdAt}${u.revokedAt ? `\t已停用 ${u.revokedAt}` : ""}`);
      }, { any: true });
    });

  users
    .command("revoke")
    .description("revoke an account: its token stops working and its sessions end at once")
    .argument("<name>")
    .action(async (name: string) => {
      const { revokeUser } = await storeParts();
      await withCampaign(g(), async (c, s) => {
        const { now } = clockOf(g(), c.plan.campaign.timezone);
        await revokeUser(c, s.access, name, now);
        io.out(`已停用账号 ${name}`);
      }, { any: true });
    });

  program
    .command("serve")
    .description("the web workspace: board, unit pages, item pages, replay, and the JSON API under /api/")
    .option("--port <port>", "TCP port (DUBAN_PORT)", "8080")
    .option("--host <host>", "address to listen on (put a TLS proxy in front before exposing it)", "127.0.0.1")
    .option("--daemon", "also run the daemon (ticks and reminders, as `duban run`) in this process")
    .option("--catch-up <policy>", `with --daemon: ${CATCH_UP_HELP}`, "send")
    .option("--window <hours>", "with --daemon: how old a missed message may be and still go out", "72")
    .option("--log-level <level>", "trace, debug (with contact addresses), info, warn, error, fatal or silent (DUBAN_LOG_LEVEL)")
    .action(async (o: { port: string; host: string; daemon?: boolean; catchUp: string; window: string; logLevel?: string }, cmd: Command) => {
      const rules = catchUpOptions(o.catchUp, o.window);
      const logLevel = logLevelOption(o.logLevel);
      const explicit = (name: string) => cmd.getOptionValueSource(name) === "cli";
      if (!Number.isInteger(Number(o.port)) || Number(o.port) < 0 || Number(o.port) > 65535) throw new UsageError(`--port ${o.port}：不是端口号；请写 0 至 65535 的整数`, "BAD_PORT");
      // The options people type win over DUBAN_PORT and the configuration file, which win over the defaults.
      const runtime = await startHostRuntime({ configFile: g().config, ...(logLevel ? { logLevel } : {}), io });
      const { settings } = runtime;
      const port = explicit("port") ? Number(o.port) : (settings.serve.port ?? Number(o.port));
      const hostAddr = explicit("host") ? o.host : (settings.serve.host ?? o.host);
      if (!o.daemon) await runtime.notifiers.close();
      const { openSidecar, Campaign, CampaignError, openStore } = await storeParts();
      const [{ startServer }, { startStoreDaemon }, { describeChannels }] = await Promise.all([
        import("../web/server.ts"),
        import("../daemon/store-daemon.ts"),
        import("../daemon/host.ts"),
      ]);
      const store = await openStore(g().db);
      // Every campaign of the store (or the one --campaign names), behind one front with a switcher.
      let all: Campaign[];
      try {
        const { allCampaigns, campaignOf } = await import("../campaign/campaigns.ts");
        const selected = g().campaign !== undefined ? [await campaignOf(store, g().campaign)] : await allCampaigns(store);
        all = selected.length ? await Promise.all(selected.map((x) => Campaign.open(x.log))) : [await Campaign.open(store)];
      } catch (err) {
        await store.close();
        if (o.daemon) await runtime.notifiers.close();
        if (err instanceof CampaignError) throw new UsageError(err.message, err.code, 1);
        throw err;
      }
      const c = all[0]!;
      for (const x of all) warnOnOpen(x, io, g());
      const sidecar = await openSidecar(store);
      const fixed = g().now !== undefined ? clockOf(g(), c.plan.campaign.timezone).now : undefined;
      let server;
      try {
        // The public URL (publicUrl / DUBAN_BASE_URL, else the plan's baseUrl) says whether browsers reach us over https.
        const publicUrl = runtime.cfg.baseUrl ?? c.plan.campaign.baseUrl;
        // Without --campaign, a campaign added with `duban init` while this runs is served within a minute.
        const { allCampaigns } = await import("../campaign/campaigns.ts");
        const discover = async (known: ReadonlySet<string>) => {
          const added = await Promise.all((await allCampaigns(store)).filter((x) => !known.has(x.record.id)).map((x) => Campaign.open(x.log)));
          for (const x of added) (warnOnOpen(x, io, g()), runtime.logger.hideContacts([...x.plan.units.values()].flatMap((u) => u.email)));
          return added;
        };
        server = await startServer({ campaigns: all, sidecar, port, host: hostAddr, metrics: runtime.metrics, maxOutboxAgeMs: settings.maxOutboxAgeMs, log: runtime.logger.log, ...(publicUrl ? { publicUrl } : {}), ...(fixed !== undefined ? { now: () => fixed } : {}), ...(g().campaign === undefined ? { discover } : {}) });
      } catch (err) {
        sidecar.close();
        await store.close();
        if (o.daemon) await runtime.notifiers.close();
        const code = (err as NodeJS.ErrnoException).code;
        if (code === "EADDRINUSE") throw new UsageError(`端口 ${port} 已被占用；请用 --port 换一个端口`, code, 1);
        if (code === "EADDRNOTAVAIL") throw new UsageError(`本机没有地址 ${hostAddr}；请检查 --host`, code, 1);
        throw err;
      }
      io.out(`督办工作台：${server.url}/  （${all.map((x) => x.plan.campaign.title).join("、")}${fixed !== undefined ? "；时钟固定为 --now" : ""}）`);
      // The daemon gets its own Campaign objects on the same store: appends are compare-and-swap, so the two
      // never decide from the same state, and the web's Campaigns fold the daemon's events as they go.
      let daemon: RunningStoreDaemon | undefined;
      let notifiers: NotifierSet | undefined;
      const log = runtime.logger.log;
      for (const x of all) runtime.logger.hideContacts([...x.plan.units.values()].flatMap((u) => u.email));
      log(`serve url=${server.url}`, { event: "serve", campaign: all.map((x) => x.plan.campaign.id).join(","), url: server.url });
      if (o.daemon) {
        const { cfg } = runtime;
        notifiers = runtime.notifiers;
        log(`daemon channels=${describeChannels(cfg)}`, { event: "start", campaign: all.map((x) => x.plan.campaign.id).join(",") });
        daemon = startStoreDaemon(store, notifiers, { log, observer: runtime.metrics, ...rules, ...(cfg.baseUrl ? { baseUrl: cfg.baseUrl } : {}), ...(fixed !== undefined ? { now: () => fixed } : {}), ...(g().campaign !== undefined ? { only: g().campaign } : {}) });
      }
      await new Promise<void>((resolve) => {
        const stop = () => void Promise.all([server.close(), daemon?.stop()]).then(() => resolve());
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
      await notifiers?.close();
      sidecar.close();
      await store.close();
    });
}

import { Command, CommanderError, Option } from "commander";
import { CampaignError } from "../campaign/errors.ts";
import { StoreError } from "../store/errors.ts";
import { applyPlanCommand, registerCampaignCommands, type GlobalOptions } from "./campaign-commands.ts";
import { registerDemoCommand } from "./demo-command.ts";
import { registerCampaignsCommand } from "./campaigns-command.ts";
import { checkCampaignTemplates, registerBulletinCommand, registerIcsCommand, registerScoreCommand, registerStatsCommand } from "./publish-commands.ts";
import { registerOutboxCommands } from "./outbox-commands.ts";
import { registerDraftCommand } from "./draft-command.ts";
import { registerImportCommand } from "./import-command.ts";
import { registerMarkCommand } from "./mark-command.ts";
import { registerItemCommands } from "./item-commands.ts";
import { registerRunCommand } from "./run-command.ts";
import { registerWebCommands } from "./web-commands.ts";
import { registerBackupCommand } from "./backup-command.ts";
import { checkSubPlan, loadPlanReporting, processIo, UsageError, type Io } from "./io.ts";
import { existsSync } from "node:fs";
import { cliLang, commanderErrorZh, helpConfiguration, type CliLang } from "./lang.ts";

/**
 * Builds the `duban` command line; every command is a thin wrapper over the library API. Each action
 * imports what it uses when it runs, so that `duban --help` and light commands start without the engine,
 * the drivers, the web server or the mailer.
 */
export function buildProgram(io: Io = processIo, lang: CliLang = "zh"): Command {
  let exit = 0;
  // Help and commander's own errors speak the office's language; configured before any subcommand, which inherits it.
  const program = new Command("duban")
    .description("督办 Duban: run a government campaign from a declarative plan file")
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s), outputError: (s, write) => write(lang === "zh" ? commanderErrorZh(s) : s) })
    .configureHelp(helpConfiguration(lang))
    .helpOption("-h, --help", "display help for command")
    .showHelpAfterError()
    .option("--db <path-or-url>", "the campaign store: a SQLite file, or postgres://… for a shared one", process.env.DUBAN_DB ?? "./duban.db")
    .option("--now <instant>", "set the clock (ISO 8601) for drills and tests; recorded with the events it produces")
    .option("--campaign <id>", "which campaign of the store (needed when it holds several; see duban campaigns)", process.env.DUBAN_CAMPAIGN)
    .option("--config <file>", "the host configuration file (DUBAN_CONFIG; default ./duban.config.yaml when it exists)")
    .addOption(new Option("--lang <lang>", "language of help and messages of the command line: zh (default) or en (also LANG=en*)").choices(["zh", "en"]));

  // The store named in duban.config.yaml serves every command, unless --db or DUBAN_DB names one.
  program.hook("preAction", async () => {
    const g = program.opts() as GlobalOptions;
    if (program.getOptionValueSource("db") === "cli" || process.env.DUBAN_DB) return;
    const file = g.config ?? process.env.DUBAN_CONFIG ?? (existsSync("duban.config.yaml") ? "duban.config.yaml" : undefined);
    if (!file) return;
    const [{ loadHostSettings, settingsErrorText }, { formatDiagnostic }] = await Promise.all([import("../ops/config.ts"), import("../plan/diagnostics.ts")]);
    const result = loadHostSettings({ file, secrets: false });
    if (!result.settings) {
      const lines = settingsErrorText(result, formatDiagnostic);
      for (const l of lines.slice(0, -1)) io.err(l);
      throw new UsageError(lines.at(-1)!, "CONFIG", 1);
    }
    if (result.settings.db) program.setOptionValue("db", result.settings.db);
  });

  program
    .command("validate")
    .description("check a plan file: every problem as file:line:col, or a one-screen summary")
    .argument("<plan>", "plan file (YAML)")
    .option("--parent <plan>", "a sub-plan: check it against its parent campaign's plan file (item or unit, deadlines inside its window)")
    .action(async (file: string, opts: { parent?: string }) => {
      const plan = await loadPlanReporting(file, io);
      if (!plan) return void (exit = 1);
      if (opts.parent !== undefined && !(await checkSubPlan(file, plan, opts.parent, io))) return void (exit = 1);
      if (!(await checkCampaignTemplates(file, io))) return void (exit = 1);
      const { planSummary } = await import("../present/plan-text.ts");
      io.out(planSummary(plan));
    });

  program
    .command("plan")
    .description("show the resolved plan: every assignment with its concrete due instant; `plan apply <plan>` changes a running campaign's plan")
    .argument("<plan>", 'plan file (YAML), or "apply"')
    .argument("[file]", "with apply: the new plan file")
    .option("--json", "same as --format json")
    .addOption(new Option("--format <format>", "output format").choices(["table", "json", "mermaid"]).default("table"))
    .option("--yes", "with apply: carry the change out (without it, only show what would change)")
    .option("--reopen-submitted", "with apply: a moved deadline also reopens submitted and accepted items")
    .option("--note <text>", "with apply: why the plan changed (recorded)")
    .option("--as <unit-or-person>", "with apply: who changes it (recorded)")
    .action(async (file: string, next: string | undefined, opts: { json?: boolean; format: string; yes?: boolean; reopenSubmitted?: boolean; note?: string; as?: string }) => {
      if (file === "apply") {
        if (!next) throw new UsageError("plan apply 需要指定新的计划文件：duban plan apply <plan> [--yes]", "USAGE");
        if (!(await loadPlanReporting(next, io))) return void (exit = 1);
        exit = await applyPlanCommand(program.opts() as GlobalOptions, next, opts, io);
        return;
      }
      const plan = await loadPlanReporting(file, io);
      if (!plan) return void (exit = 1);
      const [{ planToJson }, { planMermaid, planTable }] = await Promise.all([import("../present/plan-json.ts"), import("../present/plan-text.ts")]);
      const format = opts.json ? "json" : opts.format;
      if (format === "json") io.out(JSON.stringify(planToJson(plan), null, 2));
      else if (format === "mermaid") io.out(planMermaid(plan));
      else io.out(planTable(plan));
    });

  program
    .command("simulate")
    .description("play the whole campaign on a virtual clock: reminders, escalations, and what actions change")
    .argument("<plan>", "plan file (YAML)")
    .option("--from <date>", "first day shown (YYYY-MM-DD); the campaign still runs from its start")
    .option("--to <date>", "last day simulated (YYYY-MM-DD)")
    .option("--actions <file>", "actions file: who submits/accepts/returns/extends/waives what, when")
    .option("--json", "machine-readable timeline: {from, to, entries: [{at, kind, ...}]}")
    .option("--verbose", "also list openings, due-soon marks and each recipient's digest")
    .action(async (file: string, opts: { from?: string; to?: string; actions?: string; json?: boolean; verbose?: boolean }) => {
      const plan = await loadPlanReporting(file, io);
      if (!plan) return void (exit = 1);
      const [{ addDays, isRealDate, localInstant }, { formatDiagnostic }, { loadActionsFile }, { simulate }, { timelineText }] = await Promise.all([
        import("../engine/calendar.ts"),
        import("../plan/diagnostics.ts"),
        import("../simulate/actions-file.ts"),
        import("../simulate/simulate.ts"),
        import("../present/timeline-text.ts"),
      ]);
      const zone = plan.campaign.timezone;
      const day = (d: string | undefined, flag: string, next: boolean) => {
        if (d === undefined) return undefined;
        if (!isRealDate(d)) throw new UsageError(`${flag} ${d}：不是有效日期；请写成 YYYY-MM-DD，例如 2021-05-20`, "BAD_DATE");
        return localInstant(next ? addDays(d, 1) : d, "00:00", zone) - (next ? 1000 : 0);
      };
      let actions;
      if (opts.actions) {
        const loaded = loadActionsFile(opts.actions, plan);
        for (const d of loaded.diagnostics) io.err(formatDiagnostic(d));
        if (!loaded.actions) return void (exit = 1);
        actions = loaded.actions;
      }
      const timeline = simulate(plan, { from: day(opts.from, "--from", false), to: day(opts.to, "--to", true), actions, verbose: opts.verbose });
      io.out(opts.json ? JSON.stringify(timeline, null, 2) : timelineText(plan, timeline));
    });

  registerCampaignCommands(program, io, (code) => void (exit = code));
  registerCampaignsCommand(program, io);
  registerRunCommand(program, io);
  registerOutboxCommands(program, io, (code) => void (exit = code));
  registerDemoCommand(program, io);
  registerWebCommands(program, io);
  registerStatsCommand(program, io);
  registerIcsCommand(program, io);
  registerScoreCommand(program, io);
  registerBulletinCommand(program, io);
  registerMarkCommand(program, io);
  registerItemCommands(program, io, (code) => void (exit = code));
  registerImportCommand(program, io, (code) => void (exit = code));
  registerDraftCommand(program, io, (code) => void (exit = code));
  registerBackupCommand(program, io);

  program.hook("postAction", () => {
    process.exitCode = exit;
  });
  return program;
}

function isSystemError(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return typeof code === "string" && /^E[A-Z]+$/.test(code);
}

/** Runs the CLI; returns the exit status. User mistakes print one line, never a stack trace. */
export async function main(argv: string[], io: Io = processIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const program = buildProgram(io, cliLang(argv.slice(2), env));
  process.exitCode = 0;
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    if (err instanceof UsageError) {
      io.err(`duban: ${err.message}`);
      return err.exitCode;
    }
    // A command that opened a campaign outside withStore (demo) still reports its plan or store mistake as text.
    if (err instanceof CampaignError) {
      io.err(`duban: ${err.message}`);
      return 1;
    }
    // The store or the network said no (refused connection, locked file, newer schema): one line, no stack.
    if (err instanceof StoreError || isSystemError(err)) {
      const e = err as Error & { code?: string };
      io.err(`duban: 无法使用存储或网络：${e.message}${e.code ? ` [${e.code}]` : ""}`);
      return 2;
    }
    throw err;
  }
}

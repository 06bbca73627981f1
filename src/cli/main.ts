import { Command, CommanderError, Option } from "commander";
import { CampaignError } from "../campaign/errors.ts";
import { StoreError } from "../store/errors.ts";
import type { GlobalOptions } from "./campaign-commands.ts";
import { checkSubPlan, loadPlanReporting, processIo, UsageError, type Io } from "./io.ts";
import { existsSync } from "node:fs";
import { cliLang, commanderErrorZh, helpConfiguration, type CliLang } from "./lang.ts";

type Register = (program: Command, io: Io, setExit: (code: number) => void) => void;

/**
 * The modules that add commands, with the top-level commands each adds, in the order help lists them. A
 * command line loads only the module of the command it runs: loading every module's imports was a tenth of
 * a `status --overdue` on a national store. Help, an unknown command (for commander's "did you mean") and
 * no command load them all. test/cli/command-modules.test.ts checks these lists against what each adds.
 */
export const COMMAND_MODULES: readonly { commands: readonly string[]; load: () => Promise<Register[]> }[] = [
  { commands: ["init", "submit", "accept", "return", "extend", "waive", "recall", "tick", "status", "history", "replay", "verify", "export"], load: async () => [(await import("./campaign-commands.ts")).registerCampaignCommands] },
  { commands: ["campaigns"], load: async () => [(await import("./campaigns-command.ts")).registerCampaignsCommand] },
  { commands: ["run"], load: async () => [(await import("./run-command.ts")).registerRunCommand] },
  { commands: ["outbox"], load: async () => [(await import("./outbox-commands.ts")).registerOutboxCommands] },
  { commands: ["demo"], load: async () => [(await import("./demo-command.ts")).registerDemoCommand] },
  { commands: ["users", "serve"], load: async () => [(await import("./web-commands.ts")).registerWebCommands] },
  {
    commands: ["stats", "ics", "score", "bulletin"],
    load: async () => {
      const m = await import("./publish-commands.ts");
      return [m.registerStatsCommand, m.registerIcsCommand, m.registerScoreCommand, m.registerBulletinCommand];
    },
  },
  { commands: ["mark"], load: async () => [(await import("./mark-command.ts")).registerMarkCommand] },
  { commands: ["open", "urge", "acknowledge", "withdraw"], load: async () => [(await import("./item-commands.ts")).registerItemCommands] },
  { commands: ["import"], load: async () => [(await import("./import-command.ts")).registerImportCommand] },
  { commands: ["draft"], load: async () => [(await import("./draft-command.ts")).registerDraftCommand] },
  { commands: ["backup"], load: async () => [(await import("./backup-command.ts")).registerBackupCommand] },
];

/** The commands buildProgram defines itself. */
const INLINE_COMMANDS = new Set(["validate", "plan", "simulate"]);

/** The program's options that take a value (see buildProgram): the word after one is its value, never the command. */
const VALUED = new Set(["--db", "--now", "--campaign", "--config", "--lang"]);

/**
 * The command an argument list runs: its first word that is no program option nor an option's value.
 * Undefined when an option before it is none of the program's (commander then reports it, with every command loaded).
 */
export function commandOf(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (VALUED.has(a)) i++;
    else if (a.startsWith("--") && VALUED.has(a.slice(0, a.indexOf("=")))) continue;
    else if (a.startsWith("-")) return undefined;
    else return a;
  }
  return undefined;
}

/**
 * Builds the `duban` command line; every command is a thin wrapper over the library API. Each action
 * imports what it uses when it runs, so that `duban --help` and light commands start without the engine,
 * the drivers, the web server or the mailer. With `command`, only the commands of its module are added
 * (see COMMAND_MODULES).
 */
export async function buildProgram(io: Io = processIo, lang: CliLang = "zh", command?: string): Promise<Command> {
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
      if (!(await (await import("./publish-commands.ts")).checkCampaignTemplates(file, io))) return void (exit = 1);
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
        exit = await (await import("./campaign-commands.ts")).applyPlanCommand(program.opts() as GlobalOptions, next, opts, io);
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

  // validate, plan and simulate are defined above and need no module; help, an unknown command or none load all.
  const wanted = command !== undefined ? COMMAND_MODULES.filter((m) => m.commands.includes(command)) : [];
  const inline = command !== undefined && INLINE_COMMANDS.has(command);
  for (const m of inline ? [] : wanted.length ? wanted : COMMAND_MODULES) for (const register of await m.load()) register(program, io, (code) => void (exit = code));

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
  const program = await buildProgram(io, cliLang(argv.slice(2), env), commandOf(argv.slice(2)));
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

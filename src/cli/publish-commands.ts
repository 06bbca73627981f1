import { createWriteStream } from "node:fs";
import { rename, rm, writeFile } from "node:fs/promises";
import { finished } from "node:stream/promises";
import { Option, type Command } from "commander";
import type { Campaign } from "../campaign/campaign.ts";
import { formatInstant, type EpochMs } from "../engine/calendar.ts";
import type { PublishedState } from "../publish/items.ts";
import { parseAsOf, publishedAsOf, publishedNow, PublishError } from "../publish/source.ts";
import { publishedStatistics } from "../publish/stats-scored.ts";
import { GROUPING_NAMES, type Grouping } from "../publish/stats.ts";
import { statsCsv, statsTable } from "../publish/stats-text.ts";
import { clockOf, warnOnOpen, withStore, type GlobalOptions } from "./campaign-commands.ts";
import { UsageError, type Io } from "./io.ts";
import { campaignUrl } from "../reminders/format.ts";

/** What the office publishes: statistics, the 台账 and the calendar feed, each as of any instant. */

/** Opens the campaign and gives the state at `--as-of` (from the log) or now (as `status` sees it). */
async function openState(g: GlobalOptions, io: Io, asOfText: string | undefined, fn: (c: Campaign, s: PublishedState) => Promise<void>): Promise<void> {
  await withStore(g, async (store) => {
    const c = await (await import("../campaign/campaign.ts")).Campaign.open(store);
    warnOnOpen(c, io, g);
    const zone = c.plan.campaign.timezone;
    try {
      let state: PublishedState;
      if (asOfText !== undefined) state = await publishedAsOf(c, parseAsOf(asOfText, zone));
      else {
        const now: EpochMs = g.now !== undefined ? clockOf(g, zone).now : Math.max(c.clock, c.plan.campaign.startAt);
        state = publishedNow(c, now, await (await import("../publish/light-marks.ts")).marksAt(c, now));
      }
      await fn(c, state);
    } catch (err) {
      if (err instanceof PublishError) throw new UsageError(err.message, err.code, 1);
      throw err;
    }
  });
}

export function registerStatsCommand(program: Command, io: Io): void {
  const g = () => program.opts() as GlobalOptions;
  program
    .command("stats")
    .description("statistics per unit, task, phase or deliverable: on time, late, overdue, returned, extended, waived, rates")
    .option("--as-of <instant>", "as of this instant, computed from the log alone (default: now)")
    .addOption(new Option("--by <grouping>", "group by").choices(GROUPING_NAMES).default("unit"))
    .addOption(new Option("--format <format>", "output format").choices(["table", "json", "csv"]).default("table"))
    .action(async (o: { asOf?: string; by: Grouping; format: "table" | "json" | "csv" }) => {
      await openState(g(), io, o.asOf, async (_c, state) => {
        const s = publishedStatistics(state, o.by);
        io.out(o.format === "json" ? JSON.stringify(s, null, 2) : o.format === "csv" ? statsCsv(s) : statsTable(s));
      });
    });
}

export function registerScoreCommand(program: Command, io: Io): void {
  const g = () => program.opts() as GlobalOptions;
  program
    .command("score")
    .description("考评: each unit's points under the plan's scoring rules, ranked; as of an instant, under the rules in force then")
    .option("--as-of <instant>", "as of this instant, computed from the log alone (default: now)")
    .addOption(new Option("--format <format>", "output format").choices(["table", "json", "csv"]).default("table"))
    .action(async (o: { asOf?: string; format: "table" | "json" | "csv" }) => {
      await openState(g(), io, o.asOf, async (_c, state) => {
        const { scores } = await import("../publish/score.ts");
        const { scoreCsv, scoreTable } = await import("../publish/score-text.ts");
        const s = scores(state);
        io.out(o.format === "json" ? JSON.stringify(s, null, 2) : o.format === "csv" ? scoreCsv(s) : scoreTable(s));
      });
    });
}

export function registerBulletinCommand(program: Command, io: Io): void {
  const g = () => program.opts() as GlobalOptions;
  program
    .command("bulletin")
    .description("a 通报 (or, with --kind report, the office's report to the bureau) as a .docx: statistics, late units and items, commended units, scores")
    .option("--as-of <instant>", "as of this instant, computed from the log alone (default: now)")
    .option("--from <instant>", "the period begins here (default: the campaign's start)")
    .addOption(new Option("--kind <kind>", "which document").choices(["bulletin", "report"]).default("bulletin"))
    .option("--templates <dir>", "the campaign's template folder (default: templates/ beside the plan file)")
    .option("-o, --out <file>", "write the document here (default: <campaign>-通报-<date>.docx)")
    .action(async (o: { asOf?: string; from?: string; kind: "bulletin" | "report"; templates?: string; out?: string }) => {
      await openState(g(), io, o.asOf, async (c, state) => {
        const { publishDocument, templateDirOf } = await import("../publish/bulletin.ts");
        const from = o.from !== undefined ? parseAsOf(o.from, c.plan.campaign.timezone, "--from") : undefined;
        const doc = await publishDocument(state, { kind: o.kind, ...(from !== undefined ? { from } : {}), templateDir: o.templates ?? (await templateDirOf(c, state)) });
        const file = o.out ?? doc.name;
        try {
          await writeFile(file, doc.bytes);
        } catch (err) {
          throw new UsageError(`--out ${file}：无法写入（${(err as NodeJS.ErrnoException).code ?? String(err)}）；请检查路径和权限`, "FILE_UNWRITABLE", 1);
        }
        io.out(`${o.kind === "report" ? "报告" : "通报"}已写入 ${file}（截至 ${formatInstant(state.asOf, c.plan.campaign.timezone)}）`);
      });
    });
}

/**
 * `validate`: a campaign's own document templates (templates/ beside the plan) use only placeholders the
 * documents have; each problem as file:line:col. True when there is nothing to report.
 */
export async function checkCampaignTemplates(planFile: string, io: Io): Promise<boolean> {
  const { existsSync, readFileSync } = await import("node:fs");
  const { join } = await import("node:path");
  const { campaignTemplateDir } = await import("../publish/bulletin.ts");
  const { checkDocumentTemplate, DOCUMENT_KINDS } = await import("../publish/doc-template.ts");
  let ok = true;
  for (const name of Object.values(DOCUMENT_KINDS)) {
    const file = join(campaignTemplateDir(planFile), name);
    if (!existsSync(file)) continue;
    for (const p of checkDocumentTemplate(file, readFileSync(file, "utf8"))) {
      io.err(`${p.file}:${p.line}:${p.col}: error[TEMPLATE_PLACEHOLDER]: ${p.message}`);
      ok = false;
    }
  }
  return ok;
}

/**
 * `duban export --format xlsx`: the 台账 as a workbook. Written to a temporary name and renamed when
 * complete, so a half-written file never stands under the name the office opens.
 */
export async function exportLedgerCommand(g: GlobalOptions, o: { asOf?: string; out?: string }, io: Io): Promise<void> {
  await openState(g, io, o.asOf, async (c, state) => {
    const { writeLedger } = await import("../publish/ledger-xlsx.ts");
    const day = formatInstant(state.asOf, c.plan.campaign.timezone).slice(0, 10);
    const file = o.out ?? `${c.plan.campaign.id}-台账-${day}.xlsx`;
    const tmp = `${file}.part`;
    const out = createWriteStream(tmp);
    try {
      await writeLedger(state, out);
      await finished(out);
      await rename(tmp, file);
    } catch (err) {
      out.destroy();
      await rm(tmp, { force: true });
      if ((err as NodeJS.ErrnoException).code?.startsWith("E")) throw new UsageError(`--out ${file}：无法写入（${(err as NodeJS.ErrnoException).code}）；请检查路径和权限`, "FILE_UNWRITABLE", 1);
      throw err;
    }
    io.out(`台账已写入 ${file}（截至 ${formatInstant(state.asOf, c.plan.campaign.timezone)}，${state.items.length} 项）`);
  });
}

export function registerIcsCommand(program: Command, io: Io): void {
  const g = () => program.opts() as GlobalOptions;
  program
    .command("ics")
    .description("a unit's calendar feed (iCalendar): every deadline it owes, with alarms at its reminders; or issue/revoke its feed token")
    .requiredOption("--unit <unit>", "the unit")
    .option("--as-of <instant>", "as of this instant, from the log alone (default: now)")
    .option("--out <file>", "write the feed to this file instead of standard output")
    .option("--issue-token", "issue a read-only feed token for the unit (replaces the previous one) and print its URL")
    .option("--revoke-token", "revoke the unit's feed token: its URL stops working at once")
    .option("--as <unit-or-person>", "with --issue-token/--revoke-token: who does it (recorded)")
    .action(async (o: { unit: string; asOf?: string; out?: string; issueToken?: boolean; revokeToken?: boolean; as?: string }) => {
      const { FeedLog, issueFeedToken, revokeFeedToken } = await import("../publish/feed-log.ts");
      if (o.issueToken || o.revokeToken) {
        await withStore(g(), async (store) => {
          const c = await (await import("../campaign/campaign.ts")).Campaign.open(store);
          const plan = c.plan;
          if (!plan.units.has(o.unit)) throw new UsageError(`--unit ${o.unit}：计划中没有这个单位；请使用计划中的单位 id`, "UNKNOWN_REF", 1);
          const { now } = clockOf(g(), plan.campaign.timezone);
          if (o.as !== undefined && !plan.units.has(o.as)) throw new UsageError(`--as ${o.as}：计划中没有这个单位或人员`, "UNKNOWN_ACTOR", 1);
          const actor = o.as ? { kind: "unit" as const, unit: o.as } : undefined;
          if (o.revokeToken) {
            const log = new FeedLog();
            await log.catchUp(store, plan.campaign.timezone);
            if (!log.hasToken(o.unit)) throw new UsageError(`${o.unit} 没有有效的日历订阅令牌，无需停用`, "NO_FEED_TOKEN", 1);
            await revokeFeedToken(c, o.unit, now, actor);
            return io.out(`已停用${plan.units.get(o.unit)!.name}的日历订阅令牌；原订阅地址即刻失效`);
          }
          const token = await issueFeedToken(c, o.unit, now, actor);
          const base = (plan.campaign.baseUrl ?? process.env.DUBAN_BASE_URL ?? "http://127.0.0.1:8080").replace(/\/+$/, "");
          io.out(`${plan.units.get(o.unit)!.name}的日历订阅地址（只读，仅显示这一次；此前的地址已失效）：`);
          // The feed names its campaign: the store's one web front serves them all, and the token is this campaign's.
          io.out(`${campaignUrl(plan, base, `units/${encodeURIComponent(o.unit)}/calendar.ics`)}&token=${token}`);
        });
        return;
      }
      await openState(g(), io, o.asOf, async (c, state) => {
        if (!c.plan.units.has(o.unit)) throw new UsageError(`--unit ${o.unit}：计划中没有这个单位；请使用计划中的单位 id`, "UNKNOWN_REF", 1);
        const { unitFeedIcs } = await import("../publish/calendar-feed.ts");
        const log = new FeedLog();
        await log.catchUp(c.store, c.plan.campaign.timezone);
        const text = await unitFeedIcs(state, o.unit, (id) => log.planMoves(id, state.asOf));
        if (o.out) {
          try {
            await writeFile(o.out, text);
          } catch (err) {
            throw new UsageError(`--out ${o.out}：无法写入（${(err as NodeJS.ErrnoException).code ?? String(err)}）；请检查路径和权限`, "FILE_UNWRITABLE", 1);
          }
          io.out(`日历已写入 ${o.out}`);
        } else io.out(text);
      });
    });
}

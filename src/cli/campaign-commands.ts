import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import type { Command } from "commander";
import type * as CampaignModule from "../campaign/campaign.ts";
import type { CatchUp, PlanDiff } from "../campaign/campaign.ts";
import type * as CampaignsModule from "../campaign/campaigns.ts";
import { missingHolidayDataZh } from "../present/calendar-note.ts";
import { formatInstant, formatLocal, isRealDate, parseInstant, type EpochMs } from "../engine/calendar.ts";
import type { Actor, Attachment, UnitAction } from "../engine/types.ts";
import { deferralZh, deliveryCountsZh, eventZh, LIGHT_ZH, reminderReasonZh } from "../text/labels.ts";
import type { EventStore } from "../store/store.ts";
import type { StoredEvent } from "../store/types.ts";
import { boardText, redListText } from "./format-board.ts";
import { recipientName, unitList, unitName } from "../present/plan-text.ts";
import { UNIT_FIELD_ZH } from "../plan/unit-changes.ts";
import { dueLocalZh } from "../present/due-note.ts";
import type { ResolvedPlan } from "../plan/types.ts";
import { UsageError, type Io } from "./io.ts";
import { isOutstanding, type ProgressState } from "../model/states.ts";

export interface GlobalOptions {
  db: string;
  now?: string;
  /** duban.config.yaml (or DUBAN_CONFIG); read by run and serve, and for --db by every command. */
  config?: string;
  lang?: string;
  /** Which campaign of the store; needed only when the store holds several. */
  campaign?: string;
}

/** `--now` sets the clock for drills and tests; it is recorded with every event it produces. */
export function clockOf(opts: GlobalOptions, zone = "Asia/Shanghai"): { now: EpochMs; extra?: Record<string, unknown> } {
  if (opts.now === undefined) return { now: Date.now() };
  const now = parseInstant(opts.now, zone);
  if (Number.isNaN(now)) throw new UsageError(`--now ${opts.now}：不是有效时刻；请写 ISO 8601 时刻，例如 2021-05-21T09:00+08:00`, "BAD_DATE");
  return { now, extra: { clock: "set" } };
}

/** Says so when the holiday data changed under a running campaign: never a silent change of deadlines. */
export function warnCalendarDrift(c: CampaignModule.Campaign, io: Io): void {
  const d = c.calendarDrift();
  if (!d) return;
  const shown = d.dates.slice(0, 10).join("、") + (d.dates.length > 10 ? ` 等 ${d.dates.length} 天` : "");
  io.err(`注意：节假日数据已更新（${d.source} → ${d.current}，涉及 ${shown}）。本专项行动仍按原数据计算截止时间；核对后运行 duban plan apply <计划文件> 应用新数据。`);
}

/**
 * What every command that opens a campaign says first: holiday data that changed under it, and a clock
 * that has run past the years the holiday data covers.
 */
export function warnOnOpen(c: CampaignModule.Campaign, io: Io, opts: GlobalOptions): void {
  warnCalendarDrift(c, io);
  const { now } = clockOf(opts, c.plan.campaign.timezone);
  const note = missingHolidayDataZh(c.calendar, c.calendar.dateOf(Math.max(now, c.clock)));
  if (note) io.err(note);
}

/**
 * One line when a step caught up more than a few working days at once (a store left alone, a first
 * command long after `init`): how many days and how many of the engine's events it recorded in one go.
 */
export function announceCatchUp(c: CampaignModule.Campaign, lag: CatchUp | undefined, io: Io): void {
  if (!lag) return;
  const zone = c.plan.campaign.timezone;
  io.err(`补记：本次一并补上自 ${formatLocal(lag.from, zone)} 以来 ${lag.workingDays} 个工作日的截止、提醒与督办，共 ${lag.events} 条事件；演练时请用 --now 逐日推进时钟`);
}

// The engine loads with the first store a command opens (withStore), not at every start: `duban --help`
// needs none. The plan language loads only where a plan is resolved (see Campaign's loader).
let Campaign: typeof CampaignModule.Campaign;
let CampaignError: typeof CampaignModule.CampaignError;

/** Runs fn on the log of the campaign the command means (--campaign, or the store's only one). */
export async function withStore<T>(opts: GlobalOptions, fn: (store: EventStore) => Promise<T>): Promise<T> {
  return withWholeStore(opts, async (store) => fn((await campaigns.campaignOf(store, opts.campaign)).log));
}

let campaigns: typeof CampaignsModule;

/**
 * Runs fn on the log of each campaign the command means: with --all-campaigns every campaign of the store
 * in the order they were added (a store of one campaign, or none yet, gives that one log), else the one
 * --campaign names (or the store's only one). `several` says whether output needs campaign labels.
 */
async function withEachCampaign(opts: GlobalOptions, all: boolean | undefined, fn: (log: EventStore, id: string, several: boolean) => Promise<void>): Promise<void> {
  if (all && opts.campaign !== undefined) throw new UsageError("--all-campaigns 与 --campaign 不能同时使用", "USAGE", 2);
  await withWholeStore(opts, async (store) => {
    const which = all ? await campaigns.allCampaigns(store) : [];
    if (which.length === 0) which.push(await campaigns.campaignOf(store, opts.campaign));
    for (const { record, log } of which) await fn(log, record.id, which.length > 1);
  });
}

/** Runs fn on the store as a whole: every campaign it holds (init, campaigns, verify of all chains). */
export async function withWholeStore<T>(opts: GlobalOptions, fn: (store: EventStore) => Promise<T>): Promise<T> {
  const [campaign, { openStore }, registry, { resolvedPlansBeside }] = await Promise.all([
    import("../campaign/campaign.ts"),
    import("../store/open.ts"),
    import("../campaign/campaigns.ts"),
    import("../campaign/resolved-cache.ts"),
  ]);
  ({ Campaign, CampaignError } = campaign);
  campaigns = registry;
  const store = await openStore(opts.db);
  // Every campaign this command opens takes its plan versions resolved by an earlier command, when they are kept.
  campaign.useResolvedPlans(resolvedPlansBeside(opts.db));
  try {
    return await fn(store);
  } catch (err) {
    if (err instanceof CampaignError) throw new UsageError(err.message, err.code, 1);
    throw err;
  } finally {
    campaign.useResolvedPlans(undefined);
    await store.close();
  }
}

function actorOf(as: string): Actor {
  return { kind: "unit", unit: as };
}

function attachment(file: string): Attachment {
  try {
    const bytes = readFileSync(file);
    return { name: basename(file), sha256: createHash("sha256").update(bytes).digest("hex"), size: bytes.length };
  } catch (err) {
    throw new UsageError(`--attach ${file}：无法读取文件（${(err as NodeJS.ErrnoException).code ?? String(err)}）；请检查文件路径`, "FILE_UNREADABLE");
  }
}

function describe(e: StoredEvent, plan: ResolvedPlan): string {
  const who = e.actor.kind === "engine" ? "系统" : e.actor.kind === "person" ? unitName(plan, e.actor.person) : unitName(plan, e.actor.unit);
  const p = e.payload as Record<string, unknown>;
  const item = p.item as { title?: string; unit?: string; members?: string[]; dueAt?: string; opened?: { level?: string; note?: string } } | undefined;
  const opening = item ? `“${item.title}” 承办：${(item.members ?? [item.unit ?? ""]).map((u) => unitName(plan, u)).join("、")}；截止：${item.dueAt ?? "不设"}；${item.opened?.level ?? ""}` : "";
  const extra = [opening, p.note ? `备注：${p.note}` : "", item?.opened?.note ? `备注：${item.opened.note}` : "", p.report === "interim" ? `下次续报截止：${String(p.nextDueAt)}` : "", p.until ? `新截止：${String(p.until)}` : "", Array.isArray(p.recipients) ? `告知：${(p.recipients as string[]).map((r) => recipientName(plan, r)).join("、")}` : "", p.late ? "逾期报送" : "", typeof p.reason === "string" && e.type !== "reminded" ? `${p.light === "red" || p.light === "yellow" ? LIGHT_ZH[p.light] : ""}原因：${p.reason}` : ""]
    .filter(Boolean)
    .join("；");
  const why = deferralZh(p.deferred) + (e.type === "reminded" ? reminderReasonZh(p.reason) : "");
  const late = typeof p.scheduledAt === "string" ? `（按计划应在 ${p.scheduledAt}，记录时补记）` : "";
  return `#${e.seq}  ${e.at}${late}  ${eventZh(e.type, p)}${why}  ${who}${extra ? `  ${extra}` : ""}`;
}

export function registerCampaignCommands(program: Command, io: Io, setExit: (code: number) => void): void {
  const g = () => program.opts() as GlobalOptions;

  program
    .command("init")
    .description("create the store for a campaign and record its plan version; on a store that has campaigns, add this plan's campaign beside them")
    .argument("<plan>", "plan file (YAML)")
    .option("--archive", "record a campaign that has already ended (without it, an ended campaign is refused)")
    .option("--warn-ahead <days>", "warn when the campaign starts more than this many days from now", "90")
    .action(async (file: string, o: { archive?: boolean; warnAhead: string }) => {
      const { now } = clockOf(g());
      const aheadDays = Number(o.warnAhead);
      if (!(aheadDays >= 0)) throw new UsageError(`--warn-ahead ${o.warnAhead}：请写不小于 0 的天数，例如 90`, "BAD_OPTION");
      await withWholeStore(g(), async (store) => {
        const before = (await store.campaigns()).length;
        const c = await campaigns.addCampaign(store, file, now, { archive: o.archive ?? false, aheadDays, onWarning: (w) => io.err(w.message) });
        warnOnOpen(c, io, g());
        const after = (await store.campaigns()).length;
        const more = after > 1 ? `；此存储现有 ${after} 个专项行动，命令请加 --campaign ${c.plan.campaign.id}` : "";
        // The id only where it tells something: beside another campaign, it is what --campaign names.
        io.out(`${after > before ? "已建立" : "已在运行"}专项行动“${c.plan.campaign.title}”${after > 1 ? `（${c.plan.campaign.id}）` : ""}：${c.plan.assignments.length} 条责任事项；版本 ${c.plan.hash.slice(0, 12)}；存储 ${g().db}${more}`);
      });
    });

  const verbs: { name: UnitAction["type"]; zh: string; help: string }[] = [
    { name: "submit", zh: "报送", help: "hand in an assignment (only the owing unit)" },
    { name: "accept", zh: "通过", help: "accept a submission (the recipient, the task's lead unit or the office)" },
    { name: "return", zh: "退回", help: "return a submission for rework (the recipient, the task's lead unit or the office)" },
    { name: "extend", zh: "延期", help: "move an assignment's due date (the office or the task's lead unit); needs --until" },
    { name: "waive", zh: "免报", help: "waive an assignment (the office)" },
    { name: "recall", zh: "撤回", help: "take back a submission still waiting for review, to correct it (the unit that handed it in)" },
  ];
  for (const v of verbs) {
    const cmd = program
      .command(v.name)
      .description(v.help)
      .argument("<assignment>", "assignment id, e.g. implementation-plan/yuzhong (see duban plan)")
      .requiredOption("--as <unit-or-person>", "who acts: a unit or person id from the plan")
      .option("--note <text>", "a note recorded with the action");
    if (v.name === "submit") cmd.option("--attach <file...>", "files handed in (recorded by name, size and SHA-256)").option("--final", "of a 一事一报 item: this is the final report (终报); without it, an interim one (续报)");
    if (v.name === "extend") cmd.requiredOption("--until <date>", "the new due date (YYYY-MM-DD, due at the plan's due time) or instant");
    cmd.action(async (id: string, o: { as: string; note?: string; attach?: string[]; until?: string; final?: boolean }) => {
      await withStore(g(), async (store) => {
        const c = await Campaign.open(store);
        warnOnOpen(c, io, g());
        const zone = c.plan.campaign.timezone;
        const { now, extra } = clockOf(g(), zone);
        const base = { assignment: id, actor: actorOf(o.as), ...(o.note !== undefined ? { note: o.note } : {}) };
        let action: UnitAction;
        if (v.name === "extend") {
          const u = o.until!;
          const until = parseInstant(isRealDate(u) ? `${u}T${c.plan.calendar.dueAt}` : u, zone);
          if (Number.isNaN(until)) throw new UsageError(`--until ${u}：不是有效日期；请写成 YYYY-MM-DD，例如 2021-06-25`, "BAD_DATE");
          action = { type: "extend", ...base, until };
        } else if (v.name === "submit") action = { type: "submit", ...base, ...(o.attach ? { attachments: o.attach.map(attachment) } : {}), ...(o.final ? { final: true } : {}) };
        else action = { type: v.name, ...base } as UnitAction;
        const r = await c.step(action, now, extra);
        if (r.refused) {
          io.err(`拒绝${v.zh}：${r.refused.message} [${r.refused.code}]`);
          return setExit(1);
        }
        announceCatchUp(c, c.largeCatchUp(r.events, now), io);
        const mine = r.events.find((e) => e.assignment === id && e.actor.kind !== "engine");
        io.out(`已${v.zh}：${id}（第 ${mine?.seq} 条，${mine?.at}）`);
      });
    });
  }

  program
    .command("tick")
    .description("apply every deadline, reminder and escalation due up to now, and queue the reminders")
    .action(async () => {
      await withStore(g(), async (store) => {
        const c = await Campaign.open(store);
        warnOnOpen(c, io, g());
        const { now } = clockOf(g(), c.plan.campaign.timezone);
        const r = await c.tick(now);
        announceCatchUp(c, c.largeCatchUp(r.events, now), io);
        io.out(`${formatInstant(now, c.plan.campaign.timezone)}：${r.events.length} 条事件，${r.reminders.length} 条待发提醒`);
      });
    });

  program
    .command("status")
    .description("the board: per deliverable and unit, state, due date, days late, ladder level")
    .option("--unit <unit>", "only this unit's items (a joint item's every member)")
    .option("--kind <kind>", "only items of this kind opened at run time (see the plan's kinds:); plan for the plan's own")
    .option("--overdue", "only items that are late")
    .option("--light <colour>", "only items with this light: red (the 红灯清单: by ladder level, then days late), yellow, green, none")
    .option("--json", "machine-readable")
    .action(async (o: { unit?: string; kind?: string; overdue?: boolean; light?: string; json?: boolean }) => {
      await withStore(g(), async (store) => {
        const c = await Campaign.open(store);
        warnOnOpen(c, io, g());
        const zone = c.plan.campaign.timezone;
        const head = await store.head();
        const last = head.at !== undefined ? parseInstant(head.at, zone) : -Infinity;
        const { now } = g().now !== undefined ? clockOf(g(), zone) : { now: Math.max(c.clock, last, c.plan.campaign.startAt) };
        if (o.unit !== undefined && !c.plan.units.has(o.unit)) throw new UsageError(`--unit ${o.unit}：计划中没有这个单位；请使用计划中的单位 id`, "UNKNOWN_REF", 1);
        const { byUrgency, lightRows, parseLight } = await import("../publish/light.ts");
        const wanted = o.light === undefined ? undefined : parseLight(o.light);
        if (o.light !== undefined && wanted === undefined) throw new UsageError(`--light ${o.light}：灯色应为 red（红灯）、yellow（黄灯）、green（绿灯）或 none（无截止时间）`, "BAD_LIGHT", 1);
        // Before the log's last event, the board is the one the log gave at that instant (as `replay --as-of`),
        // never today's states with that instant's lateness.
        const past = now < last ? await c.boardAsOf(now) : undefined;
        // The office's marks as the log had them at that instant, so a past board's lights replay too.
        const marks = await (await import("../publish/light-marks.ts")).marksAt(c, now);
        // The sub-plans under this campaign, as they stand now (a past board shows none: their logs are their own).
        const subPlans = past ? [] : await new (await import("../campaign/subplans.ts")).SubPlans(store, c.plan.campaign.id).all(now);
        const { withRollups } = await import("../campaign/subplans.ts");
        // --overdue builds the rows of the overdue items only (the filter below still applies to a past board).
        let rows = withRollups(lightRows(past?.rows ?? (o.overdue ? c.overdueBoard(now) : c.board(now)), marks, now, zone), subPlans);
        if (o.kind !== undefined && o.kind !== "plan" && !c.plan.kinds.has(o.kind))
          throw new UsageError(`--kind ${o.kind}：计划中没有这个事项类型；可用：plan（计划内事项）、${[...c.plan.kinds.keys()].join("、")}`, "UNKNOWN_KIND", 1);
        if (o.unit !== undefined) rows = rows.filter((r) => r.unit === o.unit || r.members?.includes(o.unit!));
        if (o.kind !== undefined) rows = rows.filter((r) => (o.kind === "plan" ? r.kind === undefined : r.kind === o.kind));
        if (o.overdue) rows = rows.filter((r) => r.late && isOutstanding(r.state));
        if (wanted !== undefined) rows = rows.filter((r) => r.light.colour === wanted);
        if (wanted === "red") rows.sort(byUrgency);
        const counts = await store.outboxCounts();
        const failed = counts.failed ? await store.listOutbox({ status: "failed", limit: 50 }) : [];
        const failures = failed.map((f) => ({ key: f.key, attempts: f.attempts, error: f.lastError ?? "" }));
        if (o.json) io.out(JSON.stringify({ asOf: formatInstant(now, zone), campaign: past?.campaign ?? c.campaignState(), outbox: { ...counts, failures }, assignments: rows, ...(subPlans.length ? { subPlans } : {}) }, null, 2));
        else
          io.out(
            [
              wanted === "red" ? redListText(past?.plan ?? c.plan, rows, io.tty, formatInstant(now, zone)) : boardText(past?.plan ?? c.plan, rows, io.tty, formatInstant(now, zone), subPlans),
              "",
              // The outbox is counted as it is now, so a board of an earlier instant does not show it beside that board.
              ...(past
                ? [`${formatInstant(now, zone)} 早于日志的最后一条记录（${head.at}）：以上是日志所记当时的状态，与 duban replay --as-of 相同；提醒发送情况请不带 --now 查看`]
                : [`提醒发送：${deliveryCountsZh(counts)}`, ...failures.map((f) => `  发送失败：${f.key}（${f.attempts} 次）${f.error}`)]),
            ].join("\n"),
          );
      });
    });

  program
    .command("history")
    .description("every event of one assignment, with actors and instants")
    .argument("<assignment>", "assignment id")
    .option("--json", "machine-readable")
    .option("--all-campaigns", "look in every campaign of the store (an id may exist in several)")
    .action(async (id: string, o: { json?: boolean; allCampaigns?: boolean }) => {
      const found: { campaign: string; assignment: string; events: StoredEvent[] }[] = [];
      const texts: string[] = [];
      await withEachCampaign(g(), o.allCampaigns, async (store, campaignId, several) => {
        const c = await Campaign.open(store);
        warnOnOpen(c, io, g());
        if (!c.row(id)) {
          if (several) return;
          throw new UsageError(`没有事项“${id}”；可用 duban plan 查看计划内事项 id，duban status 查看全部事项（含运行中交办的）`, "UNKNOWN_ASSIGNMENT", 1);
        }
        const events = await c.history(id);
        found.push({ campaign: campaignId, assignment: id, events });
        texts.push([`${several ? `${c.plan.campaign.title}（${campaignId}）　` : ""}${id}：${events.length} 条事件`, ...events.map((e) => describe(e, c.plan))].join("\n"));
      });
      if (o.allCampaigns && found.length === 0) throw new UsageError(`此存储的各专项行动中都没有事项“${id}”；可用 duban --campaign <id> status 查看各行动的事项`, "UNKNOWN_ASSIGNMENT", 1);
      if (o.json) io.out(JSON.stringify(o.allCampaigns ? { assignment: id, campaigns: found.map(({ campaign, events }) => ({ campaign, events })) } : { assignment: id, events: found[0]!.events }, null, 2));
      else io.out(texts.join("\n\n"));
    });

  program
    .command("replay")
    .description("the state of every assignment at an instant, computed from the log alone")
    .requiredOption("--as-of <instant>", "ISO 8601 instant, e.g. 2021-06-16T09:00+08:00")
    .option("--json", "machine-readable: {asOf, assignments: [{id, unit, state, late, level}]}")
    .option("--all-campaigns", "every campaign of the store, one after another (JSON: {asOf, campaigns: [...]})")
    .action(async (o: { asOf: string; json?: boolean; allCampaigns?: boolean }) => {
      const json: unknown[] = [];
      await withEachCampaign(g(), o.allCampaigns, async (store, _id, several) => {
        const c = await Campaign.open(store);
        warnOnOpen(c, io, g());
        const zone = c.plan.campaign.timezone;
        const asOf = parseInstant(o.asOf, zone);
        if (Number.isNaN(asOf)) throw new UsageError(`--as-of ${o.asOf}：不是有效时刻；请写 ISO 8601 时刻，例如 2021-06-16T09:00+08:00`, "BAD_DATE");
        if (o.json) return void json.push(await c.replayAsOf(asOf));
        // Every column as of that instant (due dates, hand-in times), not today's board with then's states.
        const b = await c.boardAsOf(asOf);
        const { lightRows } = await import("../publish/light.ts");
        const marks = await (await import("../publish/light-marks.ts")).marksAt(c, asOf);
        if (several) io.out(`== ${c.plan.campaign.title}（${c.plan.campaign.id}）==`);
        io.out(boardText(b.plan, lightRows(b.rows, marks, asOf, zone), io.tty, b.asOf));
      });
      if (o.json) io.out(JSON.stringify(o.allCampaigns ? { asOf: o.asOf, campaigns: json } : json[0], null, 2));
    });

  program
    .command("verify")
    .description("check the whole hash chain (without --campaign: every campaign's); with --head, also that no event after a recorded head was deleted")
    .option("--head <hash>", "a head hash recorded earlier (e.g. from the office's daily summary)")
    .action(async (o: { head?: string }) => {
      // A mistyped head is a usage mistake, not evidence that events were deleted.
      if (o.head !== undefined && !/^[0-9a-f]{64}$/.test(o.head))
        throw new UsageError(`--head ${o.head}：不是日志头哈希；请抄写日报中的 64 位十六进制“日志头”，例如 duban verify --head 3f5a…（共 64 位）`, "BAD_HEAD", 2);
      await withWholeStore(g(), async (store) => {
        // Without --campaign, every campaign's chain: the whole store is checked at once.
        const which = g().campaign !== undefined || o.head !== undefined ? [await campaigns.campaignOf(store, g().campaign)] : await campaigns.allCampaigns(store);
        if (which.length === 0) which.push(await campaigns.campaignOf(store, undefined));
        const { auditStore, auditResultZh } = await import("../campaign/audit-check.ts");
        const named = which.length > 1;
        let bad = false;
        for (const { record, log } of which) {
          const label = named ? `${record.id}：` : "";
          const r = await auditStore(log, o.head ? { head: o.head } : {});
          if (r.ok) io.out(label + auditResultZh(r));
          else {
            io.err(label + auditResultZh(r));
            bad = true;
          }
        }
        if (named && !bad) io.out(`全部 ${which.length} 个专项行动的日志完整`);
        if (bad) setExit(1);
      });
    });

  program
    .command("export")
    .description("the log for auditors, with the hashes")
    .option("--format <format>", "jsonl or csv (the log), or xlsx (the 台账: every item as of --as-of, with statistics)", "jsonl")
    .option("--from <instant>", "first instant (inclusive)")
    .option("--to <instant>", "last instant (inclusive)")
    .option("--as-of <instant>", "with xlsx: the ledger as of this instant, from the log alone (default: now)")
    .option("--out <file>", "with xlsx: the workbook to write (default: <campaign>-台账-<date>.xlsx)")
    .option("--all-campaigns", "jsonl or csv: every campaign's log, each line with its campaign id")
    .action(async (o: { format: string; from?: string; to?: string; asOf?: string; out?: string; allCampaigns?: boolean }) => {
      if (o.format === "xlsx" && o.allCampaigns) throw new UsageError("--all-campaigns 只用于 jsonl 或 csv 日志；台账（xlsx）请按专项行动分别导出：--campaign <id>", "USAGE", 2);
      if (o.format === "xlsx") return (await import("./publish-commands.ts")).exportLedgerCommand(g(), o, io);
      if (o.format !== "jsonl" && o.format !== "csv") throw new UsageError(`--format ${o.format}：只能是 jsonl、csv 或 xlsx`, "BAD_FORMAT");
      let headerDone = false;
      await withEachCampaign(g(), o.allCampaigns, async (store, id) => {
        const zone = "Asia/Shanghai";
        const from = o.from ? parseInstant(o.from, zone) : -Infinity;
        const to = o.to ? parseInstant(o.to, zone) : undefined;
        if (Number.isNaN(from) || (to !== undefined && Number.isNaN(to))) throw new UsageError("--from/--to：不是有效时刻；请写 ISO 8601 时刻，例如 2021-05-01T00:00+08:00", "BAD_DATE");
        const { exportLines, csvHeader } = await import("../campaign/export-log.ts");
        // The whole store: each line names its campaign (a first column in CSV, whose header comes once).
        if (o.allCampaigns && o.format === "csv" && !headerDone) (io.out(csvHeader(true)), (headerDone = true));
        const range = { from, ...(to !== undefined ? { to } : {}), zone, ...(o.allCampaigns ? { campaign: id } : {}) };
        for await (const line of exportLines(store, o.format as "jsonl" | "csv", range)) io.out(line);
      });
    });
}

/** `duban plan apply`: shows what a new plan version changes; carries it out only with --yes. */
export async function applyPlanCommand(g: GlobalOptions, file: string, o: { yes?: boolean; reopenSubmitted?: boolean; note?: string; as?: string }, io: Io): Promise<number> {
  const { loadPlan } = await import("../plan/load.ts");
  return withWholeStore(g, async (root) => {
    // Without --campaign, the new plan's own campaign.id says which campaign it changes.
    const planId = g.campaign ?? loadPlan(file).plan?.campaign.id;
    const known = (await root.campaigns()).some((r) => r.id === planId);
    const store = (await campaigns.campaignOf(root, g.campaign ?? (known ? planId : undefined))).log;
    const c = await Campaign.open(store);
    warnOnOpen(c, io, g);
    const zone = c.plan.campaign.timezone;
    const loaded = loadPlan(file);
    if (!loaded.plan) {
      // A plan (or a directory it imports) with errors: every one, with its file and position, and nothing done.
      const { formatDiagnostic } = await import("../plan/diagnostics.ts");
      for (const d of loaded.diagnostics) io.err(formatDiagnostic(d));
      io.err("未执行：新计划有错误，请先修正。");
      return 1;
    }
    const diff = c.diffPlan(loaded.plan);
    io.out(diffText(c.plan, loaded.plan, diff, o.reopenSubmitted ?? false));
    if (diff.from === diff.to) return 0;
    if (diff.stranded.length) {
      const { strandedMessage } = await import("../campaign/campaign.ts");
      io.err(strandedMessage(c.plan, diff.stranded));
      return 1;
    }
    if (!o.yes) {
      io.err("未执行：核对以上变动后加 --yes 执行；已报送、已通过的事项是否重新打开由 --reopen-submitted 决定（默认不重新打开）。");
      return 1;
    }
    const { now, extra } = clockOf(g, zone);
    const r = await c.applyPlan(file, now, { reopenSubmitted: o.reopenSubmitted ?? false, ...(o.note ? { note: o.note } : {}), ...(o.as ? { actor: o.as } : {}), ...(extra ? { extra } : {}) });
    io.out(`已执行：计划版本 ${diff.from.slice(0, 12)} → ${diff.to.slice(0, 12)}（第 ${r.events[0]?.seq} 条事件）`);
    return 0;
  });
}

function diffText(from: ResolvedPlan, to: ResolvedPlan, d: PlanDiff, reopen: boolean): string {
  const zone = to.campaign.timezone;
  if (d.from === d.to) return "计划未变：版本相同，无需变更。";
  const out = [`计划变更：${d.from.slice(0, 12)} → ${d.to.slice(0, 12)}`];
  const groups = new Map<string, PlanDiff["moved"]>();
  for (const m of d.moved) {
    const key = `${m.title}|${m.from}|${m.to}`;
    (groups.get(key) ?? groups.set(key, []).get(key)!).push(m);
  }
  out.push(`  截止时间变动：${d.moved.length} 条`);
  for (const g of groups.values()) {
    const m = g[0]!;
    const owed = g.filter((x) => isOutstanding(x.state as ProgressState)).length;
    const done = g.length - owed;
    const kept = g.filter((x) => x.extended).length;
    out.push(`    ${m.title}：${dueLocalZh(m.from, zone)} → ${dueLocalZh(m.to, zone)}（${unitList(to, g.map((x) => x.unit))}；办理中 ${owed}，已报送 ${done}${done ? (reopen ? "，将重新打开" : "，保持不变") : ""}${kept ? `；${kept} 条已批准延期，保留延期` : ""}）`);
  }
  if (d.added.length) out.push(`  新增事项：${d.added.length} 条（${[...new Set(d.added.map((a) => a.title))].join("、")}）`);
  if (d.removed.length) out.push(`  删除事项：${d.removed.length} 条（${[...new Set(d.removed.map((a) => a.title))].join("、")}；历史记录保留）`);
  if (d.unitsAdded.length) out.push(`  新增单位：${d.unitsAdded.map((u) => unitName(to, u)).join("、")}`);
  if (d.calendarDates.length) out.push(`  节假日数据：${from.calendar.data?.source} → ${to.calendar.data?.source}，涉及 ${d.calendarDates.join("、")}（提醒与督办的工作日按新数据计算）`);
  if (d.unitsRemoved.length) out.push(`  删除单位：${d.unitsRemoved.map((u) => unitName(from, u)).join("、")}`);
  if (d.unitsChanged.length) {
    out.push(`  单位信息变动：${d.unitsChanged.length} 个单位`);
    for (const u of d.unitsChanged) out.push(`    ${u.name}（${u.id}）：${u.changes.map((c) => `${UNIT_FIELD_ZH[c.field]} ${c.from || "（无）"} → ${c.to || "（无）"}`).join("；")}`);
  }
  return out.join("\n");
}

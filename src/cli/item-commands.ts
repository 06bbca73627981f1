import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { basename } from "node:path";
import type { Command } from "commander";
import { isRealDate, parseInstant } from "../engine/calendar.ts";
import type { Actor, OpenRequest } from "../engine/types.ts";
import type { ResolvedPlan } from "../plan/types.ts";
import { announceCatchUp, clockOf, warnOnOpen, withStore, type GlobalOptions } from "./campaign-commands.ts";
import { UsageError, type Io } from "./io.ts";
import { unitName } from "../present/plan-text.ts";

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** A date (due at the plan's due time that day) or an instant, as `--due` and `--until` take them. */
export function dueOption(plan: ResolvedPlan, text: string, flag: string): number {
  const zone = plan.campaign.timezone;
  const at = parseInstant(isRealDate(text) ? `${text}T${plan.calendar.dueAt}` : text, zone);
  if (Number.isNaN(at)) throw new UsageError(`${flag} ${text}：不是有效日期；请写成 YYYY-MM-DD（当天 ${plan.calendar.dueAt} 截止）或 ISO 8601 时刻`, "BAD_DATE");
  return at;
}

/** `--field key=value`, by field id or title; repeated keys are an error, not a silent overwrite. */
function fieldsOf(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs) {
    const i = p.indexOf("=");
    if (i <= 0) throw new UsageError(`--field ${p}：请写成 字段=值，例如 --field basis=领导批示`, "BAD_OPTION");
    const k = p.slice(0, i).trim();
    if (k in out) throw new UsageError(`--field ${k} 写了两次`, "BAD_OPTION");
    out[k] = p.slice(i + 1);
  }
  return out;
}

/**
 * Files handed in with an opening go into the kind's attachment field. A file over the kind's limit is
 * not read at all: its size is enough for the engine to refuse it.
 */
function attachmentsOf(plan: ResolvedPlan, kindId: string, files: readonly string[]): Record<string, unknown> {
  if (files.length === 0) return {};
  const kind = plan.kinds.get(kindId);
  const field = kind?.fields.find((f) => f.type === "attachment");
  if (!kind) return {};
  if (!field) throw new UsageError(`“${kind.title}”没有附件字段，不能带 --attach；可用字段：${kind.fields.map((f) => f.id).join("、") || "（无）"}`, "BAD_OPTION");
  const refs = files.map((file) => {
    let size: number;
    try {
      size = statSync(file).size;
    } catch (err) {
      throw new UsageError(`--attach ${file}：无法读取文件（${(err as NodeJS.ErrnoException).code ?? String(err)}）；请检查文件路径`, "FILE_UNREADABLE");
    }
    const sha256 = size > kind.maxAttachmentBytes ? "" : createHash("sha256").update(readFileSync(file)).digest("hex");
    return { name: basename(file), sha256, size };
  });
  return { [field.id]: refs };
}

/**
 * `duban open KIND --to UNIT[,UNIT] --title … --as UNIT`: opens an item of a kind the plan declares
 * (交办, 督办单, 一事一报); `acknowledge` (签收) and `withdraw` (撤销) act on one.
 */
export function registerItemCommands(program: Command, io: Io, setExit: (code: number) => void): void {
  const g = () => program.opts() as GlobalOptions;
  program
    .command("open")
    .description("open an item of a kind the plan declares (交办/督办单/一事一报): who owes it, its title, fields and deadline")
    .argument("<kind>", "kind id from the plan's kinds: (see duban plan)")
    .requiredOption("--to <units>", "the owing unit, or several joined by commas for a joint item (lead first)")
    .requiredOption("--title <text>", "what is to be done")
    .option("--due <date>", "the deadline, for kinds whose opener gives it (YYYY-MM-DD or an instant)")
    .option("--level <level>", "urgency, e.g. 紧急 (the kind's levels; default its first)")
    .option("--field <key=value>", "a field by id or title; repeat for each", collect, [])
    .option("--attach <file...>", "files for the kind's attachment field")
    .option("--note <text>", "a note recorded with the opening")
    .requiredOption("--as <unit-or-person>", "who opens it")
    .action(async (kind: string, o: { to: string; title: string; due?: string; level?: string; field: string[]; attach?: string[]; note?: string; as: string }) => {
      await withStore(g(), async (store) => {
        const { Campaign } = await import("../campaign/campaign.ts");
        const c = await Campaign.open(store);
        warnOnOpen(c, io, g());
        const { now, extra } = clockOf(g(), c.plan.campaign.timezone);
        const actor: Actor = { kind: "unit", unit: o.as };
        const req: OpenRequest = {
          kind,
          to: o.to.split(/[,，、]/).map((s) => s.trim()).filter(Boolean),
          title: o.title,
          ...(o.due !== undefined ? { due: dueOption(c.plan, o.due, "--due") } : {}),
          ...(o.level !== undefined ? { level: o.level } : {}),
          fields: { ...fieldsOf(o.field), ...attachmentsOf(c.plan, kind, o.attach ?? []) },
          ...(o.note !== undefined ? { note: o.note } : {}),
          actor,
        };
        const r = await c.openItem(req, now, extra);
        if (r.refused) {
          io.err(`拒绝交办：${r.refused.message} [${r.refused.code}]`);
          return setExit(1);
        }
        announceCatchUp(c, c.largeCatchUp(r.events, now), io);
        const row = c.row(r.id!)!;
        const e = r.events.find((x) => x.type === "itemOpened")!;
        io.out(`已交办：${r.id}“${row.title}”，承办 ${(row.members ?? [row.unit]).map((u) => unitName(c.plan, u)).join("、")}，截止 ${row.due}（第 ${e.seq} 条，${e.at}）`);
      });
    });

  program
    .command("urge")
    .description("urge (催办) a unit now: one reminder of everything it owes with a deadline, at most once a day (the office)")
    .argument("<unit>", "the unit to urge, by id (see duban plan)")
    .requiredOption("--as <unit-or-person>", "who acts")
    .option("--note <text>", "a note recorded with the action")
    .action(async (unit: string, o: { as: string; note?: string }) => {
      await withStore(g(), async (store) => {
        const { Campaign } = await import("../campaign/campaign.ts");
        const c = await Campaign.open(store);
        warnOnOpen(c, io, g());
        const { now, extra } = clockOf(g(), c.plan.campaign.timezone);
        const r = await c.step({ type: "urge", unit, actor: { kind: "unit", unit: o.as }, ...(o.note !== undefined ? { note: o.note } : {}) }, now, extra);
        if (r.refused) {
          io.err(`拒绝催办：${r.refused.message} [${r.refused.code}]`);
          return setExit(1);
        }
        const urged = r.events.filter((e) => e.type === "reminded" && (e.payload as { reason?: string }).reason === "urged");
        io.out(`已催办${unitName(c.plan, unit)}：${urged.length} 项事项，提醒已进入发送队列（第 ${urged[0]?.seq}～${urged.at(-1)?.seq} 条，${urged[0]?.at}）`);
      });
    });

  const verbs = [
    { name: "acknowledge" as const, zh: "签收", help: "acknowledge (签收) an item opened to your unit" },
    { name: "withdraw" as const, zh: "撤销", help: "withdraw (撤销) an opened item (the office, or whom its kind allows)" },
  ];
  for (const v of verbs)
    program
      .command(v.name)
      .description(v.help)
      .argument("<item>", "item id, e.g. dubandan-001 (see duban status)")
      .requiredOption("--as <unit-or-person>", "who acts")
      .option("--note <text>", "a note recorded with the action")
      .action(async (id: string, o: { as: string; note?: string }) => {
        await withStore(g(), async (store) => {
          const { Campaign } = await import("../campaign/campaign.ts");
          const c = await Campaign.open(store);
          warnOnOpen(c, io, g());
          const { now, extra } = clockOf(g(), c.plan.campaign.timezone);
          const r = await c.step({ type: v.name, assignment: id, actor: { kind: "unit", unit: o.as }, ...(o.note !== undefined ? { note: o.note } : {}) }, now, extra);
          if (r.refused) {
            io.err(`拒绝${v.zh}：${r.refused.message} [${r.refused.code}]`);
            return setExit(1);
          }
          const mine = r.events.find((e) => e.assignment === id && e.actor.kind !== "engine");
          io.out(`已${v.zh}：${id}（第 ${mine?.seq} 条，${mine?.at}）`);
        });
      });
}

import type { Command } from "commander";
import { announceCatchUp, clockOf, warnOnOpen, withStore, type GlobalOptions } from "./campaign-commands.ts";
import { UsageError, type Io } from "./io.ts";

/**
 * `duban import KIND FILE --as UNIT [--sheet NAME]`: a 问题清单 / 台账 sheet, one row an item. Every bad
 * row and cell is printed as `FILE:Sheet!C7: …` and nothing is opened; importing the same file again
 * opens nothing new.
 */
export function registerImportCommand(program: Command, io: Io, setExit: (code: number) => void): void {
  const g = () => program.opts() as GlobalOptions;
  program
    .command("import")
    .description("open items of a kind from a sheet (xlsx, or csv in UTF-8 or GBK), one row an item: all rows or none")
    .argument("<kind>", "the kind of item, as the plan's kinds: names it")
    .argument("<file>", "the sheet: a .xlsx or .csv file whose header names the kind's fields in Chinese")
    .requiredOption("--as <unit>", "who opens the items (recorded)")
    .option("--sheet <name>", "the sheet to read in an xlsx (default: the first)")
    .action(async (kindId: string, file: string, o: { as: string; sheet?: string }) => {
      await withStore(g(), async (store) => {
        // Loaded here, not at the top: `duban --help` starts without the engine or exceljs.
        const [{ Campaign }, { readImport }, { importProblemLine, importRefusedZh }, { renderRefusal }] = await Promise.all([
          import("../campaign/campaign.ts"),
          import("../items/import-sheet.ts"),
          import("../text/import-zh.ts"),
          import("../text/refusals.ts"),
        ]);
        const c = await Campaign.open(store);
        warnOnOpen(c, io, g());
        const kind = c.plan.kinds.get(kindId);
        // The engine's own refusal of an unknown kind, in its words: the sheet is not read for a kind that is not there.
        if (!kind) throw new UsageError(`拒绝导入：${renderRefusal(c.plan, { code: "UNKNOWN_KIND", params: { kind: kindId, known: [...c.plan.kinds.keys()] } })} [UNKNOWN_KIND]`, "UNKNOWN_KIND", 1);
        const { now, extra } = clockOf(g(), c.plan.campaign.timezone);
        const read = await readImport(file, kind, c.plan, { ...(o.sheet !== undefined ? { sheet: o.sheet } : {}), actor: { kind: "unit", unit: o.as } });
        if ("problems" in read) {
          for (const p of read.problems) io.err(importProblemLine(p));
          io.err(importRefusedZh(file, read.problems.length));
          return setExit(1);
        }
        const done = await c.openItems(read.requests, now, extra);
        if (done.refused.length > 0) {
          for (const line of refusedLines(file, read.sheet, read.rows, done.refused)) io.err(line);
          io.err(importRefusedZh(file, done.refused.length));
          return setExit(1);
        }
        announceCatchUp(c, c.largeCatchUp(done.events, now), io);
        io.out(`已导入 ${done.opened.length} 项，跳过已导入 ${done.skipped.length} 项（${kind.title}，${file}）`);
      });
    });
}

/**
 * The engine's refusals of an import, placed on their rows: `FILE:Sheet!7: …`. The same refusal of every
 * row (an opener the kind does not allow) is one line, not one per row.
 */
export function refusedLines(file: string, sheet: string | undefined, rows: readonly number[], refused: readonly { index: number; refusal: { code: string; message: string } }[]): string[] {
  const at = (where: string) => `${file}:${sheet !== undefined ? `${sheet}!` : ""}${where}`;
  const first = refused[0];
  if (first && refused.length === rows.length && refused.every((r) => r.refusal.message === first.refusal.message)) return [`${file}: 全部 ${rows.length} 行：${first.refusal.message} [${first.refusal.code}]`];
  return refused.map((r) => `${at(`第 ${rows[r.index]} 行`)}: ${r.refusal.message} [${r.refusal.code}]`);
}

import type { Command } from "commander";
import type { Clock } from "../campaign/campaign.ts";
import type { OpenRequest } from "../items/open-request.ts";
import type { StoredEvent } from "../store/types.ts";
import { clockOf, warnOnOpen, withStore, type GlobalOptions } from "./campaign-commands.ts";
import { UsageError, type Io } from "./io.ts";

/**
 * What the import needs of a campaign: opening a batch of items, all or nothing, skipping rows whose key
 * an earlier import opened. `Campaign.openItems` lands with the engine's openings; until then the command
 * reaches it through this narrow view (remove it, and the cast below, once Campaign has the method).
 */
interface OpensItems {
  openItems(requests: OpenRequest[], now: Clock): Promise<{ opened: string[]; skipped: string[]; events: StoredEvent[] }>;
}

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
        const [{ Campaign }, { readImport }, { importProblemLine, importRefusedZh }, { nearest }] = await Promise.all([
          import("../campaign/campaign.ts"),
          import("../items/import-sheet.ts"),
          import("../text/import-zh.ts"),
          import("../plan/schema.ts"),
        ]);
        const c = await Campaign.open(store);
        warnOnOpen(c, io, g());
        const kind = c.plan.kinds.get(kindId);
        if (!kind) {
          const ids = [...c.plan.kinds.keys()];
          const near = nearest(kindId, ids);
          const known = ids.length > 0 ? `；计划中的事项类型：${ids.join("、")}` : "；计划中没有可在运行中交办的事项类型（kinds:）";
          throw new UsageError(`没有事项类型“${kindId}”${near ? `（是否应为“${near}”？）` : ""}${known}`, "UNKNOWN_KIND", 1);
        }
        const { now } = clockOf(g(), c.plan.campaign.timezone);
        const read = await readImport(file, kind, c.plan, { ...(o.sheet !== undefined ? { sheet: o.sheet } : {}), actor: { kind: "unit", unit: o.as } });
        if ("problems" in read) {
          for (const p of read.problems) io.err(importProblemLine(p));
          io.err(importRefusedZh(file, read.problems.length));
          return setExit(1);
        }
        const done = await (c as unknown as OpensItems).openItems(read.requests, now);
        io.out(`已导入 ${done.opened.length} 项，跳过已导入 ${done.skipped.length} 项（${kind.title}，${file}）`);
      });
    });
}

import { Option, type Command } from "commander";
import { clockOf, warnOnOpen, withStore, type GlobalOptions } from "./campaign-commands.ts";
import { UsageError, type Io } from "./io.ts";

/** `duban mark ITEM --light red|yellow|clear --reason 文本 --as UNIT`: the office marks an item's 三色 light. */
export function registerMarkCommand(program: Command, io: Io): void {
  const g = () => program.opts() as GlobalOptions;
  program
    .command("mark")
    .description("the office marks an item's light red or yellow with a reason, or clears its mark (recorded in the log)")
    .argument("<assignment>", "assignment id, e.g. report/east (see duban status --json)")
    .addOption(new Option("--light <light>", "red (红灯), yellow (黄灯) or clear (清除标注)").choices(["red", "yellow", "clear"]).makeOptionMandatory())
    .option("--reason <text>", "why (required for red and yellow)")
    .requiredOption("--as <unit-or-person>", "who marks: the office, the group leader or the office director")
    .action(async (id: string, o: { light: "red" | "yellow" | "clear"; reason?: string; as: string }) => {
      await withStore(g(), async (store) => {
        // Loaded here, not at the top: `duban --help` starts without the engine.
        const [{ Campaign }, { markLight }] = await Promise.all([import("../campaign/campaign.ts"), import("../publish/light-marks.ts")]);
        const c = await Campaign.open(store);
        warnOnOpen(c, io, g());
        const { now } = clockOf(g(), c.plan.campaign.timezone);
        const r = await markLight(c, id, o.light, o.reason, { kind: "unit", unit: o.as }, now);
        if (!("seq" in r)) throw new UsageError(`拒绝标注：${r.message} [${r.code}]`, r.code, 1);
        const what = o.light === "clear" ? "已清除标注" : o.light === "red" ? "已标红灯" : "已标黄灯";
        io.out(`${what}：${id}（第 ${r.seq} 条，${r.at}）`);
      });
    });
}

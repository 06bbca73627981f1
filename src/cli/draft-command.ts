import { writeFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import type { Command } from "commander";
import { UsageError, type Io } from "./io.ts";

interface DraftOpts {
  units?: string;
  output?: string;
  year?: string;
  check?: boolean;
}

/** `duban draft NOTICE [-o plan.yaml]` and `duban draft --check NOTICE plan.yaml`. */
export function registerDraftCommand(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command("draft")
    .description("draft a plan from the campaign notice (.docx or .txt), every element quoting its source; --check compares a notice with a plan")
    .argument("<notice>", "the notice or work plan: .docx, or text in UTF-8 or GB18030")
    .argument("[plan]", "with --check: the plan to compare with the notice")
    .option("--units <file>", "the office's units (a plan's units: and groups:), to reuse their ids and contacts")
    .option("-o, --output <file>", "write the draft here instead of to standard output")
    .option("--year <year>", "the campaign's year, when the notice does not say it")
    .option("--check", "list what the plan asks that the notice does not state, what the notice asks that the plan lacks, and dates that differ")
    .action(async (notice: string, plan: string | undefined, o: DraftOpts) => {
      const year = o.year === undefined ? undefined : Number(o.year);
      if (year !== undefined && !(Number.isInteger(year) && year >= 2000 && year <= 2100)) throw new UsageError(`--year ${o.year}：请写四位年份，例如 2021`, "BAD_YEAR");
      const now = (program.opts() as { now?: string }).now;
      const fallbackYear = new Date(now ?? Date.now()).getFullYear();
      // Loaded on demand: mammoth and the pinyin dictionary are only needed here.
      const { draftNoticeFile, checkDraft } = await import("../draft/index.ts");
      const { PLAN_SCHEMA_PATH } = await import("../plan/schema.ts");
      if (o.check) {
        if (!plan) throw new UsageError("draft --check 需要文件和计划两个参数：duban draft --check NOTICE plan.yaml", "USAGE");
        const report = await checkDraft(notice, plan, { ...(year !== undefined ? { year } : {}), fallbackYear });
        for (const line of report.lines) io.out(line);
        return setExit(report.exit);
      }
      if (plan) throw new UsageError(`多余的参数“${plan}”：写出草稿请用 -o ${plan}；对照检查请加 --check`, "USAGE");
      const schema = PLAN_SCHEMA_PATH;
      const schemaPath = relative(o.output ? dirname(resolve(o.output)) : process.cwd(), schema);
      const r = await draftNoticeFile(notice, { ...(o.units ? { unitsFile: o.units } : {}), ...(year !== undefined ? { year } : {}), fallbackYear, schemaPath });
      if (!r.ok) {
        io.err(`duban: ${r.message}`);
        return setExit(1);
      }
      if (o.output) writeFileSync(o.output, r.emitted.text);
      else io.out(r.emitted.text);
      const d = r.draft;
      const people = (d.leadingGroup?.leader ? 1 : 0) + (d.leadingGroup?.deputies.length ?? 0) + (d.leadingGroup?.members.length ?? 0);
      io.err(
        `${o.output ? `草稿已写入 ${o.output}` : "草稿"}（${d.encoding === "docx" ? "Word 文档" : `编码 ${d.encoding}`}）：阶段 ${d.phases.length}，任务 ${d.tasks.length}，报送事项 ${d.deliverables.length}，领导小组 ${people} 人，新单位 ${r.emitted.newUnits.length}；待办 ${r.emitted.todoCount} 条，duban validate 会逐条报错，核实并删除后计划才能使用`,
      );
      for (const w of d.warnings) io.err(`duban: 警告：${w}`);
      setExit(0);
    });
}

import type { Command } from "commander";
import { existsSync } from "node:fs";
import { packagePath } from "../package-path.ts";
import type { Io } from "./io.ts";

/** The shipped Chongqing plan: the one in this folder when there is one, else the package's own. */
const DEMO_PLAN = "plans/chongqing-2021.yaml";

export function registerDemoCommand(program: Command, io: Io): void {
  program
    .command("demo")
    .description("time-lapse of the Chongqing campaign through the real daemon path (SQLite store, .eml files)")
    .option("--plan <file>", "plan file (default: the shipped Chongqing plan)")
    .option("--dir <dir>", "where the store and the .eml files go (emptied first)", "out/demo")
    .option("--from <date>", "first simulated day", "2021-05-01")
    .option("--to <date>", "last simulated day", "2021-10-31")
    .option("--seed <n>", "seed of the synthetic action stream", "2021")
    .action(async (opts: { plan?: string; dir: string; from: string; to: string; seed: string }) => {
      const o = { ...opts, plan: opts.plan ?? (existsSync(DEMO_PLAN) ? DEMO_PLAN : packagePath(DEMO_PLAN)) };
      io.out(`督办演示：${o.plan}，${o.from} 至 ${o.to}，每周一行进度`);
      const { runDemo } = await import("../demo/demo.ts");
      const r = await runDemo({ plan: o.plan, dir: o.dir, from: o.from, to: o.to, seed: Number(o.seed), log: (l) => io.out(l) });
      const arose = r.opened.filter((k) => k.count > 0);
      const sample = arose.find((k) => r.sheet && k.first) ?? arose[0];
      io.out(
        [
          "",
          `完成：日志 ${r.events} 条事件，${r.messages} 封提醒邮件（.eml）在 ${r.emlDir}`,
          ...(arose.length ? [`运行中交办 ${arose.reduce((n, k) => n + k.count, 0)} 项：${arose.map((k) => `${k.title} ${k.count}`).join("、")}${r.sheet ? `（含导入的问题清单 ${r.sheet}）` : ""}`] : []),
          `日志头 ${r.head}`,
          "查看：",
          ...(sample ? [`  npx duban --db ${r.db} status --kind ${sample.kind}`, `  npx duban --db ${r.db} history ${sample.first}`] : []),
          `  npx duban --db ${r.db} status --overdue`,
          `  npx duban --db ${r.db} replay --as-of 2021-06-16T09:00+08:00`,
          `  npx duban --db ${r.db} history implementation-plan/yuzhong`,
          `  npx duban --db ${r.db} verify --head ${r.head}`,
        ].join("\n"),
      );
    });
}

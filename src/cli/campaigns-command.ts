import type { Command } from "commander";
import { clockOf, withWholeStore, type GlobalOptions } from "./campaign-commands.ts";
import type { Io } from "./io.ts";

/** 未开始 / 进行中 / 已结束, by the plan's window at `now`. */
function stateZh(now: number, start: number, end: number): string {
  return now < start ? "未开始" : now >= end ? "已结束" : "进行中";
}

/** `duban campaigns`: every campaign of the store, one line each. */
export function registerCampaignsCommand(program: Command, io: Io): void {
  program
    .command("campaigns")
    .description("the campaigns of this store: state, items, done and overdue")
    .option("--json", "machine-readable")
    .action(async (o: { json?: boolean }) => {
      const g = program.opts() as GlobalOptions;
      const [{ Campaign }, { allCampaigns }, { isOutstanding }] = await Promise.all([import("../campaign/campaign.ts"), import("../campaign/campaigns.ts"), import("../model/states.ts")]);
      await withWholeStore(g, async (store) => {
        const list = await allCampaigns(store);
        if (list.length === 0) return io.out("此存储中还没有专项行动；用 duban init <计划文件> 建立");
        const rows = [];
        for (const { record, log } of list) {
          const c = await Campaign.open(log);
          const plan = c.plan;
          const { now } = clockOf(g, plan.campaign.timezone);
          const board = c.board(now);
          rows.push({
            id: record.id,
            title: plan.campaign.title,
            ...(record.parent ? { parent: record.parent, ...(plan.parent?.item !== undefined ? { parentItem: plan.parent.item } : {}), ...(plan.parent?.unit !== undefined ? { parentUnit: plan.parent.unit } : {}) } : {}),
            state: stateZh(now, plan.campaign.startAt, plan.campaign.endAt),
            items: board.length,
            done: board.filter((r) => !isOutstanding(r.state)).length,
            overdue: board.filter((r) => r.late && isOutstanding(r.state)).length,
            events: (await log.head()).seq,
          });
        }
        if (o.json) return io.out(JSON.stringify({ campaigns: rows }, null, 2));
        io.out(`共 ${rows.length} 个专项行动：`);
        for (const r of rows) io.out(`${r.id}\t${r.state}\t${r.title}\t事项 ${r.items}，已办结 ${r.done}，逾期 ${r.overdue}\t${r.events} 条事件${r.parent ? `\t上级行动 ${r.parent}（${r.parentItem !== undefined ? `事项 ${r.parentItem}` : `单位 ${r.parentUnit}`}）` : ""}`);
      });
    });
}

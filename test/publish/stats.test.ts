import { afterEach, describe, expect, it } from "vitest";
import { Campaign } from "../../src/campaign/campaign.ts";
import { main } from "../../src/cli/main.ts";
import { publishedAsOf, publishedNow } from "../../src/publish/source.ts";
import { statistics, type StatsLine } from "../../src/publish/stats.ts";
import { openStore } from "../../src/store/open.ts";
import { captureIo, cst } from "../helpers.ts";
import { act, initCampaign, playStory, STORY } from "./fixture.ts";

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

async function played(until?: string) {
  const r = await initCampaign();
  closers.push(r.close);
  await playStory(r.c, until);
  return r;
}

const line = (lines: StatsLine[], key: string) => lines.find((l) => l.key === key)!;

describe("statistics as of an instant", () => {
  it("adds up the known story by deliverable, hand-checked at three instants", async () => {
    const { c } = await played();
    // 06-16 12:00: north on time; south past due and not handed in; east extended to 06-25, not yet due.
    const jun16 = statistics(await publishedAsOf(c, cst("2021-06-16T12:00")), "deliverable");
    expect(line(jun16.lines, "report")).toMatchObject({ assigned: 3, onTime: 1, late: 0, overdue: 1, pending: 1, waived: 0, extended: 1, returned: 0, due: 2, onTimeRate: 0.5, overdueRate: 0.5 });
    expect(line(jun16.lines, "summary")).toMatchObject({ assigned: 3, pending: 3, due: 0, onTimeRate: null, overdueRate: null });

    // 06-28 12:00: south handed in again on 06-21, 4 working days after 06-15 (06-16, 17, 18, 21), after one
    // return; east is 1 working day past its extended due (06-25 Fri -> 06-28 Mon).
    const jun28 = await publishedAsOf(c, cst("2021-06-28T12:00"));
    const report = line(statistics(jun28, "deliverable").lines, "report");
    expect(report).toMatchObject({ assigned: 3, onTime: 1, late: 1, lateDaysMean: 4, lateDaysMax: 4, overdue: 1, pending: 0, returned: 1, extended: 1, due: 3 });
    expect(report.onTimeRate).toBeCloseTo(1 / 3, 4);
    expect(report.overdueRate).toBeCloseTo(2 / 3, 4);
    expect(jun28.items.find((i) => i.assignment.id === "report/east")!.daysLate).toBe(1);

    // 07-20: the summary too. Per unit and in total.
    const jul20 = await publishedAsOf(c, cst("2021-07-20T12:00"));
    const byUnit = statistics(jul20, "unit");
    expect(byUnit.lines.map((l) => [l.key, l.name])).toEqual([["north", "北区"], ["south", "南区"], ["east", "东区"]]);
    expect(line(byUnit.lines, "north")).toMatchObject({ assigned: 2, onTime: 1, waived: 1, due: 1, onTimeRate: 1, overdueRate: 0 });
    expect(line(byUnit.lines, "south")).toMatchObject({ assigned: 2, onTime: 1, late: 1, returned: 1, due: 2, onTimeRate: 0.5, overdueRate: 0.5 });
    expect(line(byUnit.lines, "east")).toMatchObject({ assigned: 2, overdue: 2, extended: 1, due: 2, onTimeRate: 0, overdueRate: 1 });
    expect(byUnit.total).toMatchObject({ name: "合计", assigned: 6, onTime: 2, late: 1, overdue: 2, waived: 1, pending: 0, returned: 1, extended: 1, due: 5, onTimeRate: 0.4, overdueRate: 0.6 });
    expect(byUnit.asOf).toBe("2021-07-20T12:00:00+08:00");

    const byPhase = statistics(jul20, "phase");
    expect(byPhase.lines.map((l) => [l.key, l.name, l.assigned])).toEqual([["first", "第一阶段", 3], ["second", "第二阶段", 3]]);
  });

  it("gives the same figures for a past instant live and, later, from the log alone", async () => {
    const { c, db } = await initCampaign();
    closers.push(async () => c.store.close());
    const live = new Map<string, unknown>();
    for (const s of STORY) {
      await act(c, s.input, s.at);
      // What the office saw right after each step, from the state in memory.
      for (const by of ["unit", "deliverable", "phase", "task"] as const) live.set(`${s.at}|${by}`, statistics(publishedNow(c, cst(s.at)), by));
    }
    const store = await openStore(db);
    closers.push(() => store.close());
    const later = await Campaign.open(store);
    for (const s of STORY)
      for (const by of ["unit", "deliverable", "phase", "task"] as const) expect(statistics(await publishedAsOf(later, cst(s.at)), by)).toEqual(live.get(`${s.at}|${by}`));
  });

  it("refuses an instant before the store begins, saying when it begins", async () => {
    const { c } = await played("2021-06-11T10:00");
    await expect(publishedAsOf(c, cst("2021-04-01T09:00"))).rejects.toMatchObject({
      code: "BEFORE_LOG",
      message: expect.stringContaining("专项行动于 2021-04-28 周三 10:00 建立"),
    });
  });
});

describe("duban stats", () => {
  async function duban(db: string, ...args: string[]) {
    const io = captureIo();
    const code = await main(["node", "duban", "--db", db, ...args], io);
    return { code, out: io.stdout, err: io.stderr };
  }

  it("prints a table with Chinese headers, JSON and CSV, as of an instant", async () => {
    const { db, close } = await played();
    await close();
    const table = await duban(db, "stats", "--as-of", "2021-07-20T12:00+08:00");
    expect(table.code).toBe(0);
    expect(table.out).toContain("测试专项行动  统计  截至 2021-07-20 12:00");
    expect(table.out).toMatch(/单位\s+应办数\s+按时办结\s+逾期办结/);
    expect(table.out).toMatch(/合计\s+6\s+2\s+1\s+4\s+4\s+2\s+1\s+0\s+1\s+1\s+5\s+40\.0%\s+60\.0%/);
    const json = JSON.parse((await duban(db, "stats", "--as-of", "2021-06-16T12:00+08:00", "--by", "deliverable", "--format", "json")).out);
    expect(json.lines[0]).toMatchObject({ key: "report", name: "半年报告", onTime: 1, overdue: 1 });
    const csv = (await duban(db, "stats", "--as-of", "2021-07-20T12:00+08:00", "--format", "csv")).out.trim().split("\n");
    expect(csv[0]).toBe("unit_id,单位,应办数,按时办结,逾期办结,平均逾期工作日,最长逾期工作日,当前逾期,免报,未到期,退回次数,延期事项,已到期,按时完成率,逾期率");
    expect(csv[1]).toBe("north,北区,2,1,0,,,0,1,0,0,0,1,1,0");
    expect(csv).toHaveLength(5);
  });

  it("says in one line when the store begins, for an --as-of before it", async () => {
    const { db, close } = await played("2021-06-10T10:00");
    await close();
    const r = await duban(db, "--now", "2021-06-10T10:00+08:00", "stats", "--as-of", "2021-03-01T00:00+08:00");
    expect(r.code).toBe(1);
    expect(r.err.trim()).toBe("duban: 2021-03-01 周一 00:00 早于本存储的第一条记录：专项行动于 2021-04-28 周三 10:00 建立（计划自 2021-05-01 起）；请选择此后的时刻");
    const bad = await duban(db, "stats", "--as-of", "昨天");
    expect(bad.err).toContain("--as-of 昨天：不是有效时刻");
  });
});

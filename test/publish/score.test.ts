import { afterEach, describe, expect, it } from "vitest";
import { Campaign } from "../../src/campaign/campaign.ts";
import { main } from "../../src/cli/main.ts";
import { loadPlan } from "../../src/plan/load.ts";
import { formatDiagnostic } from "../../src/plan/diagnostics.ts";
import { scores, type ScoreLine } from "../../src/publish/score.ts";
import { publishedStatistics } from "../../src/publish/stats-scored.ts";
import { publishedAsOf, publishedNow } from "../../src/publish/source.ts";
import { openStore } from "../../src/store/open.ts";
import { captureIo, cst } from "../helpers.ts";
import { act, initCampaign, planFile, played, PUBLISH_PLAN, SCORED_PLAN, STORY } from "./fixture.ts";

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});


const ranked = (lines: ScoreLine[]) => lines.map((l) => [l.rank, l.key, l.score]);

describe("考评 scores as of an instant", () => {
  it("adds up the known story, hand-checked, with the item cap and the unit floor", async () => {
    const { c } = await played();
    // 07-20: north: report on time +2, summary waived 0. south: report 4 working days late after one
    // return: -2 - 1 = -3 (at the cap), summary on time under its override +3. east: report overdue 17
    // working days since its extended due (-8.5, capped at -3), summary 3 working days overdue (-1.5):
    // -4.5, floored at -4.
    const s = scores(await publishedAsOf(c, cst("2021-07-20T12:00")));
    expect(ranked(s.lines)).toEqual([
      [1, "north", 2],
      [2, "south", 0],
      [3, "east", -4],
    ]);
    const east = s.lines[2]!;
    expect(east).toMatchObject({ name: "东区", itemPoints: -4.5, bounded: true, overdue: 2, assigned: 2 });
    expect(s.lines[1]).toMatchObject({ itemPoints: 0, bounded: false, late: 1, returned: 1 });
    expect(s.rules.base).toMatchObject({ onTime: 2, perLateDay: -0.5, perReturn: -1, itemMin: -3, itemMax: null });
    expect(s.rules.byId.summary).toMatchObject({ onTime: 3, perLateDay: -0.5 });
    expect(s.planVersion).toBe(c.plan.hash.slice(0, 12));

    // 06-16 noon: south's report is 1 working day overdue (-0.5), east's not yet due (0).
    expect(ranked(scores(await publishedAsOf(c, cst("2021-06-16T12:00"))).lines)).toEqual([
      [1, "north", 2],
      [2, "east", 0],
      [3, "south", -0.5],
    ]);
  });

  it("ranks equal scores together, in the plan's order of units", async () => {
    const { c } = await played();
    // 06-11: only north has handed anything in; south and east both stand at 0.
    expect(ranked(scores(await publishedAsOf(c, cst("2021-06-11T10:00"))).lines)).toEqual([
      [1, "north", 2],
      [2, "south", 0],
      [2, "east", 0],
    ]);
  });

  it("gives the same ranking live and, later, from the log alone", async () => {
    const { c, db } = await initCampaign(undefined, SCORED_PLAN);
    closers.push(async () => c.store.close());
    const live = new Map<string, unknown>();
    for (const s of STORY) {
      await act(c, s.input, s.at);
      live.set(s.at, scores(publishedNow(c, cst(s.at))));
    }
    const store = await openStore(db);
    closers.push(() => store.close());
    const later = await Campaign.open(store);
    for (const s of STORY) expect(scores(await publishedAsOf(later, cst(s.at)))).toEqual(live.get(s.at));
  });

  it("scores each instant under the rules of the plan version in force then", async () => {
    const { c } = await played(SCORED_PLAN, "2021-06-28T12:00");
    // On 06-30 the office doubles the on-time points and lifts the floor: a plan change, recorded.
    const next = planFile(SCORED_PLAN.replace("  onTime: 2", "  onTime: 4").replace("unit: { min: -4 }", "unit: { min: -1 }"));
    const { events } = await c.applyPlan(next, cst("2021-06-30T09:00"), { reopenSubmitted: false, note: "考评规则调整" });
    expect(events.map((e) => e.type)).toContain("planChanged");
    for (const s of STORY) if (s.at > "2021-06-30") await act(c, s.input, s.at);
    const before = scores(await publishedAsOf(c, cst("2021-06-28T12:00")));
    const after = scores(await publishedAsOf(c, cst("2021-07-20T12:00")));
    expect(before.rules.base.onTime).toBe(2);
    expect(after.rules.base.onTime).toBe(4);
    expect(before.planVersion).not.toBe(after.planVersion);
    // 06-28 under the old rules: north +2; south -3 (capped); east report 1 working day overdue -0.5.
    expect(ranked(before.lines)).toEqual([
      [1, "north", 2],
      [2, "east", -0.5],
      [3, "south", -3],
    ]);
    // 07-20 under the new ones: north +4; south -3 + 3 = 0; east -4.5 floored at -1.
    expect(ranked(after.lines)).toEqual([
      [1, "north", 4],
      [2, "south", 0],
      [3, "east", -1],
    ]);
  });

  it("says so when the plan in force has no scoring rules", async () => {
    const { c } = await played(PUBLISH_PLAN, "2021-06-11T10:00");
    expect(() => scores(publishedNow(c, cst("2021-06-11T10:00")))).toThrow(expect.objectContaining({ code: "NO_SCORING", message: expect.stringContaining("没有考评规则") }));
  });
});

describe("scoring rules in the plan", () => {
  const problems = (text: string) => loadPlan(planFile(text)).diagnostics.filter((d) => d.severity === "error");

  it("reports a rule for an unknown deliverable at its key, with a suggestion", () => {
    const text = SCORED_PLAN.replace("    summary: { onTime: 3 }", "    summray: { onTime: 3 }");
    const errs = problems(text);
    expect(errs).toHaveLength(1);
    const line = text.split("\n").findIndex((l) => l.includes("summray")) + 1;
    expect(errs[0]).toMatchObject({ code: "UNKNOWN_REF", line, col: 5 });
    expect(formatDiagnostic(errs[0]!)).toMatch(/:\d+:5: error\[UNKNOWN_REF\]: 考评规则中的“summray”不是计划中的报送事项或任务（是否应为“summary”？）$/);
  });

  it("reports bounds the wrong way round, and a misspelt key through the schema", () => {
    const errs = problems(SCORED_PLAN.replace("item: { min: -3 }", "item: { min: 2, max: 1 }"));
    expect(errs.map((e) => [e.code, e.message])).toEqual([["SCHEMA_VALUE", "每项得分的下限 2 大于上限 1；请调整 min 或 max"]]);
    const typo = problems(SCORED_PLAN.replace("  perReturn: -1", "  perReturns: -1"));
    expect(typo.map((e) => e.code)).toEqual(["SCHEMA_UNKNOWN_KEY"]);
  });

  it("accepts a task's id for an override", () => {
    const text = PUBLISH_PLAN.replace("deliverables:\n", 'tasks:\n  - { id: inspect, title: 检查, lead: hq, support: ["@districts"] }\ndeliverables:\n') + "scoring:\n  onTime: 1\n  deliverables:\n    inspect: { onTime: 5 }\n";
    const r = loadPlan(planFile(text));
    expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(r.plan!.scoring!.byId.inspect!.onTime).toBe(5);
  });
});

describe("duban score", () => {
  async function duban(db: string, ...args: string[]) {
    const io = captureIo();
    const code = await main(["node", "duban", "--db", db, ...args], io);
    return { code, out: io.stdout, err: io.stderr };
  }

  it("prints the ranked table, JSON and CSV as of an instant", async () => {
    const { db, close } = await played();
    await close();
    const table = await duban(db, "score", "--as-of", "2021-07-20T12:00+08:00");
    expect(table.code).toBe(0);
    expect(table.out).toContain("测试专项行动  考评  截至 2021-07-20 12:00");
    expect(table.out).toMatch(/排名\s+单位\s+应办数\s+按时办结\s+逾期办结\s+当前逾期\s+免报\s+退回次数\s+按时完成率\s+得分/);
    expect(table.out).toMatch(/1\s+北区\s+2\s+1\s+0\s+0\s+1\s+0\s+100\.0%\s+2\n/);
    expect(table.out).toMatch(/3\s+东区\s+2\s+0\s+0\s+2\s+0\s+0\s+0\.0%\s+-4\*/);
    expect(table.out).toContain("* 单位得分已按考评规则的上下限计（最低 -4 分）");
    const json = JSON.parse((await duban(db, "score", "--as-of", "2021-07-20T12:00+08:00", "--format", "json")).out);
    expect(json.lines.map((l: ScoreLine) => l.key)).toEqual(["north", "south", "east"]);
    const csv = (await duban(db, "score", "--as-of", "2021-07-20T12:00+08:00", "--format", "csv")).out.trim().split("\n");
    expect(csv[0]).toBe("rank,unit_id,单位,应办数,按时办结,逾期办结,当前逾期,免报,退回次数,按时完成率,得分,单项合计");
    expect(csv[3]).toBe("3,east,东区,2,0,0,2,0,0,0,-4,-4.5");
  });

  it("refuses in one line when the plan has no scoring rules", async () => {
    const { db, close } = await played(PUBLISH_PLAN, "2021-06-11T10:00");
    await close();
    const r = await duban(db, "--now", "2021-06-11T10:00+08:00", "score");
    expect(r.code).toBe(1);
    expect(r.err.trim()).toBe("duban: 计划（当时生效的版本）没有考评规则；请在计划中加入 scoring: 段并 plan apply（见 README“What the office publishes”）");
  });
});

describe("考评 in the statistics", () => {
  async function duban(db: string, ...args: string[]) {
    const io = captureIo();
    const code = await main(["node", "duban", "--db", db, ...args], io);
    return { code, out: io.stdout, err: io.stderr };
  }
  const scored = (lines: { key: string; score?: number; rank?: number }[]) => lines.map((l) => [l.key, l.score, l.rank]);

  it("gives each unit its score and rank at the same instant, in the plan's order of units", async () => {
    const { c } = await played();
    const state = await publishedAsOf(c, cst("2021-07-20T12:00"));
    const s = publishedStatistics(state, "unit");
    // The hand-checked ranking above (north 2, south 0, east -4), on the statistics' own lines.
    expect(scored(s.lines)).toEqual([["north", 2, 1], ["south", 0, 2], ["east", -4, 3]]);
    expect(s.lines[2]).toMatchObject({ overdue: 2, assigned: 2 });
    expect(s.total.score).toBeUndefined();
    // Other groupings are not ranked.
    expect(publishedStatistics(state, "deliverable").lines.every((l) => l.score === undefined && l.rank === undefined)).toBe(true);
  });

  it("carries 得分 and 排名 in the table, JSON and CSV of duban stats --by unit", async () => {
    const { db, close } = await played();
    await close();
    const at = ["stats", "--as-of", "2021-07-20T12:00+08:00", "--by", "unit"];
    const table = (await duban(db, ...at)).out;
    expect(table).toMatch(/逾期率\s+得分\s+排名\n/);
    expect(table).toMatch(/东区 .*\s-4\s+3\n/);
    expect(table).toMatch(/合计 .*\s—\s+—\s*$/);
    const json = JSON.parse((await duban(db, ...at, "--format", "json")).out);
    expect(scored(json.lines)).toEqual([["north", 2, 1], ["south", 0, 2], ["east", -4, 3]]);
    const csv = (await duban(db, ...at, "--format", "csv")).out.trim().split("\n");
    expect(csv[0]).toMatch(/,按时完成率,逾期率,得分,排名$/);
    expect(csv[3]).toMatch(/^east,东区,.*,-4,3$/);
    expect(csv[4]).toMatch(/^,合计,.*,,$/);
  });

  it("has no score fields when the plan has no scoring rules", async () => {
    const { c, db, close } = await played(PUBLISH_PLAN, "2021-06-16T12:00");
    const s = publishedStatistics(publishedNow(c, cst("2021-06-16T12:00")), "unit");
    expect(s.lines.length).toBeGreaterThan(0);
    for (const l of [...s.lines, s.total]) expect(Object.keys(l)).not.toEqual(expect.arrayContaining(["score"]));
    for (const l of s.lines) expect("rank" in l).toBe(false);
    await close();
    const out = await duban(db, "--now", "2021-06-16T12:00+08:00", "stats", "--format", "csv");
    expect(out.code).toBe(0);
    expect(out.out.split("\n")[0]).not.toMatch(/得分|排名/);
    expect(out.out.split("\n")[0]).toMatch(/,逾期率$/);
  });
});

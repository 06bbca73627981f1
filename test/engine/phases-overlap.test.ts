import { describe, expect, it } from "vitest";
import { boardRows } from "../../src/campaign/board.ts";
import { Engine, type PersistedEngine } from "../../src/engine/engine.ts";
import type { DomainEvent } from "../../src/engine/types.ts";
import { loadPlanText } from "../../src/plan/load.ts";
import { planTable } from "../../src/present/plan-text.ts";
import { composeDailySummary } from "../../src/reminders/summary.ts";
import { phaseCounts } from "../../src/web/views/board.ts";
import { cst } from "../helpers.ts";
import { planText } from "../plan/minimal-plan.ts";

/**
 * 边查边改: inspection (05-01 to 08-31) and rectification (06-01 to 10-31) side by side. Every item is
 * due on 2021-07-15, inside both phases, so only the plan can say where each belongs.
 */
const text = planText({
  20: "  - { id: inspection, name: 检查阶段, start: 2021-05-01, end: 2021-08-31 }",
  21: "  - { id: rectification, name: 整改阶段, start: 2021-06-01, end: 2021-10-31 }",
  23: ['  - { id: inspect, title: 检查, lead: hq, support: ["@districts"], phases: [inspection] }', '  - { id: rectify, title: 整改, lead: hq, support: [north], phases: [rectification], due: 2021-07-15 }'],
  25: [
    '  - { id: report, title: 检查报告, phase: inspection, from: ["@districts"], due: 2021-07-15 }',
    '  - { id: fixes, title: 整改清单, task: rectify, from: ["@districts"], due: 2021-07-15 }',
    '  - { id: misc, title: 其他材料, from: [north], due: 2021-07-15 }',
  ],
});
const r = loadPlanText("plan.yaml", text);
const plan = r.plan!;
const phaseOfId = (id: string) => plan.assignments.find((a) => a.id === id)!.phase;

describe("overlapping phases", () => {
  it("validate with no diagnostic (a phase may start before the previous one ends)", () => {
    expect(r.diagnostics).toEqual([]);
    expect(plan.phases.map((p) => [p.id, p.start, p.end])).toEqual([
      ["inspection", "2021-05-01", "2021-08-31"],
      ["rectification", "2021-06-01", "2021-10-31"],
    ]);
  });

  it("place each item in its own phase: the one it names, its task's, else the first listed that holds its due date", () => {
    expect(phaseOfId("report/north")).toBe("inspection");
    expect(phaseOfId("fixes/north")).toBe("rectification"); // its task runs in rectification
    expect(phaseOfId("misc/north")).toBe("inspection"); // no phase, no task: the first listed
    expect(phaseOfId("inspect/hq")).toBe("inspection"); // a task's own items: its phase, not the date's
    expect(phaseOfId("rectify/north")).toBe("rectification");
  });

  it("the board, its per-phase counts, the plan table and the daily summary count by that phase", () => {
    const engine = new Engine(plan);
    engine.tick(cst("2021-07-01T10:00"));
    const rows = boardRows(plan, engine.calendar, engine.views(), cst("2021-07-01T10:00"));
    expect(rows.find((x) => x.id === "fixes/south")!.phase).toBe("rectification");
    expect(rows.find((x) => x.id === "inspect/south")!.phase).toBe("inspection");
    // inspection: report ×2, misc, inspect ×3; rectification: fixes ×2, rectify ×2
    expect(phaseCounts(plan, rows).map((c) => [c.phase, c.total])).toEqual([
      ["inspection", 6],
      ["rectification", 4],
    ]);
    const table = planTable(plan);
    const rect = table.slice(table.indexOf("■ 整改阶段"));
    expect(rect).toContain("整改清单");
    expect(rect).not.toContain("检查报告");

    const summary = composeDailySummary(
      plan,
      {
        at: cst("2021-07-01T17:00"),
        rows: engine.views().map((v) => ({ assignment: v.assignment, progress: v.progress, lateness: v.lateness, level: v.context.level, late: v.context.late })),
        failedDeliveries: [],
        head: { seq: 1, hash: "0".repeat(64) },
      },
      { calendar: engine.calendar },
    );
    expect(summary.text).toContain("检查阶段：总数 6");
    expect(summary.text).toContain("整改阶段：总数 4");
  });

  it("run side by side: the campaign is in both phases at once, each starting and ending on its own event", () => {
    const engine = new Engine(plan);
    const log: DomainEvent[] = [];
    const at = (t: string) => {
      log.push(...engine.tick(cst(t)).events);
      return [engine.campaignState(), engine.activePhases()];
    };
    expect([engine.campaignState(), engine.activePhases()]).toEqual(["notStarted", []]);
    expect(at("2021-05-10T00:00")).toEqual(["inspection", ["inspection"]]);
    expect(at("2021-07-01T00:00")).toEqual(["inspection+rectification", ["inspection", "rectification"]]);
    expect(at("2021-09-01T00:00")).toEqual(["rectification", ["rectification"]]);
    expect(at("2021-11-01T00:00")).toEqual(["closed", []]);
    const campaignEvents = log.filter((e) => !("assignment" in e)).map((e) => [e.type, "phase" in e ? e.phase : "", new Date(e.at).toISOString()]);
    expect(campaignEvents).toEqual([
      ["phaseStarted", "inspection", "2021-04-30T16:00:00.000Z"],
      ["phaseStarted", "rectification", "2021-05-31T16:00:00.000Z"],
      ["phaseEnded", "inspection", "2021-08-31T16:00:00.000Z"], // the end of 08-31, Shanghai
      ["campaignClosed", "", "2021-10-31T16:00:00.000Z"], // the last phase ends with the campaign: no separate event
    ]);
  });

  it("replays from the log and restores from a snapshot to the same state", () => {
    const live = new Engine(plan);
    const log = [...live.tick(cst("2021-07-01T00:00")).events];
    const replayed = new Engine(plan);
    for (const e of log) replayed.apply(e);
    replayed.settle(live.clock);
    expect(replayed.persist()).toEqual(live.persist());
    expect(replayed.activePhases()).toEqual(["inspection", "rectification"]);
    const restored = Engine.restore(plan, JSON.parse(JSON.stringify(live.persist())) as PersistedEngine);
    expect(restored.activePhases()).toEqual(["inspection", "rectification"]);
    expect(restored.tick(cst("2021-09-01T00:00"))).toEqual(live.tick(cst("2021-09-01T00:00")));
    expect(restored.campaignState()).toBe("rectification");
  });
});

describe("sequential phases, as before", () => {
  const seq = loadPlanText("plan.yaml", planText()).plan!;

  it("log the end of a phase at the next one's start, the end first", () => {
    const engine = new Engine(seq);
    const events = engine.tick(cst("2021-07-01T00:00")).events.filter((e) => !("assignment" in e));
    expect(events.map((e) => [e.type, "phase" in e ? e.phase : ""])).toEqual([
      ["phaseStarted", "first"],
      ["phaseEnded", "first"],
      ["phaseStarted", "second"],
    ]);
    expect(engine.campaignState()).toBe("second");
  });

  it("restore from a snapshot written before phases could overlap (campaign value: one phase id)", () => {
    const engine = new Engine(seq);
    engine.tick(cst("2021-07-02T00:00"));
    const old = { ...engine.persist(), campaign: { value: "second" } };
    const restored = Engine.restore(seq, old);
    expect(restored.persist().campaign).toEqual(engine.persist().campaign);
    expect(Engine.restore(seq, { ...old, campaign: { value: "notStarted" } }).campaignState()).toBe("notStarted");
    expect(Engine.restore(seq, { ...old, campaign: { value: "closed" } }).campaignState()).toBe("closed");
  });

  it("replay a log written before phaseEnded existed: a later phase's start ends the earlier one", () => {
    const engine = new Engine(seq);
    engine.apply({ type: "phaseStarted", at: cst("2021-05-01T00:00"), phase: "first" });
    engine.apply({ type: "phaseStarted", at: cst("2021-07-01T00:00"), phase: "second" });
    expect(engine.activePhases()).toEqual(["second"]);
  });
});

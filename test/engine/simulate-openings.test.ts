import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Campaign } from "../../src/campaign/campaign.ts";
import { decodeEvent } from "../../src/campaign/codec.ts";
import { main } from "../../src/cli/main.ts";
import { Engine } from "../../src/engine/engine.ts";
import type { DomainEvent, UnitAction } from "../../src/engine/types.ts";
import { loadPlan } from "../../src/plan/load.ts";
import type { ResolvedPlan } from "../../src/plan/types.ts";
import { loadActionsFile, type ScheduledAction } from "../../src/simulate/actions-file.ts";
import { simulate, type TimelineEntry } from "../../src/simulate/simulate.ts";
import { SqliteStore } from "../../src/store/sqlite.ts";
import { captureIo, cst, tempFile } from "../helpers.ts";
import { kindsPlanFile } from "../items/kinds-plan.ts";

const PLAN = kindsPlanFile();
const ACTIONS = "test/fixtures/kinds-campaign-actions.yaml";
const plan: ResolvedPlan = (() => {
  const r = loadPlan(PLAN);
  if (!r.plan) throw new Error(r.diagnostics.map((d) => d.message).join("\n"));
  return r.plan;
})();

function actions(file = ACTIONS): ScheduledAction[] {
  const r = loadActionsFile(file, plan);
  expect(r.diagnostics).toEqual([]);
  return r.actions!;
}

/**
 * The actions as a live host takes them: each at its instant (an action on a ref acting on the id its
 * opening got), and a tick at every instant the simulated log has an event, as a daemon would run.
 */
async function playLive(acts: ScheduledAction[], log: DomainEvent[], step: (a: UnitAction, at: number) => { events: { type: string; assignment?: string }[] } | Promise<{ events: { type: string; assignment?: string }[] }>, tick: (at: number) => unknown): Promise<void> {
  const refs = new Map<string, string>();
  let k = 0;
  for (const at of [...new Set([...acts.map((a) => a.at), ...log.map((e) => e.at)])].sort((a, b) => a - b)) {
    while (k < acts.length && acts[k]!.at <= at) {
      const a = acts[k++]!;
      if (a.target && !refs.has(a.target)) continue;
      const r = await step(a.target && a.action.type !== "open" ? { ...a.action, assignment: refs.get(a.target)! } : a.action, a.at);
      const id = r.events.find((e) => e.type === "itemOpened")?.assignment;
      if (a.ref && id) refs.set(a.ref, id);
    }
    await tick(at);
  }
}

const of = (t: { entries: TimelineEntry[] }, id: string) => t.entries.filter((e) => e.assignment === id).map((e) => [e.at.slice(0, 16), e.report ?? e.reason ?? e.kind]);

describe("simulate with items that arise while the campaign runs", () => {
  const log: DomainEvent[] = [];
  const t = simulate(plan, { actions: actions(), log });

  it("opens each item at its instant, numbered per kind in opening order, and names it by its ref", () => {
    const opened = t.entries.filter((e) => e.kind === "itemOpened");
    expect(opened.map((e) => [e.at.slice(0, 16), e.assignment, e.ref, e.unit, e.actor, e.urgency])).toEqual([
      ["2021-06-01T10:00", "dubandan-001", "d1", "north", "hq", "一般"],
      ["2021-06-01T10:00", "dubandan-002", "d2", "south", "hq", "特急"],
      ["2021-06-02T10:00", "rectify-001", "r1", "south", "hq", "一般"],
      ["2021-06-03T09:00", "event-report-001", "e1", "south", "south", "一般"],
      ["2021-06-05T10:00", "dubandan-003", "d3", "north", "hq", "一般"],
    ]);
    // Its kind and title ride on every entry of the item: the plan does not list it.
    expect(t.entries.filter((e) => e.assignment === "dubandan-002").every((e) => e.itemKind === "dubandan" && e.title === "中介违规核查")).toBe(true);
    expect(opened.find((e) => e.assignment === "rectify-001")).toMatchObject({ members: ["south", "north"], due: "2021-06-18T18:00:00+08:00" });
  });

  it("a 督办单 runs the whole loop: 签收, report, return, report again (late), accepted", () => {
    expect(of(t, "dubandan-001")).toEqual([
      ["2021-06-01T10:00", "itemOpened"],
      ["2021-06-01T15:00", "acknowledged"],
      ["2021-06-07T10:00", "submitted"],
      ["2021-06-08T10:00", "returned"],
      ["2021-06-08T18:00", "overdue"],
      ["2021-06-09T10:00", "submitted"],
      ["2021-06-10T10:00", "accepted"],
    ]);
    expect(t.entries.filter((e) => e.assignment === "dubandan-001" && e.kind === "submitted").map((e) => e.late)).toEqual([false, true]);
  });

  it("a 特急 督办单 nobody acknowledged: its hour ladder and the 签收 step reach the office", () => {
    expect(of(t, "dubandan-002")).toEqual([
      ["2021-06-01T10:00", "itemOpened"],
      ["2021-06-02T08:00", "reminder"],
      ["2021-06-02T10:00", "overdue"],
      ["2021-06-02T12:00", "escalation"],
      ["2021-06-02T18:00", "unacknowledged"],
      ["2021-06-03T09:30", "submitted"],
      ["2021-06-03T11:00", "accepted"],
    ]);
    expect(t.entries.find((e) => e.reason === "unacknowledged")!.recipients).toEqual(["hq"]);
  });

  it("一事一报: 首报, 续报, 终报, then the office closes it", () => {
    expect(of(t, "event-report-001")).toEqual([
      ["2021-06-03T09:00", "itemOpened"],
      ["2021-06-04T07:00", "reminder"],
      ["2021-06-04T08:00", "first"],
      ["2021-06-10T10:00", "interim"],
      ["2021-06-15T10:00", "final"],
      ["2021-06-16T10:00", "accepted"],
    ]);
  });

  it("a joint item is handed in by its lead member only; a withdrawn item leaves the ladder", () => {
    const refusedJoint = t.entries.find((e) => e.kind === "refused" && e.assignment === "rectify-001");
    expect(refusedJoint).toMatchObject({ at: "2021-06-16T10:00:00+08:00", actor: "north", code: "NOT_PERMITTED", itemKind: "rectify", title: "某中介整改" });
    expect(of(t, "dubandan-003")).toEqual([
      ["2021-06-05T10:00", "itemOpened"],
      ["2021-06-07T11:00", "withdrawn"],
    ]);
  });

  it("openings the engine refuses show as refusals, and so does an action on the item that never opened", () => {
    const refused = t.entries.filter((e) => e.kind === "refused" && e.at >= "2021-07");
    expect(refused.map((e) => [e.at.slice(0, 16), e.code, e.actor, e.itemKind ?? e.assignment])).toEqual([
      ["2021-07-01T10:00", "NOT_OPENER", "north", "dubandan"],
      ["2021-07-01T11:00", "UNKNOWN_ASSIGNMENT", "south", "bad"],
      ["2021-10-20T10:00", "BAD_DUE", "hq", "rectify"],
    ]);
    expect(refused[1]!.message).toBe("“bad”的交办没有成功（见上文的拒绝），无从签收");
    expect(refused[2]!.message).toContain("在专项行动结束（2021-10-31）之后");
  });

  it("replaying the simulated log rebuilds the state the simulation ended in", async () => {
    const live = new Engine(plan);
    await playLive(actions(), log, (a, at) => live.step(a, at), (at) => live.tick(at));
    const replayed = new Engine(plan);
    for (const e of log) replayed.apply(e);
    replayed.settle(live.clock);
    expect(replayed.openedItems()).toEqual(live.openedItems());
    expect(replayed.views()).toEqual(live.views());
    expect(replayed.views().find((v) => v.assignment.id === "event-report-001")).toMatchObject({ progress: "accepted", context: { reports: 2 } });
  });

  it("the same actions on a SQLite campaign write the simulated log, and the store's replay agrees", async () => {
    const dir = mkdtempSync(join(tmpdir(), "duban-sim-"));
    const store = new SqliteStore(join(dir, "duban.db"));
    try {
      const c = await Campaign.init(store, PLAN, cst("2021-04-28T10:00"));
      await playLive(actions(), log, (a, at) => c.step(a, at), (at) => c.tick(at));
      const stored: DomainEvent[] = [];
      for await (const s of store.read()) {
        const e = decodeEvent(plan, s);
        if (e) stored.push(e);
      }
      // The store holds what the simulation produced, event for event (the actions file's notes included).
      const shape = (e: DomainEvent) => ["assignment" in e ? e.assignment : "", e.type, e.at];
      expect(stored.map(shape)).toEqual(log.map(shape));
      expect(stored.filter((e) => e.type === "itemOpened")).toEqual(log.filter((e) => e.type === "itemOpened"));
      const asOf = cst("2021-06-09T12:00");
      const fold = new Engine(plan);
      for (const e of log) if (e.at <= asOf) fold.apply(e);
      fold.settle(asOf);
      const then = await c.viewsAsOf(asOf);
      expect(then.views.map((v) => [v.assignment.id, v.progress, v.lateness])).toEqual(fold.views().map((v) => [v.assignment.id, v.progress, v.lateness]));
      expect(then.views.find((v) => v.assignment.id === "dubandan-001")).toMatchObject({ progress: "submitted", lateness: "overdue" });
      const reopened = await Campaign.open(store);
      expect(reopened.views().views).toEqual(c.views().views);
    } finally {
      await store.close();
    }
  });
});

describe("the actions file's openings, as text and as mistakes", () => {
  it("the timeline says 交办, 签收, 首报/续报/终报, 撤销 and 超时未签收 in Chinese", async () => {
    const io = captureIo();
    expect(await main(["node", "duban", "simulate", PLAN, "--actions", ACTIONS, "--from", "2021-06-01", "--to", "2021-06-16"], io)).toBe(0);
    const out = io.stdout;
    expect(out).toContain("10:00 已交办  督办单 dubandan-002“中介违规核查”：南区（测试局交办，特急，截止 06-02 10:00）");
    expect(out).toContain("10:00 已交办  整改事项 rectify-001“某中介整改”：南区（牵头）、北区（测试局交办，截止 06-18 18:00）");
    expect(out).toContain("09:00 已交办  新情况新问题报告 event-report-001“某公司欠薪群体事件”：南区（自行报告，首报截止 06-04 09:00）");
    expect(out).toContain("15:00 已签收  督办单 dubandan-001“欠薪线索核查”：北区");
    expect(out).toContain("18:00 超时未签收  督办单 dubandan-002“中介违规核查”：南区 → 告知 测试局");
    expect(out).toContain("08:00 首报  新情况新问题报告 event-report-001");
    expect(out).toContain("10:00 续报  新情况新问题报告 event-report-001");
    expect(out).toContain("10:00 终报  新情况新问题报告 event-report-001");
    expect(out).toContain("11:00 已撤销  督办单 dubandan-003“欠薪线索核查（重复）”：北区");
    expect(out).toContain("2021-06-01 周二  已交办 2 · 已签收 1");
  });

  it("many openings of one kind at one instant read as one line; the engine's own ids work as targets", () => {
    const rows = Array.from({ length: 5 }, (_, i) => `  - { at: "2021-06-01T10:00", as: hq, open: rectify, to: ${i % 2 ? "north" : "south"}, title: 整改${i + 1}, fields: { agency: 机构${i + 1}, problem: 问题 } }`);
    const file = tempFile("a.yaml", ["actions:", ...rows, '  - { at: "2021-06-02T10:00", as: south, submit: rectify-003 }', ""].join("\n"));
    const t = simulate(plan, { actions: actions(file), from: cst("2021-06-01"), to: cst("2021-06-02T23:00") });
    expect(t.entries.filter((e) => e.kind === "itemOpened").map((e) => e.assignment)).toEqual(["rectify-001", "rectify-002", "rectify-003", "rectify-004", "rectify-005"]);
    expect(t.entries.find((e) => e.kind === "submitted")).toMatchObject({ assignment: "rectify-003", unit: "south", title: "整改3" });
  });

  it("reports an unknown kind (nearest suggested), unknown units, bad dates, levels and fields, all at once at file:line:col", async () => {
    const text = [
      "actions:",
      '  - { at: "2021-06-01T10:00", as: hq, open: dubandn, to: north, title: 核查, fields: { basis: 批示 } }',
      '  - { at: "2021-06-31", as: hq, open: dubandan, to: [north, nrth], title: 核查, due: 2021-13-01, level: 特 急, fields: { basis: 批示, categry: 欠薪 } }',
      '  - { at: "2021-06-02", as: hq, open: dubandan, to: north, title: 核查, fields: { category: 其他 } }',
      '  - { at: "2021-06-02", as: north, acknowledge: report }',
      '  - { at: "2021-06-02", as: hq, open: dubandan, to: north, title: 核查, fields: { basis: 批示 }, ref: d1 }',
      '  - { at: "2021-06-01", as: north, acknowledge: d1 }',
      '  - { at: "2021-06-02", as: "@districts", open: event-report, title: 事件, fields: { what: 事 }, ref: e1 }',
      '  - { at: "2021-06-02", as: north, open: event-report, title: 事件, fields: { what: 事 }, ref: d1 }',
      "",
    ].join("\n");
    const file = tempFile("bad.yaml", text);
    const io = captureIo();
    expect(await main(["node", "duban", "simulate", PLAN, "--actions", file], io)).toBe(1);
    expect(io.stdout).toBe("");
    const col = (line: number, needle: string) => text.split("\n")[line - 1]!.indexOf(needle) + 1;
    expect(io.stderr.trimEnd().split("\n")).toEqual([
      `${file}:2:${col(2, "dubandn")}: error[UNKNOWN_REF]: 没有事项类型“dubandn”（是否应为“dubandan”？）；计划中的事项类型：dubandan、event-report、rectify`,
      `${file}:3:${col(3, '"2021-06-31"')}: error[BAD_DATE]: “2021-06-31”不是日期或日期时间；请写成 2021-05-18 或 2021-05-18T10:00`,
      `${file}:3:${col(3, "nrth")}: error[UNKNOWN_REF]: 未知单位“nrth”（是否应为“north”？）；to 写承办单位的 id，几个单位共同承办时写成列表`,
      `${file}:3:${col(3, "2021-13-01")}: error[BAD_DATE]: 截止时间“2021-13-01”不是日期或日期时间；请写成 2021-06-10（当天 18:00 截止）或 2021-06-10T10:00`,
      `${file}:3:${col(3, "特 急")}: error[UNKNOWN_REF]: “督办单”没有紧急程度“特 急”（是否应为“特急”？）；可选：一般、特急`,
      `${file}:3:${col(3, "categry")}: error[SCHEMA_VALUE]: “督办单”没有字段“categry”（是否应为“category”？）；可用：basis（交办依据）、category（问题类别）`,
      `${file}:4:${col(4, "{ category")}: error[SCHEMA_VALUE]: 交办依据必须填写`,
      `${file}:4:${col(4, "其他")}: error[SCHEMA_VALUE]: 问题类别只能是 欠薪、中介违规 之一（“其他”）`,
      `${file}:5:${col(5, "report")}: error[WRONG_KIND]: 签收只用于运行中交办的事项：请写交办时的 ref，或事项编号（如 dubandan-001）`,
      `${file}:7:${col(7, "d1")}: error[UNKNOWN_REF]: “d1”在 2021-06-02 12:00 才交办（第 6 行），不能在此之前签收`,
      `${file}:8:${col(8, "e1")}: error[SCHEMA_VALUE]: ref 只能用于一个单位的交办；“@districts”是一组单位，每个单位各开一项，请逐个写出并各给一个 ref`,
      `${file}:9:${col(9, "d1 }")}: error[DUPLICATE_ID]: ref “d1”已在第 6 行用过；每次交办的 ref 须各不相同`,
    ]);
  });

  it("without `to`, each unit of a group opens its own 一事一报 to itself", () => {
    const file = tempFile("a.yaml", '- { at: "2021-06-03T10:00", as: "@districts", open: event-report, title: 汛期欠薪风险, fields: { what: 排查 } }\n');
    const t = simulate(plan, { actions: actions(file), from: cst("2021-06-03"), to: cst("2021-06-03T23:00") });
    expect(t.entries.filter((e) => e.kind === "itemOpened").map((e) => [e.assignment, e.unit, e.actor])).toEqual([
      ["event-report-001", "north", "north"],
      ["event-report-002", "south", "south"],
    ]);
  });
});

describe("replay of a simulated campaign with openings, for any stream of openings and reports", () => {
  const op = fc.record({
    day: fc.integer({ min: 0, max: 40 }),
    minute: fc.integer({ min: 8 * 60, max: 20 * 60 }),
    kind: fc.constantFrom("dubandan", "event-report", "rectify"),
    unit: fc.constantFrom("north", "south"),
    level: fc.constantFrom("一般", "特急"),
    ack: fc.option(fc.integer({ min: 10, max: 3000 })),
    reports: fc.array(fc.integer({ min: 60, max: 6 * 24 * 60 }), { maxLength: 3 }),
    review: fc.constantFrom("accept", "return", "withdraw", "none"),
  });

  it("the log replays to the state of an engine that took the same actions live", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 8 }), async (ops) => {
        const start = cst("2021-06-01T00:00");
        const acts: ScheduledAction[] = [];
        ops.forEach((o, i) => {
          const at = start + o.day * 86_400_000 + o.minute * 60_000;
          const ref = `x${i}`;
          const hq = { kind: "unit", unit: "hq" } as const;
          const owner = { kind: "unit", unit: o.unit } as const;
          const fields = o.kind === "dubandan" ? { basis: "批示" } : o.kind === "rectify" ? { agency: `机构${i}`, problem: "问题" } : { what: "事" };
          const open: UnitAction = { type: "open", kind: o.kind, to: [o.unit], title: `事项${i}`, fields, actor: o.kind === "event-report" ? owner : hq, ...(o.kind === "dubandan" ? { level: o.level } : {}) };
          acts.push({ at, action: open, ref });
          const on = (type: "acknowledge" | "submit" | "accept" | "return" | "withdraw", when: number, extra: object = {}) =>
            acts.push({ at: when, action: { type, assignment: ref, actor: type === "acknowledge" || type === "submit" ? owner : hq, ...extra } as UnitAction, target: ref });
          if (o.ack !== null) on("acknowledge", at + o.ack * 60_000);
          let t = at;
          o.reports.forEach((m, j) => on("submit", (t += m * 60_000), j === o.reports.length - 1 ? { final: true } : {}));
          if (o.review !== "none") on(o.review, t + 3_600_000);
        });
        acts.sort((a, b) => a.at - b.at);
        const log: DomainEvent[] = [];
        const end = cst("2021-07-31T23:00");
        simulate(plan, { actions: acts, to: end, log });
        const live = new Engine(plan);
        await playLive(
          acts.filter((a) => a.at <= end),
          log,
          (a, at) => live.step(a, at),
          (at) => live.tick(at),
        );
        const replayed = new Engine(plan);
        for (const e of log) replayed.apply(e);
        replayed.settle(live.clock);
        expect(replayed.openedItems()).toEqual(live.openedItems());
        expect(replayed.views()).toEqual(live.views());
        // Numbered per kind, in opening order, without gaps.
        for (const kind of ["dubandan", "event-report", "rectify"]) {
          const ids = live.openedItems().filter((x) => x.opened!.kind === kind).map((x) => x.id);
          expect(ids).toEqual(ids.map((_, n) => `${kind}-${String(n + 1).padStart(3, "0")}`));
        }
      }),
      { numRuns: 40 },
    );
  });
});

import { renderRefusal } from "../../src/text/refusals.ts";
import { describe, expect, it } from "vitest";
import { Engine } from "../../src/engine/engine.ts";
import { resolveRecipients } from "../../src/engine/ladder.ts";
import { buildSchedule, type Trigger } from "../../src/engine/schedule.ts";
import { calendarOf } from "../../src/engine/calendar-of.ts";
import { loadPlanText } from "../../src/plan/load.ts";
import type { Policy, PolicyStep, ResolvedPlan } from "../../src/plan/types.ts";
import { cst } from "../helpers.ts";
import { BASE, planText } from "../plan/minimal-plan.ts";

/**
 * Rules of the ladder that the Chongqing plan does not exercise (found by mutation testing): hour offsets
 * and their snapping to a working day's send time, the order of triggers at one instant, every recipient
 * role, and who may act for whom.
 */

function load(text: string): ResolvedPlan {
  const r = loadPlanText("plan.yaml", text);
  if (!r.plan) throw new Error(r.diagnostics.map((d) => `${d.line}:${d.col} ${d.message}`).join("\n"));
  return r.plan;
}

const minimal = load(planText());
const calendar = calendarOf(minimal);
const step = (index: number, at: string, level = 0, repeat = 0): PolicyStep => {
  const m = /^([+-]?\d+)(wd|h)$/.exec(at)!;
  return { index, offset: Number(m[1]), unit: m[2] as "wd" | "h", notify: ["assignee"], level, repeat };
};
const policy = (dueSoon: number, ...steps: PolicyStep[]): Policy => ({ id: "p", dueSoon, steps });
const reminders = (triggers: Trigger[]) => triggers.filter((t) => t.type === "reminded").map((t) => [new Date(t.at).toISOString(), (t as { step: number }).step]);
const utc = (local: string) => new Date(cst(local)).toISOString();

describe("hour offsets go out at a working day's send time at or after the instant they name", () => {
  // Due Thursday 2021-06-17 18:00; send time 09:00.
  const due = cst("2021-06-17T18:00");
  const ctx = { calendar, sendAt: "09:00", campaignEndAt: cst("2021-11-01T00:00") };
  const at = (...steps: PolicyStep[]) => reminders(buildSchedule(ctx, policy(3, ...steps), cst("2021-05-01T00:00"), due).triggers);

  it("an instant exactly at a send time keeps it: -33h is Wednesday 09:00", () => {
    expect(at(step(0, "-33h"))).toEqual([[utc("2021-06-16T09:00"), 0]]);
  });

  it("an instant after the send time moves to the next working day's: -32h (Wednesday 10:00) is Thursday 09:00", () => {
    expect(at(step(0, "-32h"))).toEqual([[utc("2021-06-17T09:00"), 0]]);
  });

  it("after the due instant: +15h is Friday 09:00, +63h (Sunday 09:00) is Monday 09:00", () => {
    expect(at(step(0, "+15h"), step(1, "+63h"))).toEqual([
      [utc("2021-06-18T09:00"), 0],
      [utc("2021-06-21T09:00"), 1],
    ]);
  });

  it("repeats every N working days from there", () => {
    expect(at(step(0, "+15h", 1, 2)).slice(0, 3)).toEqual([
      [utc("2021-06-18T09:00"), 0],
      [utc("2021-06-22T09:00"), 0],
      [utc("2021-06-24T09:00"), 0],
    ]);
  });
});

describe("triggers at one instant", () => {
  it("open first, then due soon, then reminders by level (by step within a level), overdue last", () => {
    // Send time = due time, no warning days, everything on the day: one instant holds every kind of trigger.
    const due = cst("2021-06-17T18:00");
    const ctx = { calendar, sendAt: "18:00", campaignEndAt: cst("2021-11-01T00:00") };
    const s = buildSchedule(ctx, policy(0, step(0, "0wd", 2), step(1, "0wd", 0), step(2, "0wd", 1), step(3, "0wd", 1)), due, due);
    expect(s.triggers.map((t) => (t.type === "reminded" ? `reminded:${t.step}` : t.type))).toEqual(["opened", "dueSoon", "reminded:1", "reminded:2", "reminded:3", "reminded:0", "overdue"]);
    expect(new Set(s.times)).toEqual(new Set([due]));
  });
});

describe("recipients of a step", () => {
  // north owes d2 to south under task inspect (led by hq); hq hosts the office, boss directs it, chief leads the group.
  const plan = load(
    planText({
      12: [BASE[11]!, "  - { id: chief, name: 李四, kind: person, parent: hq, contacts: { email: [chief@example.gov.cn] } }"],
      17: "  leader: chief",
      25: [BASE[24]!, "  - { id: d2, title: 乙, task: inspect, from: [north], to: south, due: 2021-06-15 }"],
    }),
  );
  const d2 = plan.assignments.find((a) => a.id === "d2/north")!;

  it("resolves every role and plain unit ids, in order, once each", () => {
    expect([d2.unit, d2.to, d2.lead]).toEqual(["north", "south", "hq"]);
    expect(resolveRecipients(plan, d2, ["assignee", "recipient", "lead", "office", "director", "leader", "north", "boss"])).toEqual(["north", "south", "hq", "boss", "chief"]);
    expect(resolveRecipients(plan, d2, ["leader", "south"])).toEqual(["chief", "south"]);
    // One role at a time, so that no role can pass by falling through to another.
    const each = Object.fromEntries(["assignee", "recipient", "lead", "office", "director", "leader"].map((r) => [r, resolveRecipients(plan, d2, [r])]));
    expect(each).toEqual({ assignee: ["north"], recipient: ["south"], lead: ["hq"], office: ["hq"], director: ["boss"], leader: ["chief"] });
  });

  it("an office without a director: the director's steps go to the office", () => {
    const noDirector = load(planText({ 18: "  office: { unit: hq }" }));
    const a = noDirector.assignments.find((x) => x.id === "report/north")!;
    expect(resolveRecipients(noDirector, a, ["director"])).toEqual(["hq"]);
  });
});

describe("who may act", () => {
  // sub is a division of hq (a department with a parent), not a person: it does not speak for hq.
  const plan = load(planText({ 12: [BASE[11]!, "  - { id: sub, name: 分局, kind: department, parent: hq, contacts: { email: [sub@example.gov.cn] } }"] }));
  const at = cst("2021-05-10T10:00");
  const ID = "inspect/hq";

  it("a person acts for their unit; a division does not act for its parent", () => {
    const e = new Engine(plan);
    const division = e.step({ type: "submit", assignment: ID, actor: { kind: "unit", unit: "sub" } }, at);
    expect(division.refused).toMatchObject({ code: "NOT_PERMITTED" });
    expect(renderRefusal(plan, division.refused!)).toBe("分局无权报送：只有责任单位测试局可以报送“检查”");
    expect(e.step({ type: "submit", assignment: ID, actor: { kind: "unit", unit: "boss" } }, at).refused).toBeUndefined();
  });

  it("the office director acts as the office even when the office is not their own unit", () => {
    // dir belongs to north, not to hq (the office's host): only the director rule lets dir waive.
    const p = load(planText({ 12: [BASE[11]!, "  - { id: dir, name: 王五, kind: person, parent: north, contacts: { email: [dir@example.gov.cn] } }"], 18: "  office: { unit: hq, director: dir }" }));
    const e = new Engine(p);
    expect(e.step({ type: "waive", assignment: "report/south", actor: { kind: "unit", unit: "dir" } }, at).refused).toBeUndefined();
    expect(e.view("report/south")!.progress).toBe("waived");
    expect(e.step({ type: "waive", assignment: "report/north", actor: { kind: "unit", unit: "north" } }, at).refused?.code).toBe("NOT_PERMITTED");
  });

  it("an actor the plan does not know, and the engine itself, are refused with the rule", () => {
    const e = new Engine(plan);
    const nobody = e.step({ type: "submit", assignment: ID, actor: { kind: "unit", unit: "nobody" } }, at).refused!;
    expect(nobody).toEqual({ code: "UNKNOWN_ACTOR", params: { actor: "nobody" } });
    expect(renderRefusal(plan, nobody)).toBe("计划中没有单位或人员“nobody”");
    const engine = e.step({ type: "submit", assignment: ID, actor: { kind: "engine" } }, at).refused;
    expect(engine?.code).toBe("NOT_PERMITTED");
    expect(renderRefusal(plan, engine!)).toBe("系统无权报送：只有责任单位测试局可以报送“检查”");
    expect(e.view(ID)!.progress).toBe("open");
  });
});

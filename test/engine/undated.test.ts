import { renderRefusal } from "../../src/text/refusals.ts";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { boardRows } from "../../src/campaign/board.ts";
import { Engine, type PersistedEngine } from "../../src/engine/engine.ts";
import type { DomainEvent } from "../../src/engine/types.ts";
import { loadPlanText } from "../../src/plan/load.ts";
import type { ResolvedPlan } from "../../src/plan/types.ts";
import { cst } from "../helpers.ts";
import { planText } from "../plan/minimal-plan.ts";

function load(edits: Record<number, string> = {}): ResolvedPlan {
  const r = loadPlanText("plan.yaml", planText(edits));
  if (!r.plan) throw new Error(r.diagnostics.map((d) => d.message).join("\n"));
  return r.plan;
}

const undated = load();
// The same task with a deadline of its own: the ladder (0wd, to the assignee) applies.
const DATED_TASK = '  - { id: inspect, title: 检查, lead: hq, support: ["@districts"], phases: [first], due: end:first }';
const dated = load({ 23: DATED_TASK });
const TASKS = ["inspect/hq", "inspect/north", "inspect/south"];
const north = { kind: "unit" as const, unit: "north" };
const office = { kind: "unit" as const, unit: "hq" };

const ofTasks = (events: DomainEvent[]) => events.filter((e) => "assignment" in e && TASKS.includes(e.assignment));

describe("a task without due: is tracked without a deadline", () => {
  it("resolves to items with no due instant and no ladder", () => {
    const tasks = undated.assignments.filter((a) => a.kind === "task");
    expect(tasks.map((a) => [a.id, a.dueAt, a.policy])).toEqual(TASKS.map((id) => [id, null, ""]));
    expect(dated.assignments.filter((a) => a.kind === "task").map((a) => a.dueAt)).toEqual(TASKS.map(() => cst("2021-06-30T18:00")));
  });

  it("a plan whose tasks have no due: needs no defaults.taskPolicy", () => {
    // The minimal plan names only defaults.policy; a dated task falls back to it, an undated one needs none.
    expect(dated.assignments.find((a) => a.id === "inspect/north")!.policy).toBe("standard");
  });

  it("opens with its phase and is never due soon, overdue or reminded, all campaign long", () => {
    const engine = new Engine(undated);
    const r = engine.tick(undated.campaign.endAt);
    expect(ofTasks(r.events).map((e) => [e.type, "assignment" in e && e.assignment])).toEqual(TASKS.map((id) => ["opened", id]));
    expect(r.reminders.flatMap((i) => i.items).filter((it) => TASKS.includes(it.assignment))).toEqual([]);
    const rows = boardRows(undated, engine.calendar, engine.views(), undated.campaign.endAt).filter((x) => TASKS.includes(x.id));
    expect(rows.map((x) => [x.state, x.lateness, x.late, x.due, x.daysLate, x.level, x.phase])).toEqual(TASKS.map(() => ["open", "onTrack", false, null, 0, 0, "first"]));
  });

  it("the same task with due: is reminded and goes overdue (the rule is the due:, not the kind)", () => {
    const r = new Engine(dated).tick(dated.campaign.endAt);
    expect(new Set(ofTasks(r.events).map((e) => e.type))).toEqual(new Set(["opened", "dueSoon", "reminded", "overdue"]));
  });

  it("can still be handed in, never late; an extension is refused: there is no deadline to move", () => {
    const engine = new Engine(undated);
    const late = engine.step({ type: "submit", assignment: "inspect/north", actor: north }, cst("2021-10-20T10:00"));
    expect(late.refused).toBeUndefined();
    expect(late.events.find((e) => e.type === "submitted")).toMatchObject({ assignment: "inspect/north", late: false });
    expect(engine.view("inspect/north")!.context.late).toBe(false);
    const row = boardRows(undated, engine.calendar, [engine.view("inspect/north")!], cst("2021-10-21T10:00"))[0]!;
    expect([row.state, row.late, row.daysLate]).toEqual(["submitted", false, 0]);
    const ext = engine.step({ type: "extend", assignment: "inspect/south", actor: office, until: cst("2021-10-25T18:00") }, cst("2021-10-20T11:00"));
    expect(ext.refused).toMatchObject({ code: "BAD_EXTENSION", params: { reason: "noDeadline" } });
    expect(renderRefusal(engine.plan, ext.refused!)).toBe("“检查”没有截止时间，无需延期");
    expect(ext.events.filter((e) => e.type === "extended")).toEqual([]);
  });

  it("keeps no deadline across persist and restore (JSON)", () => {
    const a = new Engine(undated);
    a.tick(cst("2021-05-10T10:00"));
    const b = Engine.restore(undated, JSON.parse(JSON.stringify(a.persist())) as PersistedEngine);
    expect(b.view("inspect/north")!.context.dueAt).toBeNull();
    expect(ofTasks(b.tick(undated.campaign.endAt).events)).toEqual([]);
  });

  it("a plan change that takes a task's deadline away clears its lateness and stops its ladder", () => {
    const engine = new Engine(dated);
    engine.step({ type: "extend", assignment: "inspect/south", actor: office, until: cst("2021-07-05T18:00") }, cst("2021-06-01T10:00"));
    engine.tick(cst("2021-07-08T10:00"));
    expect(engine.view("inspect/north")!.lateness).toBe("overdue");
    expect(engine.view("inspect/south")!.lateness).toBe("overdue");
    const { engine: next, events } = engine.migrate(undated, cst("2021-07-08T11:00"), { reopenSubmitted: false });
    expect(events).toEqual([]);
    for (const id of TASKS) {
      const v = next.view(id)!;
      expect([v.progress, v.lateness, v.context.dueAt, v.context.level]).toEqual(["open", "onTrack", null, 0]);
    }
    expect(ofTasks(next.tick(undated.campaign.endAt).events)).toEqual([]);
  });

  it("property: whatever the ticks and hand-ins, an undated item has no event but opened and submitted", () => {
    const { startAt, endAt } = undated.campaign;
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: startAt, max: endAt }), { minLength: 1, maxLength: 12 }),
        fc.array(fc.record({ at: fc.integer({ min: startAt, max: endAt }), id: fc.constantFrom(...TASKS) }), { maxLength: 4 }),
        (ticks, submits) => {
          const engine = new Engine(undated);
          const events: DomainEvent[] = [];
          const inputs = [...ticks.map((at) => ({ at, id: undefined as string | undefined })), ...submits].sort((x, y) => x.at - y.at);
          for (const i of inputs) {
            const unit = i.id?.split("/")[1];
            const r = i.id ? engine.step({ type: "submit", assignment: i.id, actor: { kind: "unit", unit: unit! } }, i.at) : engine.tick(i.at);
            events.push(...r.events);
            expect(r.reminders.flatMap((x) => x.items).filter((it) => TASKS.includes(it.assignment))).toEqual([]);
          }
          for (const e of ofTasks(events)) {
            expect(["opened", "submitted"]).toContain(e.type);
            if (e.type === "submitted") expect(e.late).toBe(false);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});

import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { boardRows, type BoardRow } from "../../src/campaign/board.ts";
import { formatInstant, type EpochMs, type WorkCalendar } from "../../src/engine/calendar.ts";
import { Engine, type AssignmentView } from "../../src/engine/engine.ts";
import type { DomainEvent } from "../../src/engine/types.ts";
import { isOutstanding } from "../../src/model/states.ts";
import { loadPlan } from "../../src/plan/load.ts";
import { phaseOf } from "../../src/plan/phase-of.ts";
import type { ResolvedPlan } from "../../src/plan/types.ts";
import { loadActionsFile } from "../../src/simulate/actions-file.ts";
import { simulate } from "../../src/simulate/simulate.ts";
import { syntheticActions } from "../../src/simulate/synthetic-actions.ts";
import { kindsPlanFile } from "../items/kinds-plan.ts";

/** boardRows as it was written before it was built field by field (commit 3a6274a): the reference. */
function referenceRows(plan: ResolvedPlan, calendar: WorkCalendar, views: AssignmentView[], now: EpochMs): BoardRow[] {
  const zone = plan.campaign.timezone;
  return views.map((v) => {
    const c = v.context;
    const owed = isOutstanding(v.progress);
    const dueAt = c.dueAt;
    const lateNow = owed && dueAt !== null && now > dueAt;
    const until = owed ? now : (c.submittedAt ?? now);
    const daysLate = dueAt !== null && (lateNow || c.late) ? Math.max(0, calendar.workingDaysBetween(calendar.dateOf(dueAt), calendar.dateOf(until))) : 0;
    const a = v.assignment;
    const phase = phaseOf(plan, a);
    return {
      id: a.id,
      unit: a.unit,
      title: a.title,
      ...(a.deliverable ? { deliverable: a.deliverable } : {}),
      ...(a.task ? { task: a.task } : {}),
      ...(phase ? { phase } : {}),
      state: v.progress,
      lateness: v.lateness,
      late: lateNow || c.late,
      level: c.level,
      due: dueAt === null ? null : formatInstant(dueAt, zone),
      ...(a.dueAssumed !== undefined ? { dueAssumed: a.dueAssumed } : {}),
      daysLate,
      ...(c.submittedAt !== null ? { submittedAt: formatInstant(c.submittedAt, zone) } : {}),
      returns: c.returns,
      extensions: c.extensions,
      ...(c.urgedAt !== undefined ? { urgedAt: formatInstant(c.urgedAt, zone) } : {}),
      ...(a.opened
        ? {
            kind: a.opened.kind,
            urgency: a.opened.level,
            openedBy: a.opened.openedBy,
            openedAt: formatInstant(a.opensAt, zone),
            ...(a.members ? { members: a.members } : {}),
            ...(a.ackDueAt !== undefined ? { acknowledgedAt: c.acknowledgedAt ? formatInstant(c.acknowledgedAt, zone) : null } : {}),
            ...(a.opened.followUpEveryWorkingDays !== undefined ? { reports: c.reports ?? 0 } : {}),
          }
        : {}),
    };
  });
}

function planOf(file: string): ResolvedPlan {
  const r = loadPlan(file);
  if (!r.plan) throw new Error(r.diagnostics.map((d) => d.message).join("\n"));
  return r.plan;
}

/** The board at ten instants of a simulated year equals the reference's, key order and undefined-valued keys included. */
function expectSameBoards(plan: ResolvedPlan, log: DomainEvent[]): number {
  const engine = new Engine(plan);
  const span = plan.campaign.endAt - plan.campaign.startAt;
  let k = 0;
  let compared = 0;
  for (let p = 0; p <= 10; p++) {
    const at = plan.campaign.startAt + Math.round((span * p) / 10);
    while (k < log.length && log[k]!.at <= at) engine.apply(log[k++]!);
    engine.settle(at);
    const views = engine.views();
    const rows = boardRows(plan, engine.calendar, views, at);
    const want = referenceRows(plan, engine.calendar, views, at);
    expect(rows).toStrictEqual(want);
    expect(rows.map((r) => Object.keys(r).join(","))).toEqual(want.map((r) => Object.keys(r).join(",")));
    compared += rows.length;
  }
  return compared;
}

describe("boardRows", () => {
  it("gives the plan's own items the rows it gave them (deliverables, tasks, phases, assumed deadlines, late hand-ins)", () => {
    const plan = planOf(fileURLToPath(new URL("../../plans/chongqing-2021.yaml", import.meta.url)));
    const log: DomainEvent[] = [];
    simulate(plan, { actions: syntheticActions(plan), log });
    expect(log.some((e) => e.type === "submitted")).toBe(true);
    expect(expectSameBoards(plan, log)).toBeGreaterThan(0);
  });

  it("gives items opened at run time the rows it gave them (kind, urgency, members, acknowledgement, interim reports, 催办)", () => {
    const plan = planOf(kindsPlanFile());
    const acts = loadActionsFile("test/fixtures/kinds-campaign-actions.yaml", plan);
    expect(acts.diagnostics).toEqual([]);
    const log: DomainEvent[] = [];
    simulate(plan, { actions: acts.actions!, log });
    expect(log.some((e) => e.type === "itemOpened")).toBe(true);
    expectSameBoards(plan, log);
  });
});

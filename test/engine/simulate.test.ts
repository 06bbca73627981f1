import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import type { Timeline } from "../../src/simulate/simulate.ts";
import { captureIo, chongqing, tempFile } from "../helpers.ts";

const districts = chongqing().groups.get("districts")!.members;

async function simulateJson(...extra: string[]): Promise<Timeline> {
  const io = captureIo();
  const code = await main(["node", "duban", "simulate", "plans/chongqing-2021.yaml", "--from", "2021-05-01", "--to", "2021-10-31", "--json", ...extra], io);
  expect(code).toBe(0);
  return JSON.parse(io.stdout) as Timeline;
}

describe("duban simulate on the Chongqing plan", () => {
  it("with no actions: reminders to every district before 05-20, escalations up to the office and the group leader, none on holidays", async () => {
    const t = await simulateJson();
    expect(t.from).toBe("2021-05-01T00:00:00+08:00");
    expect(t.to).toBe("2021-10-31T23:59:59+08:00");
    const before = t.entries.filter((e) => e.kind === "reminder" && e.at < "2021-05-20T18:00" && e.assignment?.startsWith("implementation-plan/"));
    expect(new Set(before.map((e) => e.unit))).toEqual(new Set(districts));
    for (const e of before) expect(e.recipients).toEqual([e.unit]);

    const esc = t.entries.filter((e) => e.kind === "escalation" && e.assignment === "implementation-plan/yuzhong");
    expect(esc.map((e) => [e.at, e.level, e.recipients])).toEqual([
      ["2021-05-21T09:00:00+08:00", 1, ["flow"]],
      ["2021-05-25T09:00:00+08:00", 2, ["flow"]],
      ["2021-05-27T09:00:00+08:00", 3, ["he-zhenguo"]],
    ]);
    // Task 2's report escalates first to its lead, the inspection corps, then the office, then the leader.
    const t2 = t.entries.filter((e) => e.kind === "escalation" && e.assignment === "enforcement-progress/yuzhong");
    expect(t2.map((e) => e.recipients)).toEqual([["inspection-corps"], ["flow"], ["he-zhenguo"]]);

    const holidays = ["2021-06-12", "2021-06-13", "2021-06-14", ...[1, 2, 3, 4, 5, 6, 7].map((d) => `2021-10-0${d}`)];
    const sent = t.entries.filter((e) => e.kind === "reminder" || e.kind === "escalation");
    expect(sent.length).toBeGreaterThan(1000);
    // The document asks no hand-in of a task: no reminder, escalation or overdue for any task item.
    const tasks = new Set(chongqing().assignments.filter((a) => a.kind === "task").map((a) => a.id));
    expect(t.entries.filter((e) => e.assignment !== undefined && tasks.has(e.assignment))).toEqual([]);
    for (const e of sent) {
      expect(holidays).not.toContain(e.at.slice(0, 10));
      expect(e.at.slice(11, 16)).toBe("09:00");
    }
    expect(t.entries.filter((e) => e.kind === "phase").map((e) => [e.at.slice(0, 10), e.phase])).toEqual([
      ["2021-05-01", "self-inspection"],
      ["2021-05-21", "concentrated"],
      ["2021-10-01", "evaluation"],
    ]);
    // "10月10日前" falls on a Sunday: due the working day before, Saturday 10-09 (a make-up working day), at 18:00.
    expect(t.entries.find((e) => e.kind === "overdue" && e.assignment === "summary-report/yuzhong")?.at).toBe("2021-10-09T18:00:00+08:00");
  });

  it("when every district submits its 05-20 deliverable on 05-18, no escalation for it appears", async () => {
    const t = await simulateJson("--actions", "test/fixtures/districts-submit-early.yaml");
    const mine = (kind: string) => t.entries.filter((e) => e.kind === kind && e.assignment?.startsWith("implementation-plan/"));
    expect(mine("submitted")).toHaveLength(38);
    expect(mine("submitted").every((e) => e.late === false && e.at === "2021-05-18T10:00:00+08:00")).toBe(true);
    expect(mine("accepted")).toHaveLength(38);
    expect(mine("escalation")).toEqual([]);
    expect(mine("overdue")).toEqual([]);
    // The other 05-20 deliverable, not submitted, still escalates.
    expect(t.entries.some((e) => e.kind === "escalation" && e.assignment?.startsWith("self-inspection-report/"))).toBe(true);
  });

  it("reports a refused action with its reason instead of applying it", async () => {
    const file = tempFile("a.yaml", "- { at: 2021-05-18, as: fuling, submit: implementation-plan/yuzhong }\n");
    const t = await simulateJson("--actions", file);
    const refused = t.entries.filter((e) => e.kind === "refused");
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ assignment: "implementation-plan/yuzhong", actor: "fuling", code: "NOT_PERMITTED" });
  });

  it("points at the line of a bad actions file and runs nothing", async () => {
    const file = tempFile("bad.yaml", "actions:\n  - { at: 2021-05-18, as: yuzhong, submit: implementation-plan }\n  - { at: 2021-05-18, as: yuzhongg, submit: implementation-plan }\n");
    const io = captureIo();
    const code = await main(["node", "duban", "simulate", "plans/chongqing-2021.yaml", "--actions", file], io);
    expect(code).toBe(1);
    expect(io.stderr).toContain(`${file}:3:27: error[UNKNOWN_REF]: 未知单位、人员或组“yuzhongg”（是否应为“yuzhong”？）`);
    expect(io.stdout).toBe("");
  });

  it("prints a compact day-by-day timeline", async () => {
    const io = captureIo();
    expect(await main(["node", "duban", "simulate", "plans/chongqing-2021.yaml", "--from", "2021-05-20", "--to", "2021-05-21"], io)).toBe(0);
    expect(io.stdout).toContain("2021-05-20 周四  提醒 76 · 已逾期 76");
    expect(io.stdout).toContain("09:00 一级督办  专项整治具体实施方案：各区县（自治县）人力社保部门（38） → 告知 领导小组办公室");
  });
});

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import { captureIo } from "../helpers.ts";
import { windowPlanText } from "../plan/window-plan.ts";

describe("history of a reminder deferred to the first working day after the opening", () => {
  it("names the reason, after a round trip through the store", async () => {
    const dir = mkdtempSync(join(tmpdir(), "duban-deferred-"));
    const plan = join(dir, "plan.yaml");
    // Opens on National Day 2021, due Monday 10-11: "3 working days before" is 09-30, before the opening.
    writeFileSync(plan, windowPlanText({ deliverables: ["  - { id: report, title: 节后报告, from: [north], opens: 2021-10-01, due: 2021-10-11 }"], steps: ["      - { at: -3wd, notify: [assignee] }"] }));
    const db = join(dir, "c.db");
    const duban = async (...args: string[]) => {
      const io = captureIo();
      const code = await main(["node", "duban", "--db", db, ...args], io);
      return { code, out: io.stdout, err: io.stderr };
    };
    expect((await duban("--now", "2021-09-28T10:00+08:00", "init", plan)).code).toBe(0);
    expect((await duban("--now", "2021-10-08T09:30+08:00", "tick")).code).toBe(0);
    const h = await duban("history", "report/north");
    expect(h.code).toBe(0);
    expect(h.out).toMatch(/2021-10-08T09:00:00\+08:00 {2}提醒（提前提醒顺延至开放后首个工作日） {2}系统/);
    const j = JSON.parse((await duban("history", "report/north", "--json")).out);
    expect(j.events.find((e: { type: string }) => e.type === "reminded").payload).toMatchObject({ step: 0, deferred: "beforeOpening" });
  });
});

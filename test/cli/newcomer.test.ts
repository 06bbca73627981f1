import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Campaign } from "../../src/campaign/campaign.ts";
import { main } from "../../src/cli/main.ts";
import { calendarOf } from "../../src/engine/calendar-of.ts";
import { openStore } from "../../src/store/open.ts";
import { planText } from "../plan/minimal-plan.ts";
import { captureIo, chongqing, cst, tempFile } from "../helpers.ts";

const PLAN = "plans/chongqing-2021.yaml";

function freshDb(): string {
  return join(mkdtempSync(join(tmpdir(), "duban-newcomer-")), "c.db");
}

async function duban(db: string, ...args: string[]) {
  const io = captureIo();
  const code = await main(["node", "duban", "--db", db, ...args], io);
  return { code, out: io.stdout, err: io.stderr };
}

/** The minimal plan moved into 2026, the last year the installed holiday data covers. */
function plan2026(extra: Record<number, string | string[]> = {}): string {
  return tempFile(
    "plan-2026.yaml",
    planText({
      6: "  start: 2026-03-02",
      7: "  end: 2026-12-31",
      20: "  - { id: first, name: 第一阶段, start: 2026-03-02, end: 2026-06-30 }",
      21: "  - { id: second, name: 第二阶段, start: 2026-07-01, end: 2026-12-31 }",
      25: '  - { id: report, title: 报告, phase: first, from: ["@districts"], due: 2026-06-15 }',
      ...extra,
    }),
  );
}

describe("duban init on a campaign whose dates do not fit the clock", () => {
  it("refuses a campaign that has ended, in one line that says when and how to drill it, and records nothing", async () => {
    const db = freshDb();
    const r = await duban(db, "--now", "2026-12-02T10:00+08:00", "init", PLAN);
    expect(r.code).toBe(1);
    expect(r.out).toBe("");
    const lines = r.err.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("已于 2021-10-31 结束");
    expect(lines[0]).toContain("2026-12-02");
    expect(lines[0]).toContain("--now");
    expect(lines[0]).toContain("duban demo");
    expect(lines[0]).toContain("--archive");
    expect((await duban(db, "status")).err).toContain("此存储中还没有专项行动");
  });

  it("refuses it on the wall clock too (the README's old first command)", async () => {
    const r = await duban(freshDb(), "init", PLAN);
    expect(r.code).toBe(1);
    expect(r.err).toContain("已于 2021-10-31 结束");
  });

  it("records a finished campaign with --archive", async () => {
    const db = freshDb();
    const r = await duban(db, "--now", "2026-12-02T10:00+08:00", "init", PLAN, "--archive");
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain("已建立专项行动");
  });

  it("is an error value with a code in the library", async () => {
    const store = await openStore(freshDb());
    await expect(Campaign.init(store, PLAN, cst("2021-11-01T00:00"))).rejects.toMatchObject({ code: "CAMPAIGN_ENDED" });
    // The last instant of the campaign is still inside it.
    await expect(Campaign.init(store, PLAN, cst("2021-10-31T23:59"))).resolves.toBeInstanceOf(Campaign);
    await store.close();
  });

  it("warns, without refusing, about a campaign that starts more than --warn-ahead days from now", async () => {
    const file = plan2026();
    const far = await duban(freshDb(), "--now", "2025-10-01T10:00+08:00", "init", file);
    expect(far.code, far.err).toBe(0);
    expect(far.err).toContain("于 2026-03-02 开始，距今 151 天");
    expect(far.out).toContain("已建立专项行动");
    const near = await duban(freshDb(), "--now", "2026-01-01T10:00+08:00", "init", file);
    expect(near.code).toBe(0);
    expect(near.err).not.toContain("距今");
    const wider = await duban(freshDb(), "--now", "2025-10-01T10:00+08:00", "init", file, "--warn-ahead", "200");
    expect(wider.err).not.toContain("距今");
  });
});

describe("a large catch-up is announced", () => {
  const cal = calendarOf(chongqing());

  it("tick says how many working days and events it caught up; a drill ticking day by day says nothing", async () => {
    const db = freshDb();
    expect((await duban(db, "--now", "2021-04-28T10:00+08:00", "init", PLAN)).code).toBe(0);
    const r = await duban(db, "--now", "2021-05-21T09:30+08:00", "tick");
    expect(r.code).toBe(0);
    const events = Number(/：(\d+) 条事件/.exec(r.out)![1]);
    expect(events).toBeGreaterThan(0);
    const days = cal.workingDaysBetween("2021-05-01", "2021-05-21");
    expect(r.err).toContain(`以来 ${days} 个工作日的截止、提醒与督办，共 ${events} 条事件`);
    expect(r.err.trim().split("\n")).toHaveLength(1);

    for (const day of ["2021-05-24", "2021-05-25", "2021-05-26", "2021-05-27"]) {
      const step = await duban(db, "--now", `${day}T09:30+08:00`, "tick");
      expect(step.err, day).toBe("");
    }
  });

  it("a unit action after a long gap says it too, counting only the engine's events", async () => {
    const db = freshDb();
    expect((await duban(db, "--now", "2021-04-28T10:00+08:00", "init", PLAN)).code).toBe(0);
    const r = await duban(db, "--now", "2021-06-01T10:00+08:00", "submit", "implementation-plan/yuzhong", "--as", "yuzhong");
    expect(r.code, r.err).toBe(0);
    const seq = Number(/第 (\d+) 条/.exec(r.out)![1]);
    // The log holds campaignInitialised, the engine's catch-up, then the submission.
    const days = cal.workingDaysBetween("2021-05-01", "2021-06-01");
    expect(r.err).toContain(`以来 ${days} 个工作日的截止、提醒与督办，共 ${seq - 2} 条事件`);
  });
});

describe("a clock past the holiday data", () => {
  it("warns at every start, naming calendar.holidays and calendar.workdays; not while the data covers the year", async () => {
    const db = freshDb();
    const file = plan2026();
    expect((await duban(db, "--now", "2026-02-20T10:00+08:00", "init", file)).err).toBe("");
    const inside = await duban(db, "--now", "2026-12-30T10:00+08:00", "status");
    expect(inside.err).toBe("");
    for (const args of [["status"], ["tick"], ["history", "report/north"], ["submit", "report/north", "--as", "north"]]) {
      const r = await duban(db, "--now", "2027-01-05T10:00+08:00", ...args);
      expect(r.err, args.join(" ")).toContain("节假日数据不含 2027 年");
      expect(r.err).toContain("calendar.holidays");
      expect(r.err).toContain("calendar.workdays");
    }
    const run = await duban(db, "--now", "2027-01-05T10:05+08:00", "run", "--once", "--eml-dir", join(db, "..", "eml"));
    expect(run.code, run.err).toBe(0);
    expect(run.err).toContain("节假日数据不含 2027 年");
  });

  it("says nothing once the plan lists that year's holidays", async () => {
    const db = freshDb();
    const file = plan2026({ 31: ["  policy: standard", "calendar:", "  holidays: [2027-01-01]"] });
    expect((await duban(db, "--now", "2026-02-20T10:00+08:00", "init", file)).code).toBe(0);
    expect((await duban(db, "--now", "2027-01-05T10:00+08:00", "status")).err).toBe("");
  });
});

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Campaign } from "../../src/campaign/campaign.ts";
import { main } from "../../src/cli/main.ts";
import { cnDataFor } from "../../src/engine/calendar.ts";
import { openStore } from "../../src/store/open.ts";
import { captureIo, cst } from "../helpers.ts";

const PLAN = "plans/chongqing-2021.yaml";

/** The holiday data as it stood before the 2021 Dragon Boat Festival day off (06-14) was known. */
function olderData() {
  const d = cnDataFor(2021, 2022);
  return { ...d, source: "chinese-days@older", holidays: d.holidays.filter((x) => x !== "2021-06-14") };
}

describe("holiday data changing under a running campaign", () => {
  it("keeps running on the data it started with, says so, and moves only through plan apply", async () => {
    const db = join(mkdtempSync(join(tmpdir(), "duban-cal-")), "c.db");
    const store = await openStore(db);
    const c = await Campaign.init(store, PLAN, cst("2021-04-28T10:00"), { calendarData: olderData() });
    // With 06-14 a working day, 3 working days before 06-15 is 06-10.
    const t = await c.tick(cst("2021-06-10T12:00"));
    expect(t.events.filter((e) => e.type === "reminded" && e.assignment === "progress-report/yuzhong").map((e) => e.at)).toEqual(["2021-06-10T09:00:00+08:00"]);
    expect(c.calendarDrift()).toEqual({ source: "chinese-days@older", current: expect.stringMatching(/^chinese-days@/), dates: ["2021-06-14"] });

    // A fresh process resolves the stored version with its own data, not the installed package's.
    await store.close();
    const reopened = await Campaign.open(await openStore(db));
    expect(reopened.plan.hash).toBe(c.plan.hash);
    expect(reopened.plan.calendar.data?.source).toBe("chinese-days@older");

    const io = captureIo();
    expect(await main(["node", "duban", "--db", db, "--now", "2021-06-10T13:00+08:00", "status", "--unit", "yuzhong"], io)).toBe(0);
    expect(io.stderr).toContain("注意：节假日数据已更新（chinese-days@older → chinese-days@");
    expect(io.stderr).toContain("2021-06-14");

    const preview = captureIo();
    expect(await main(["node", "duban", "--db", db, "--now", "2021-06-10T13:00+08:00", "plan", "apply", PLAN], preview)).toBe(1);
    expect(preview.stdout).toContain("节假日数据：chinese-days@older → chinese-days@");
    const apply = captureIo();
    expect(await main(["node", "duban", "--db", db, "--now", "2021-06-10T13:00+08:00", "plan", "apply", PLAN, "--yes"], apply)).toBe(0);

    const after = await Campaign.open(await openStore(db));
    expect(after.calendarDrift()).toBeUndefined();
    expect(after.calendar.isWorkingDay("2021-06-14")).toBe(false);
    // The migrated campaign keeps running: the first escalation of an item due 06-15 fires the next working day.
    const r = await after.tick(cst("2021-06-16T12:00"));
    const esc = r.events.filter((e) => e.type === "reminded" && e.assignment === "progress-report/yuzhong" && (e.payload as { level: number }).level === 1);
    expect(esc.map((e) => e.at)).toEqual(["2021-06-16T09:00:00+08:00"]);
    expect((await after.store.verify()).ok).toBe(true);
    await after.store.close();
  });
});

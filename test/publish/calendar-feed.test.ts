import { afterEach, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import { captureIo, cst } from "../helpers.ts";
import { parseFeed } from "./ical-read.ts";
import { act, initCampaign, planFile, playStory, PUBLISH_PLAN } from "./fixture.ts";

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

async function duban(db: string, ...args: string[]) {
  const io = captureIo();
  const code = await main(["node", "duban", "--db", db, "--now", "2021-07-20T12:00+08:00", ...args], io);
  return { code, out: io.stdout, err: io.stderr };
}


const uid = (id: string) => `test-campaign/${id}@duban`;
const utc = (local: string) => new Date(cst(local)).toISOString();

describe("a unit's calendar feed", () => {
  it("has one event per deadline the unit owes, alarms at its ladder's reminders, stable UIDs", async () => {
    const { db, close } = await initCampaign();
    await close();
    const feed = parseFeed((await duban(db, "ics", "--unit", "east", "--as-of", "2021-06-01T12:00+08:00")).out);
    expect(feed.name).toBe("东区 · 测试专项行动");
    expect([...feed.events.keys()]).toEqual([uid("report/east"), uid("summary/east")]);
    const report = feed.events.get(uid("report/east"))!;
    expect(report).toMatchObject({ sequence: 0, start: utc("2021-06-15T18:00"), status: "CONFIRMED", summary: "【截止】半年报告" });
    // -2wd from Tue 06-15 skips the Dragon Boat holiday (06-12..14): Thu 06-10; 0wd: 06-15. The +1wd step tells the office, not east.
    expect(report.alarms).toEqual([utc("2021-06-10T09:00"), utc("2021-06-15T09:00")]);
    // Only reminders still ahead: on 06-11 the 06-10 one is gone.
    expect(parseFeed((await duban(db, "ics", "--unit", "east", "--as-of", "2021-06-11T08:00+08:00")).out).events.get(uid("report/east"))!.alarms).toEqual([utc("2021-06-15T09:00")]);
  });

  it("moves an extended deadline with a higher SEQUENCE and cancels a waived item", async () => {
    const { c, db, close } = await initCampaign();
    closers.push(close);
    await playStory(c);
    const before = parseFeed((await duban(db, "ics", "--unit", "east", "--as-of", "2021-06-11T09:00+08:00")).out).events.get(uid("report/east"))!;
    const after = parseFeed((await duban(db, "ics", "--unit", "east", "--as-of", "2021-06-11T10:00+08:00")).out).events.get(uid("report/east"))!;
    expect(before).toMatchObject({ sequence: 0, start: utc("2021-06-15T18:00") });
    expect(after).toMatchObject({ uid: before.uid, sequence: 1, start: utc("2021-06-25T18:00"), alarms: [utc("2021-06-23T09:00"), utc("2021-06-25T09:00")] });

    const north = parseFeed((await duban(db, "ics", "--unit", "north", "--as-of", "2021-07-02T12:00+08:00")).out).events;
    expect(north.get(uid("summary/north"))).toMatchObject({ status: "CANCELLED", sequence: 1, summary: "【已免报】阶段小结", alarms: [] });
    expect(north.get(uid("report/north"))).toMatchObject({ status: "CONFIRMED", summary: "【已通过】半年报告", alarms: [] });
  });

  it("raises SEQUENCE when a plan change moves a deadline", async () => {
    const { c, db, close } = await initCampaign();
    closers.push(close);
    await act(c, { type: "tick" }, "2021-07-02T10:00");
    await c.applyPlan(planFile(PUBLISH_PLAN.replace("due: 2021-07-15", "due: 2021-07-16")), cst("2021-07-05T10:00"), { reopenSubmitted: false });
    const ev = parseFeed((await duban(db, "ics", "--unit", "south", "--as-of", "2021-07-06T12:00+08:00")).out).events.get(uid("summary/south"))!;
    expect(ev).toMatchObject({ sequence: 1, start: utc("2021-07-16T18:00") });
    const earlier = parseFeed((await duban(db, "ics", "--unit", "south", "--as-of", "2021-07-04T12:00+08:00")).out).events.get(uid("summary/south"))!;
    expect(earlier).toMatchObject({ sequence: 0, start: utc("2021-07-15T18:00") });
  });

  it("refuses an unknown unit in one line", async () => {
    const { db, close } = await initCampaign();
    await close();
    const r = await duban(db, "ics", "--unit", "west");
    expect(r.code).toBe(1);
    expect(r.err.trim()).toBe("duban: --unit west：计划中没有这个单位；请使用计划中的单位 id");
  });
});

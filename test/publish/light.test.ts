import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import type { LatenessState, ProgressState } from "../../src/engine/assignment-machine.ts";
import { lightOf, type LightMark } from "../../src/publish/light.ts";
import { markLight } from "../../src/publish/light-marks.ts";
import { publishedAsOf } from "../../src/publish/source.ts";
import { composeReminder } from "../../src/reminders/compose.ts";
import { captureIo, cst } from "../helpers.ts";
import { pgSchema, pgSpec, pgUnavailable } from "../pg.ts";
import { act, initCampaign, STORY, unit } from "./fixture.ts";

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

const OWED: ProgressState[] = ["waiting", "open", "returned"];
const CLOSED: ProgressState[] = ["submitted", "accepted", "waived"];
const T0 = cst("2021-06-01T09:00");
const DAY = 86_400_000;

const mark = (light: "red" | "yellow"): LightMark => ({ light, reason: "重点督办", at: "2021-06-01T09:00:00+08:00", by: "hq" });

describe("lightOf: the light of one item from its view, the office's mark and the instant", () => {
  const item = fc.record({
    state: fc.constantFrom<ProgressState>(...OWED, ...CLOSED),
    lateness: fc.constantFrom<LatenessState>("onTrack", "dueSoon", "overdue", "escalated"),
    dueAt: fc.option(fc.integer({ min: T0 - 30 * DAY, max: T0 + 30 * DAY }), { nil: null }),
    late: fc.boolean(),
    daysLate: fc.nat({ max: 40 }),
  });
  const marks = fc.constantFrom<LightMark | undefined>(undefined, mark("red"), mark("yellow"));
  const asOf = fc.integer({ min: T0 - 40 * DAY, max: T0 + 40 * DAY });

  it("is red iff the item is still owed and past due, or still owed and marked red", () => {
    fc.assert(
      fc.property(item, marks, asOf, (i, m, t) => {
        const owed = OWED.includes(i.state);
        const overdue = i.dueAt !== null && t > i.dueAt;
        expect(lightOf(i, m, t).colour === "red").toBe(owed && (overdue || m?.light === "red"));
      }),
      { numRuns: 2000 },
    );
  });

  it("never shows a closed item yellow or red, marked or not; its words say how it closed", () => {
    fc.assert(
      fc.property(item, marks, asOf, (i, m, t) => {
        fc.pre(CLOSED.includes(i.state));
        const l = lightOf(i, m, t);
        expect(l.colour).toBe("green");
        expect(l.closed).toBe(true);
        expect(l.label).not.toContain("临");
        if (i.state === "accepted") expect(l.label).toBe(i.late ? `逾期${i.daysLate}个工作日办结` : "按时办结");
      }),
      { numRuns: 2000 },
    );
  });

  it("gives a withdrawn (撤销) item no light, marked or past due alike", () => {
    fc.assert(
      fc.property(item, marks, asOf, (i, m, t) => {
        expect(lightOf({ ...i, state: "withdrawn" }, m, t)).toEqual({ colour: "none", label: "已撤销", closed: true, overdue: false, daysLate: 0 });
      }),
      { numRuns: 500 },
    );
  });

  it("is yellow for an owed item not red, either within dueSoon or marked yellow; a cleared mark gives back the computed light", () => {
    fc.assert(
      fc.property(item, marks, asOf, (i, m, t) => {
        fc.pre(OWED.includes(i.state));
        const l = lightOf(i, m, t);
        const computed = lightOf(i, undefined, t);
        if (l.colour !== "red") expect(l.colour === "yellow").toBe((i.dueAt !== null && i.lateness === "dueSoon") || m?.light === "yellow");
        // No mark, no deadline: the neutral light.
        if (i.dueAt === null && !m) expect(computed.colour).toBe("none");
        // A mark only ever raises the light: with it cleared, the light is the computed one.
        if (!m) expect(l).toEqual(computed);
      }),
      { numRuns: 2000 },
    );
  });
});

/** The story up to 07-01 10:00, the office marks east's summary red, clears it on 07-05, then the rest of the story. */
async function markedStory(db?: string) {
  const r = await initCampaign(db);
  closers.push(r.close);
  for (const s of STORY.filter((x) => x.at <= "2021-07-01T10:00")) await act(r.c, s.input, s.at);
  const m = await markLight(r.c, "summary/east", "red", "汛期防汛任务重，提前重点督办", unit("hq"), cst("2021-07-01T11:00"));
  expect(m).toMatchObject({ type: "lightMarked", assignment: "summary/east" });
  const y = await markLight(r.c, "summary/south", "yellow", "材料质量需关注", unit("hq"), cst("2021-07-01T11:30"));
  expect(y).toMatchObject({ type: "lightMarked" });
  expect(await markLight(r.c, "summary/east", "clear", undefined, unit("hq"), cst("2021-07-05T10:00"))).toMatchObject({ type: "lightCleared" });
  for (const s of STORY.filter((x) => x.at > "2021-07-01T10:00")) await act(r.c, s.input, s.at);
  return r;
}

const lightAt = async (c: Awaited<ReturnType<typeof initCampaign>>["c"], id: string, at: string) =>
  (await publishedAsOf(c, cst(at))).items.find((i) => i.assignment.id === id)!.light;

describe("the office's marks: in the log, replayed as of an instant", () => {
  it("gives each instant the marks recorded up to it", async () => {
    const { c } = await markedStory();
    expect(await lightAt(c, "summary/east", "2021-07-01T10:30")).toMatchObject({ colour: "green", label: "正常推进" });
    expect(await lightAt(c, "summary/east", "2021-07-02T09:00")).toMatchObject({ colour: "red", label: "办公室标红：汛期防汛任务重，提前重点督办", mark: { light: "red", by: "hq" } });
    // Cleared on 07-05: the computed light again.
    expect(await lightAt(c, "summary/east", "2021-07-06T09:00")).toMatchObject({ colour: "green" });
    expect((await lightAt(c, "summary/east", "2021-07-06T09:00")).mark).toBeUndefined();
    // Past due on 07-15 and never handed in: red by the deadline, 3 working days late on 07-20.
    expect(await lightAt(c, "summary/east", "2021-07-20T12:00")).toMatchObject({ colour: "red", label: "逾期3个工作日", daysLate: 3 });
    // Marked yellow, then handed in on time: a closed item is never yellow.
    expect(await lightAt(c, "summary/south", "2021-07-02T09:00")).toMatchObject({ colour: "yellow", label: "办公室标黄：材料质量需关注" });
    expect(await lightAt(c, "summary/south", "2021-07-20T12:00")).toMatchObject({ colour: "green", closed: true, label: "按时报送，待审核" });
  });

  it("refuses a unit that is not the office, an instant behind the log, a closed item, no reason; the store is unchanged", async () => {
    const { c } = await markedStory();
    const head = await c.store.head();
    expect(await markLight(c, "summary/east", "red", "我要标红", unit("north"), cst("2021-07-21T09:00"))).toEqual({
      code: "NOT_PERMITTED",
      message: "北区无权标注红黄灯：只有领导小组办公室可以标注或清除红黄灯",
    });
    expect(await markLight(c, "summary/east", "red", "", unit("hq"), cst("2021-07-21T09:00"))).toMatchObject({ code: "NO_REASON" });
    expect(await markLight(c, "report/north", "red", "复核", unit("hq"), cst("2021-07-21T09:00"))).toMatchObject({ code: "ITEM_CLOSED" });
    expect(await markLight(c, "summary/east", "clear", undefined, unit("hq"), cst("2021-07-21T09:00"))).toMatchObject({ code: "NOT_MARKED" });
    expect(await markLight(c, "nothing/here", "red", "x", unit("hq"), cst("2021-07-21T09:00"))).toMatchObject({ code: "UNKNOWN_ASSIGNMENT" });
    // Before the log's last instant: refused, never clamped to it.
    await expect(markLight(c, "summary/east", "red", "补标", unit("hq"), cst("2021-07-01T09:00"))).rejects.toMatchObject({ code: "CLOCK_BEHIND" });
    expect(await c.store.head()).toEqual(head);
  });
});

describe.skipIf(pgUnavailable)("the office's marks on PostgreSQL", () => {
  it("are recorded and replayed as of an instant the same way", async () => {
    const { c } = await markedStory(pgSpec(pgSchema()));
    expect(await lightAt(c, "summary/east", "2021-07-02T09:00")).toMatchObject({ colour: "red", mark: { reason: "汛期防汛任务重，提前重点督办" } });
    expect((await lightAt(c, "summary/east", "2021-07-06T09:00")).colour).toBe("green");
    const head = await c.store.head();
    expect(await markLight(c, "summary/east", "red", "x", unit("south"), cst("2021-07-21T09:00"))).toMatchObject({ code: "NOT_PERMITTED" });
    expect(await c.store.head()).toEqual(head);
  });
});

describe("duban status, duban mark and the digest show the lights", () => {
  async function duban(db: string, ...args: string[]) {
    const io = captureIo();
    const code = await main(["node", "duban", "--db", db, ...args], io);
    return { code, out: io.stdout, err: io.stderr };
  }

  it("labels how a closed item closed, never 临期, and lists the 红灯清单 by ladder level then days late", async () => {
    const { db, close } = await markedStory();
    await close();
    const board = await duban(db, "--now", "2021-07-20T12:00+08:00", "status");
    expect(board.code).toBe(0);
    expect(board.out).toMatch(/北区\s+已通过\s+【绿灯】\s+按时办结/);
    expect(board.out).toMatch(/南区\s+已报送待审核\s+【绿灯】\s+逾期4个工作日报送，待审核/);
    expect(board.out).toMatch(/东区\s+办理中\s+【红灯】\s+逾期3个工作日/);
    expect(board.out).not.toContain("临期");
    // The 红灯清单: east's report (extended to 06-25, level 1 after +1wd) ahead of its summary (level 1 too, fewer days late).
    const red = await duban(db, "--now", "2021-07-20T12:00+08:00", "status", "--light", "red");
    expect(red.out).toContain("红灯清单  2021-07-20 12:00  共 2 项");
    const lines = red.out.split("\n").filter((l) => /^\s+\d+\. /.test(l));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/1\. 东区\s+半年报告\s+一级督办\s+逾期17个工作日\s+逾期未报/);
    expect(lines[1]).toMatch(/2\. 东区\s+阶段小结\s+一级督办\s+逾期3个工作日/);
    const json = JSON.parse((await duban(db, "--now", "2021-07-20T12:00+08:00", "status", "--light", "green", "--json")).out);
    expect(json.assignments.map((r: { id: string }) => r.id).sort()).toEqual(["report/north", "report/south", "summary/north", "summary/south"]);
    expect((await duban(db, "status", "--light", "blue")).err).toContain("--light blue：灯色应为 red（红灯）、yellow（黄灯）、green（绿灯）或 none（无截止时间）");
  });

  it("marks and clears from the CLI as the office; refuses a district with the rule, exit 1, no stack", async () => {
    const { db, close } = await markedStory();
    await close();
    const refused = await duban(db, "--now", "2021-07-21T09:00+08:00", "mark", "summary/east", "--light", "red", "--reason", "催办", "--as", "east");
    expect(refused.code).toBe(1);
    expect(refused.err).toBe("duban: 拒绝标注：东区无权标注红黄灯：只有领导小组办公室可以标注或清除红黄灯 [NOT_PERMITTED]\n");
    const ok = await duban(db, "--now", "2021-07-21T09:00+08:00", "mark", "summary/east", "--light", "yellow", "--reason", "已电话催办", "--as", "hq");
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/^已标黄灯：summary\/east（第 \d+ 条，2021-07-21T09:00:00\+08:00）/);
    const red = await duban(db, "--now", "2021-07-21T09:30+08:00", "status", "--light", "red");
    // Overdue stays red whatever the mark; the mark's reason is shown.
    expect(red.out).toMatch(/2\. 东区\s+阶段小结\s+一级督办\s+逾期4个工作日\s+逾期未报\n/);
    const board = await duban(db, "--now", "2021-07-21T09:30+08:00", "status", "--unit", "east");
    expect(board.out).toMatch(/东区\s+办理中\s+【红灯】\s+逾期4个工作日\s+一级督办（办公室标黄：已电话催办）/);
    const history = await duban(db, "history", "summary/east");
    expect(history.out).toContain("办公室标注红黄灯  测试局  黄灯原因：已电话催办");
  });

  it("tags a digest line 【红灯】 when the office marked it, by the same function as the board", async () => {
    const r = await initCampaign();
    closers.push(r.close);
    const step = await r.c.tick(cst("2021-06-10T09:00"));
    const intent = step.reminders.find((x) => x.recipient === "south")!;
    const plain = composeReminder(r.c.plan, intent, { calendar: r.c.calendar }).text;
    expect(plain).not.toContain("【红灯】");
    const marked = composeReminder(r.c.plan, intent, { calendar: r.c.calendar, marks: new Map([["report/south", mark("red")]]) }).text;
    expect(marked).toContain("1. 【红灯】半年报告");
  });
});

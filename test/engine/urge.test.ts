import { describe, expect, it } from "vitest";
import { Engine } from "../../src/engine/engine.ts";
import { URGE_STEP } from "../../src/engine/schedule.ts";
import type { Actor, DomainEvent } from "../../src/engine/types.ts";
import { composeReminder } from "../../src/reminders/compose.ts";
import { renderRefusal } from "../../src/text/refusals.ts";
import { eventZh } from "../../src/text/labels.ts";
import { chongqing, cst } from "../helpers.ts";

const office: Actor = { kind: "unit", unit: "flow" };
const yuzhong: Actor = { kind: "unit", unit: "yuzhong" };
const urge = (unit: string, actor: Actor = office) => ({ type: "urge" as const, unit, actor, note: "请抓紧" });

/** The engine at 2021-05-27 10:00: the implementation plans and self-inspection reports are overdue. */
function engineAtMay27(): Engine {
  const e = new Engine(chongqing());
  e.tick(cst("2021-05-27T10:00"));
  return e;
}

describe("催办 (the office's urge by hand)", () => {
  it("reminds the unit now of everything it owes with a deadline: a reminded event per item and one message", () => {
    const e = engineAtMay27();
    const before = e.view("implementation-plan/yuzhong")!.context;
    const r = e.step(urge("yuzhong"), cst("2021-05-27T10:30"));
    expect(r.refused).toBeUndefined();
    const urged = r.events.filter((x): x is Extract<DomainEvent, { type: "reminded" }> => x.type === "reminded" && x.reason === "urged");
    // Overdue and not yet due alike: what it owes (the progress reports fall due later).
    const owed = ["enforcement-progress/yuzhong", "implementation-plan/yuzhong", "progress-report/yuzhong", "self-inspection-report/yuzhong"];
    expect(urged.map((x) => x.assignment).sort()).toEqual(owed);
    for (const x of urged) expect(x).toMatchObject({ step: URGE_STEP, level: 0, recipients: ["yuzhong"], actor: office, note: "请抓紧", at: cst("2021-05-27T10:30") });
    expect(r.reminders).toHaveLength(1);
    const [m] = r.reminders;
    expect(m!.recipient).toBe("yuzhong");
    expect(m!.key).toBe("cq-labour-intermediary-2021/yuzhong/2021-05-27T10:30:00+08:00/urge");
    expect(m!.items.map((i) => i.assignment)).toEqual(owed);
    expect(m!.items.filter((i) => i.overdue).map((i) => i.assignment)).toEqual(["implementation-plan/yuzhong", "self-inspection-report/yuzhong"]);
    // Outside the ladder: the level stays where the ladder put it.
    const after = e.view("implementation-plan/yuzhong")!.context;
    expect(after.level).toBe(before.level);
    expect(after.reminders).toBe(before.reminders + 1);
    expect(after.urgedAt).toBe(cst("2021-05-27T10:30"));

    const msg = composeReminder(chongqing(), m!, { calendar: e.calendar });
    expect(msg.text).toContain("督办环节：领导小组办公室催办");
    expect(msg.subject).toMatch(/^【催办】/);
    expect(eventZh("reminded", { level: 0, reason: "urged" })).toBe("催办");
  });

  it("urges a unit at most once a calendar day, also after a restart, and again the next day", () => {
    const e = engineAtMay27();
    expect(e.step(urge("yuzhong"), cst("2021-05-27T10:30")).refused).toBeUndefined();
    const again = e.step(urge("yuzhong"), cst("2021-05-27T16:00"));
    expect(again.refused?.code).toBe("ALREADY_URGED");
    expect(again.events.filter((x) => x.type === "reminded")).toEqual([]);
    expect(again.reminders).toEqual([]);
    expect(renderRefusal(chongqing(), again.refused!)).toBe("今天已于 10:30 催办过渝中区人力社保局，每个单位每天至多催办一次，请明天再催办");
    // Another unit the same day is its own.
    expect(e.step(urge("fuling"), cst("2021-05-27T16:00")).refused).toBeUndefined();
    const restored = Engine.restore(chongqing(), JSON.parse(JSON.stringify(e.persist())));
    expect(restored.step(urge("yuzhong"), cst("2021-05-27T17:00")).refused?.code).toBe("ALREADY_URGED");
    expect(restored.step(urge("yuzhong"), cst("2021-05-28T09:30")).refused).toBeUndefined();
  });

  it("is the office's alone, and needs something owed", () => {
    const e = engineAtMay27();
    const district = e.step(urge("fuling", yuzhong), cst("2021-05-27T10:30"));
    expect(district.refused?.code).toBe("NOT_PERMITTED");
    expect(renderRefusal(chongqing(), district.refused!)).toBe("渝中区人力社保局无权催办：只有领导小组办公室可以催办");
    expect(e.step(urge("nowhere"), cst("2021-05-27T10:30")).refused?.code).toBe("UNKNOWN_UNIT");
    const done = new Engine(chongqing());
    done.tick(cst("2021-05-10T10:00"));
    // 法规处 owes nothing with a deadline yet.
    const r = done.step(urge("legal"), cst("2021-05-10T10:30"));
    expect(r.refused?.code).toBe("NOTHING_TO_URGE");
    expect(renderRefusal(chongqing(), r.refused!)).toContain("无需催办");
  });

  it("replays: the logged events rebuild the same state (the once-a-day rule included)", () => {
    const live = engineAtMay27();
    const r = live.step(urge("yuzhong"), cst("2021-05-27T10:30"));
    const replay = engineAtMay27();
    for (const x of r.events) replay.apply(x);
    replay.settle(cst("2021-05-27T10:30"));
    expect(replay.view("implementation-plan/yuzhong")!.context).toEqual(live.view("implementation-plan/yuzhong")!.context);
    expect(replay.step(urge("yuzhong"), cst("2021-05-27T11:00")).refused?.code).toBe("ALREADY_URGED");
  });
});

import { renderRefusal } from "../../src/text/refusals.ts";
import { describe, expect, it } from "vitest";
import { Engine } from "../../src/engine/engine.ts";
import type { Actor, DomainEvent } from "../../src/engine/types.ts";
import { chongqing, cst } from "../helpers.ts";

const yuzhong: Actor = { kind: "unit", unit: "yuzhong" };
const office: Actor = { kind: "unit", unit: "flow" };
const ID = "implementation-plan/yuzhong";

function remindersFor(events: DomainEvent[], id: string) {
  return events.filter((e) => e.type === "reminded" && e.assignment === id);
}

describe("assignment lifecycle", () => {
  it("opens at its window, reminds 3 working days before, on the day, and escalates after", () => {
    const e = new Engine(chongqing());
    const r = e.tick(cst("2021-05-27T12:00"));
    const mine = r.events.filter((x) => "assignment" in x && x.assignment === ID);
    expect(mine.map((x) => [x.type, new Date(x.at).toISOString()])).toEqual([
      ["opened", "2021-04-30T16:00:00.000Z"],
      ["dueSoon", "2021-05-17T01:00:00.000Z"],
      ["reminded", "2021-05-17T01:00:00.000Z"],
      ["reminded", "2021-05-20T01:00:00.000Z"],
      ["overdue", "2021-05-20T10:00:00.000Z"],
      ["reminded", "2021-05-21T01:00:00.000Z"],
      ["reminded", "2021-05-21T01:00:00.000Z"],
      ["reminded", "2021-05-24T01:00:00.000Z"],
      ["reminded", "2021-05-25T01:00:00.000Z"],
      ["reminded", "2021-05-25T01:00:00.000Z"],
      ["reminded", "2021-05-26T01:00:00.000Z"],
      ["reminded", "2021-05-27T01:00:00.000Z"],
      ["reminded", "2021-05-27T01:00:00.000Z"],
    ]);
    const v = e.view(ID)!;
    expect(v.progress).toBe("open");
    expect(v.lateness).toBe("escalated");
    expect(v.context.level).toBe(3);
  });

  it("3 working days before Tue 2021-06-15 is Wed 06-09 (06-12..14 are off)", () => {
    const e = new Engine(chongqing());
    const r = e.tick(cst("2021-06-10T00:00"));
    const first = remindersFor(r.events, "progress-report/yuzhong");
    expect(first.map((x) => x.at)).toEqual([cst("2021-06-09T09:00")]);
  });

  it("a submission stops the ladder; an on-time one is not late; accept closes it", () => {
    const e = new Engine(chongqing());
    const s = e.step({ type: "submit", assignment: ID, actor: yuzhong, note: "见附件" }, cst("2021-05-18T10:00"));
    expect(s.refused).toBeUndefined();
    expect(s.events.at(-1)).toMatchObject({ type: "submitted", assignment: ID, late: false });
    const later = e.tick(cst("2021-06-30T00:00"));
    expect(remindersFor(later.events, ID)).toEqual([]);
    expect(later.events.some((x) => x.type === "overdue" && x.assignment === ID)).toBe(false);
    const a = e.step({ type: "accept", assignment: ID, actor: office }, cst("2021-07-01T10:00"));
    expect(a.refused).toBeUndefined();
    expect(e.view(ID)!.progress).toBe("accepted");
  });

  it("a late submission stays late after acceptance, and keeps its level", () => {
    const e = new Engine(chongqing());
    e.step({ type: "submit", assignment: ID, actor: yuzhong }, cst("2021-05-26T10:00"));
    e.step({ type: "accept", assignment: ID, actor: office }, cst("2021-05-27T10:00"));
    const v = e.view(ID)!;
    expect(v.progress).toBe("accepted");
    expect(v.context.late).toBe(true);
    expect(v.context.level).toBe(2);
  });

  it("a returned item is open again and its ladder resumes from the return", () => {
    const e = new Engine(chongqing());
    e.step({ type: "submit", assignment: ID, actor: yuzhong }, cst("2021-05-18T10:00"));
    const ret = e.step({ type: "return", assignment: ID, actor: office, note: "内容不全" }, cst("2021-05-24T10:00"));
    expect(ret.refused).toBeUndefined();
    expect(e.view(ID)!.progress).toBe("returned");
    const r = e.tick(cst("2021-05-26T12:00"));
    // Overdue since 05-20 18:00 but submitted then; after the return on 05-24 the daily reminder and the +3 step resume.
    expect(remindersFor(r.events, ID).map((x) => x.at)).toEqual([cst("2021-05-25T09:00"), cst("2021-05-25T09:00"), cst("2021-05-26T09:00")]);
    expect(e.view(ID)!.context.returns).toBe(1);
  });

  it("an extension moves the due date, resets the ladder, and is recorded with who granted it", () => {
    const e = new Engine(chongqing());
    e.tick(cst("2021-05-21T12:00"));
    expect(e.view(ID)!.lateness).toBe("escalated");
    const x = e.step({ type: "extend", assignment: ID, actor: office, until: cst("2021-06-04T18:00"), note: "区县机构改革" }, cst("2021-05-21T14:00"));
    expect(x.refused).toBeUndefined();
    expect(x.events.at(-1)).toMatchObject({ type: "extended", actor: office, until: cst("2021-06-04T18:00"), note: "区县机构改革" });
    const v = e.view(ID)!;
    expect([v.lateness, v.context.level, v.context.dueAt]).toEqual(["onTrack", 0, cst("2021-06-04T18:00")]);
    const r = e.tick(cst("2021-06-04T12:00"));
    expect(remindersFor(r.events, ID).map((y) => y.at)).toEqual([cst("2021-06-01T09:00"), cst("2021-06-04T09:00")]);
  });

  it("refuses actions by the wrong unit, in the wrong state, or on unknown items, with the rule", () => {
    const e = new Engine(chongqing());
    const wrongUnit = e.step({ type: "submit", assignment: ID, actor: { kind: "unit", unit: "fuling" } }, cst("2021-05-18T10:00"));
    expect(wrongUnit.refused).toMatchObject({ code: "NOT_PERMITTED" });
    expect(renderRefusal(e.plan, wrongUnit.refused!)).toContain("只有责任单位渝中区人力社保局可以报送");
    const districtAccepts = e.step({ type: "accept", assignment: ID, actor: { kind: "unit", unit: "fuling" } }, cst("2021-05-18T10:00"));
    expect(districtAccepts.refused?.code).toBe("NOT_PERMITTED");
    const notSubmitted = e.step({ type: "accept", assignment: ID, actor: office }, cst("2021-05-18T10:00"));
    expect(notSubmitted.refused).toMatchObject({ code: "WRONG_STATE" });
    expect(renderRefusal(e.plan, notSubmitted.refused!)).toContain("办理中");
    const unknown = e.step({ type: "submit", assignment: "nope/yuzhong", actor: yuzhong }, cst("2021-05-18T10:00"));
    expect(unknown.refused?.code).toBe("UNKNOWN_ASSIGNMENT");
    const waiveByDistrict = e.step({ type: "waive", assignment: ID, actor: yuzhong }, cst("2021-05-18T10:00"));
    expect(waiveByDistrict.refused?.code).toBe("NOT_PERMITTED");
    const pastExtension = e.step({ type: "extend", assignment: ID, actor: office, until: cst("2021-05-01T18:00") }, cst("2021-05-18T10:00"));
    expect(pastExtension.refused?.code).toBe("BAD_EXTENSION");
    // Nothing refused changed anything.
    expect(e.view(ID)!.progress).toBe("open");
  });

  it("a person acts for their unit; the group leader and the office director act as the office", () => {
    const e = new Engine(chongqing());
    // Task 2's progress report goes to the inspection corps; its head 郑文杰 may accept it.
    const T2 = "enforcement-progress/yuzhong";
    e.step({ type: "submit", assignment: T2, actor: yuzhong }, cst("2021-06-10T10:00"));
    expect(e.step({ type: "accept", assignment: T2, actor: { kind: "unit", unit: "zheng-wenjie" } }, cst("2021-06-11T10:00")).refused).toBeUndefined();
    expect(e.step({ type: "waive", assignment: "implementation-plan/fuling", actor: { kind: "unit", unit: "he-zhenguo" } }, cst("2021-06-11T10:00")).refused).toBeUndefined();
    expect(e.view("implementation-plan/fuling")!.progress).toBe("waived");
  });
});

describe("persistence", () => {
  it("a restored engine continues exactly as one that never stopped", () => {
    const plan = chongqing();
    const a = new Engine(plan);
    a.step({ type: "submit", assignment: ID, actor: yuzhong }, cst("2021-05-26T10:00"));
    a.step({ type: "return", assignment: ID, actor: office }, cst("2021-05-27T10:00"));
    const b = Engine.restore(plan, JSON.parse(JSON.stringify(a.persist())));
    expect(b.persist()).toEqual(a.persist());
    const ra = a.tick(cst("2021-07-01T00:00"));
    const rb = b.tick(cst("2021-07-01T00:00"));
    expect(rb).toEqual(ra);
    expect(b.persist()).toEqual(a.persist());
  });

  it("refuses to restore state persisted for another plan version", () => {
    const plan = chongqing();
    const data = { ...new Engine(plan).persist(), planHash: "0".repeat(64) };
    expect(() => Engine.restore(plan, data)).toThrow(/persisted state is for plan 000000000000/);
  });

  it("replaying the logged events rebuilds the same state", () => {
    const plan = chongqing();
    const live = new Engine(plan);
    const log = [
      ...live.tick(cst("2021-05-19T00:00")).events,
      ...live.step({ type: "submit", assignment: ID, actor: yuzhong }, cst("2021-05-19T10:00")).events,
      ...live.tick(cst("2021-06-20T00:00")).events,
    ];
    const replayed = new Engine(plan);
    for (const ev of log) replayed.apply(ev);
    replayed.settle(live.clock);
    expect(replayed.persist()).toEqual(live.persist());
    expect(replayed.tick(cst("2021-08-01T00:00"))).toEqual(live.tick(cst("2021-08-01T00:00")));
  });
});

describe("campaign", () => {
  it("goes through each phase in order and closes", () => {
    const e = new Engine(chongqing());
    expect(e.campaignState()).toBe("notStarted");
    e.tick(cst("2021-05-01T00:00"));
    expect(e.campaignState()).toBe("self-inspection");
    e.tick(cst("2021-06-01T00:00"));
    expect(e.campaignState()).toBe("concentrated");
    e.tick(cst("2021-10-08T00:00"));
    expect(e.campaignState()).toBe("evaluation");
    e.tick(cst("2021-11-01T00:00"));
    expect(e.campaignState()).toBe("closed");
  });

  it("collapses a backlog into one reminder intent per recipient, with stable keys", () => {
    const e = new Engine(chongqing());
    const r = e.tick(cst("2021-05-28T12:00"));
    const recipients = r.reminders.map((x) => x.recipient);
    expect(new Set(recipients).size).toBe(recipients.length);
    const yz = r.reminders.find((x) => x.recipient === "yuzhong")!;
    expect(yz.key).toBe("cq-labour-intermediary-2021/yuzhong/2021-05-28T09:00:00+08:00");
    expect(yz.items.map((i) => i.assignment)).toEqual(["implementation-plan/yuzhong", "self-inspection-report/yuzhong"]);
    const leader = r.reminders.find((x) => x.recipient === "he-zhenguo")!;
    expect(leader.kind).toBe("escalation");
    expect(leader.items).toHaveLength(76);
    expect(leader.items.every((i) => i.level === 3 && i.overdue)).toBe(true);
  });

  it("dates a digest collapsed after downtime at the send time it goes out, not at the last missed step", () => {
    const e = new Engine(chongqing());
    e.tick(cst("2021-05-17T12:00"));
    // Down from 05-17 to 05-27: the office's last step was +3wd on 05-25.
    const r = e.tick(cst("2021-05-27T12:00"));
    const office = r.reminders.find((x) => x.recipient === "flow")!;
    expect(office.at).toBe(cst("2021-05-27T09:00"));
    expect(office.key).toBe("cq-labour-intermediary-2021/flow/2021-05-27T09:00:00+08:00");
    expect(office.items.every((i) => i.level === 2)).toBe(true);
    // On a rest day, a catch-up tick belongs to the last working day's send time.
    const sunday = new Engine(chongqing()).tick(cst("2021-05-23T10:00"));
    expect(new Set(sunday.reminders.map((x) => x.at))).toEqual(new Set([cst("2021-05-21T09:00")]));
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Engine } from "../../src/engine/engine.ts";
import type { Actor, DomainEvent, OpenRequest, UnitAction } from "../../src/engine/types.ts";
import { renderRefusal } from "../../src/text/refusals.ts";
import { cst } from "../helpers.ts";
import { planWithKinds } from "./kinds-fixture.ts";

const office: Actor = { kind: "unit", unit: "hq" };
const north: Actor = { kind: "unit", unit: "north" };
const south: Actor = { kind: "unit", unit: "south" };
const plan = planWithKinds();
const iso = (ms: number) => new Date(ms).toISOString();

const dubandan = (over: Partial<OpenRequest> = {}): UnitAction => ({ type: "open", kind: "dubandan", to: ["north"], title: "欠薪线索核查", fields: { basis: "领导批示" }, actor: office, ...over });

function opened(e: Engine, action: UnitAction, at: number): string {
  const r = e.step(action, at);
  if (r.refused) throw new Error(renderRefusal(e.plan, r.refused));
  return r.events.find((x) => x.type === "itemOpened")!.assignment;
}

describe("an item opened at run time runs on the same machine, ladder and reminders as a planned one", () => {
  it("a 督办单 from the office: due 5 working days on at the due time, reminded on the day, then overdue", () => {
    const e = new Engine(plan);
    e.tick(cst("2021-06-01T08:00"));
    const id = opened(e, dubandan(), cst("2021-06-01T10:00")); // Tuesday
    expect(id).toBe("dubandan-001");
    const v = e.view(id)!;
    expect([v.progress, iso(v.context.dueAt!)]).toEqual(["open", iso(cst("2021-06-08T18:00"))]);
    expect(v.assignment).toMatchObject({ kind: "opened", unit: "north", to: "hq", lead: "hq", opened: { kind: "dubandan", number: 1, openedBy: "hq", level: "一般", fields: { basis: "领导批示" } } });
    e.step({ type: "acknowledge", assignment: id, actor: north }, cst("2021-06-01T11:00"));
    const due = e.tick(cst("2021-06-08T09:30"));
    expect(due.reminders.map((r) => [r.recipient, r.items.map((i) => i.assignment)])).toEqual([["north", [id]]]);
    e.tick(cst("2021-06-08T18:30"));
    expect(e.view(id)!.lateness).toBe("overdue");
  });

  it("numbers items per kind", () => {
    const e = new Engine(plan);
    expect(opened(e, dubandan(), cst("2021-06-01T10:00"))).toBe("dubandan-001");
    expect(opened(e, dubandan({ to: ["south"] }), cst("2021-06-01T10:01"))).toBe("dubandan-002");
  });

  it("签收: the office hears when nobody acknowledged by the deadline, and not when somebody did", () => {
    const e = new Engine(plan);
    const a = opened(e, dubandan(), cst("2021-06-01T10:00"));
    const b = opened(e, dubandan({ to: ["south"] }), cst("2021-06-01T10:00"));
    expect(e.step({ type: "acknowledge", assignment: b, actor: south }, cst("2021-06-01T15:00")).refused).toBeUndefined();
    expect(e.view(b)!.context.acknowledgedAt).toBe(cst("2021-06-01T15:00"));
    // The ack deadline is +1wd (Wednesday 18:00): its reminder goes out at the next send time, Thursday 09:00.
    const r = e.tick(cst("2021-06-03T09:30"));
    const ack = r.events.filter((x): x is Extract<DomainEvent, { type: "reminded" }> => x.type === "reminded" && x.reason === "unacknowledged");
    expect(ack.map((x) => [x.assignment, x.recipients])).toEqual([[a, ["hq"]]]);
    expect(r.reminders.find((m) => m.recipient === "hq")!.items).toEqual([expect.objectContaining({ assignment: a, reason: "unacknowledged", level: 1 })]);
    const twice = e.step({ type: "acknowledge", assignment: b, actor: south }, cst("2021-06-03T10:00")).refused!;
    expect(renderRefusal(plan, twice)).toContain("已签收");
  });

  it("特急 with a +24h deadline falls due at that instant at night, and its hour steps go out at their own hour", () => {
    const e = new Engine(plan);
    const id = opened(e, dubandan({ level: "特急" }), cst("2021-06-04T21:00")); // Friday night
    expect(iso(e.view(id)!.context.dueAt!)).toBe(iso(cst("2021-06-05T21:00"))); // Saturday 21:00
    const before = e.tick(cst("2021-06-05T19:00"));
    expect(before.events.filter((x) => x.type === "reminded").map((x) => iso(x.at))).toEqual([iso(cst("2021-06-05T19:00"))]);
    expect(before.reminders.map((m) => iso(m.at))).toEqual([iso(cst("2021-06-05T19:00"))]);
    e.tick(cst("2021-06-05T21:00"));
    expect(e.view(id)!.lateness).toBe("overdue");
    const after = e.tick(cst("2021-06-05T23:00"));
    expect(after.reminders.map((m) => [m.recipient, m.kind]).sort()).toEqual([["hq", "escalation"], ["north", "escalation"]]);
  });

  it("一事一报: 首报 within 24 h, then a 续报 every 5 working days until the 终报, which the office closes", () => {
    const e = new Engine(plan);
    const id = opened(e, { type: "open", kind: "report", to: ["north"], title: "某公司欠薪群体事件", fields: { what: "30 人聚集" }, actor: north }, cst("2021-06-01T10:00"));
    expect(iso(e.view(id)!.context.dueAt!)).toBe(iso(cst("2021-06-02T10:00")));
    expect(e.step({ type: "submit", assignment: id, actor: north, note: "首报" }, cst("2021-06-02T09:00")).events.at(-1)).toMatchObject({ type: "submitted", report: "interim" });
    let v = e.view(id)!;
    expect([v.progress, iso(v.context.dueAt!), v.context.reports]).toEqual(["open", iso(cst("2021-06-09T18:00")), 1]);
    e.tick(cst("2021-06-09T19:00"));
    expect(e.view(id)!.lateness).toBe("overdue");
    e.step({ type: "submit", assignment: id, actor: north, note: "续报" }, cst("2021-06-10T09:00"));
    v = e.view(id)!;
    expect([v.progress, v.lateness, v.context.late, v.context.reports]).toEqual(["open", "onTrack", true, 2]);
    e.step({ type: "submit", assignment: id, actor: north, note: "终报", final: true }, cst("2021-06-11T09:00"));
    expect(e.view(id)!.progress).toBe("submitted");
    const selfClose = e.step({ type: "accept", assignment: id, actor: north }, cst("2021-06-11T10:00")).refused!;
    expect(selfClose.code).toBe("OWN_ITEM");
    expect(e.step({ type: "accept", assignment: id, actor: office }, cst("2021-06-11T10:00")).refused).toBeUndefined();
    expect(e.view(id)!.progress).toBe("accepted");
  });

  it("a joint item: every member is reminded in its own digest; only the lead member hands it in; the opener reviews", () => {
    const e = new Engine(plan);
    const id = opened(e, { type: "open", kind: "rectify", to: ["south", "north"], title: "某中介整改", due: cst("2021-06-10T18:00"), fields: { agency: "某中介" }, actor: office }, cst("2021-06-01T10:00"));
    expect(e.view(id)!.assignment).toMatchObject({ unit: "south", members: ["south", "north"], to: "hq" });
    const r = e.tick(cst("2021-06-10T09:30"));
    expect(r.reminders.map((m) => m.recipient)).toEqual(["north", "south"]);
    const byMember = e.step({ type: "submit", assignment: id, actor: north }, cst("2021-06-10T10:00")).refused!;
    expect(byMember.code).toBe("NOT_PERMITTED");
    expect(renderRefusal(plan, byMember)).toBe("北区无权报送：“某中介整改”由牵头单位南区报送");
    expect(e.step({ type: "submit", assignment: id, actor: south }, cst("2021-06-10T10:00")).refused).toBeUndefined();
  });

  it("a kind's assumed deadline is marked on items whose date its rule set, not on those whose opener wrote one", () => {
    const kinds = [...plan.kinds.values()].map((k) => (k.id === "rectify" ? { ...k, assumed: "方案未定整改时限", due: { ...(k.due as Extract<typeof k.due, { kind: "given" }>), default: { n: 10, unit: "wd" as const } } } : k));
    const p = { ...plan, kinds: new Map(kinds.map((k) => [k.id, k])) };
    const e = new Engine(p);
    const req = (due?: number): UnitAction => ({ type: "open", kind: "rectify", to: ["north"], title: "整改", fields: { agency: `甲${due ?? ""}` }, actor: office, ...(due ? { due } : {}) });
    const byRule = opened(e, req(), cst("2021-06-01T10:00"));
    const written = opened(e, req(cst("2021-06-30T18:00")), cst("2021-06-01T10:00"));
    expect([e.item(byRule)!.dueAssumed, e.item(written)!.dueAssumed]).toEqual(["方案未定整改时限", undefined]);
  });

  it("the opener may withdraw (撤销) it; it then leaves the ladder", () => {
    const e = new Engine(plan);
    const id = opened(e, dubandan(), cst("2021-06-01T10:00"));
    expect(e.step({ type: "withdraw", assignment: id, actor: north }, cst("2021-06-02T10:00")).refused?.code).toBe("NOT_PERMITTED");
    expect(e.step({ type: "withdraw", assignment: id, actor: office, note: "重复交办" }, cst("2021-06-02T10:00")).refused).toBeUndefined();
    expect(e.view(id)!.progress).toBe("withdrawn");
    expect(e.tick(cst("2021-06-30T10:00")).events.filter((x) => "assignment" in x && x.assignment === id)).toEqual([]);
  });
});

describe("openings that do not fit their kind are refused as values, with the rule", () => {
  const e = new Engine(plan);
  const at = cst("2021-06-01T10:00");
  const refuse = (a: UnitAction) => {
    const r = e.step(a, at).refused!;
    expect(r, JSON.stringify(a)).toBeDefined();
    return [r.code, renderRefusal(plan, r)];
  };

  it("an unknown kind names the nearest one", () => {
    expect(refuse(dubandan({ kind: "dubandn" }))).toEqual(["UNKNOWN_KIND", "计划中没有事项类型“dubandn”；是否要用“dubandan”？（可用：dubandan、report、rectify）"]);
  });
  it("an opener the kind does not allow, named with who may", () => {
    expect(refuse(dubandan({ actor: north }))).toEqual(["NOT_OPENER", "北区无权交办“督办单”：只有领导小组办公室可以"]);
  });
  it("a receiving unit outside the kind's set; several units for a kind that is not joint", () => {
    expect(refuse(dubandan({ to: ["hq"] }))).toEqual(["BAD_RECIPIENT", "测试局不在“督办单”可交办的范围内：只能交办给北区、南区"]);
    expect(refuse(dubandan({ to: ["north", "south"] }))[0]).toBe("BAD_RECIPIENT");
    expect(refuse(dubandan({ to: [] }))[0]).toBe("BAD_RECIPIENT");
  });
  it("a due date before now, too soon, beyond the kind's bound, or missing where the opener must give one", () => {
    const rect = (due?: number): UnitAction => ({ type: "open", kind: "rectify", to: ["north"], title: "整改", fields: { agency: "甲" }, actor: office, ...(due !== undefined ? { due } : {}) });
    expect(refuse(rect(cst("2021-05-31T18:00")))[1]).toContain("不晚于现在");
    expect(refuse(rect(cst("2021-06-01T18:00")))[1]).toContain("早于此类事项允许的最早时间");
    expect(refuse(rect(cst("2021-09-01T18:00")))[1]).toContain("晚于此类事项允许的最晚时间");
    expect(refuse(rect())[1]).toContain("须给出截止时间");
  });
  it("an unknown urgency level", () => {
    expect(refuse(dubandan({ level: "紧急" }))).toEqual(["BAD_LEVEL", "“督办单”没有紧急程度“紧急”；可选：一般、特急"]);
  });
  it("missing required, wrongly typed and unknown fields, all at once", () => {
    const r = e.step(dubandan({ fields: { category: "其他", count: "很多", colour: "红" } }), at).refused!;
    expect(r.code).toBe("BAD_FIELDS");
    expect(r.problems!.map((p) => p.code).sort()).toEqual(["FIELD_NOT_CHOICE", "FIELD_NOT_NUMBER", "FIELD_REQUIRED", "FIELD_UNKNOWN"]);
    expect(renderRefusal(plan, r)).toContain("交办依据必须填写");
  });
  it("an attachment over the kind's limit", () => {
    const big = { name: "扫描件.pdf", sha256: "0".repeat(64), size: 30 * 1048576 };
    const kinds = [...plan.kinds.values()].map((k) => (k.id === "dubandan" ? { ...k, fields: [...k.fields, { id: "scan", title: "批示扫描件", type: "attachment" as const, required: false }] } : k));
    const p = { ...plan, kinds: new Map(kinds.map((k) => [k.id, k])) };
    const r = new Engine(p).step(dubandan({ fields: { basis: "批示", scan: [big] } }), at).refused!;
    expect(r.problems!.map((q) => q.code)).toEqual(["ATTACHMENT_TOO_LARGE"]);
    expect(renderRefusal(p, r)).toContain("超过批示扫描件的上限 20 MB");
  });
  it("acknowledging or reporting another unit's item", () => {
    const id = opened(e, dubandan(), at);
    expect(e.step({ type: "acknowledge", assignment: id, actor: south }, at).refused?.code).toBe("NOT_PERMITTED");
    expect(e.step({ type: "submit", assignment: id, actor: south }, at).refused?.code).toBe("NOT_PERMITTED");
  });
  it("nothing refused changes the engine", () => {
    const before = JSON.stringify(e.persist());
    refuse(dubandan({ actor: north }));
    expect(JSON.stringify(e.persist())).toBe(before);
  });
});

describe("opened items replay: from their events, and from a snapshot", () => {
  const actors = [office, north, south];
  const arbAction = fc.oneof(
    fc.record({ kind: fc.constant("open" as const), level: fc.constantFrom(undefined, "特急"), to: fc.constantFrom("north", "south") }),
    fc.record({ kind: fc.constantFrom("submit", "acknowledge", "accept", "return", "withdraw", "extend") as fc.Arbitrary<"submit" | "acknowledge" | "accept" | "return" | "withdraw" | "extend">, item: fc.nat(5), actor: fc.nat(2), final: fc.boolean() }),
  );

  it("a live engine, one rebuilt from its events, and one restored from its snapshot agree, item by item", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(arbAction, fc.integer({ min: 1, max: 40 * 3600_000 })), { minLength: 1, maxLength: 25 }), (script) => {
        const live = new Engine(plan);
        const log: DomainEvent[] = [];
        let t = cst("2021-06-01T08:00");
        let snap: ReturnType<Engine["persist"]> | undefined;
        let after: DomainEvent[] = [];
        script.forEach(([a, dt], k) => {
          t += dt;
          const ids = live.openedItems().map((i) => i.id);
          let action: UnitAction;
          if (a.kind === "open") action = dubandan({ to: [a.to], ...(a.level ? { level: a.level } : {}) });
          else {
            const id = ids[a.item % Math.max(1, ids.length)] ?? "none";
            const actor = actors[a.actor]!;
            action = a.kind === "extend" ? { type: "extend", assignment: id, actor, until: t + 86_400_000 } : a.kind === "submit" ? { type: "submit", assignment: id, actor, final: a.final } : { type: a.kind, assignment: id, actor };
          }
          const r = live.step(action, t);
          log.push(...r.events);
          if (snap) after.push(...r.events);
          if (k === Math.floor(script.length / 2)) {
            snap = JSON.parse(JSON.stringify(live.persist()));
            after = [];
          }
        });
        const replayed = new Engine(plan);
        for (const e of log) replayed.apply(e);
        replayed.settle(live.clock);
        const restored = Engine.restore(plan, snap ?? live.persist());
        for (const e of snap ? after : []) restored.apply(e);
        restored.settle(live.clock);
        const show = (e: Engine) => JSON.stringify(e.views().map((v) => [v.assignment.id, v.progress, v.lateness, v.context]));
        expect(show(replayed)).toBe(show(live));
        expect(show(restored)).toBe(show(live));
        // And they go on alike: the same next events.
        const end = t + 20 * 86_400_000;
        const next = JSON.stringify(live.tick(end));
        expect(JSON.stringify(replayed.tick(end))).toBe(next);
        expect(JSON.stringify(restored.tick(end))).toBe(next);
      }),
      { numRuns: 60 },
    );
  });
});

describe("owed is one definition: a restored engine never reminds of an item handed in", () => {
  it("planned and opened items handed in before a snapshot stay quiet after it, to the campaign's end", () => {
    const e = new Engine(plan);
    e.tick(cst("2021-06-01T08:00"));
    const id = opened(e, dubandan(), cst("2021-06-01T10:00"));
    e.step({ type: "submit", assignment: id, actor: north }, cst("2021-06-01T11:00"));
    e.step({ type: "submit", assignment: "report/north", actor: north }, cst("2021-06-01T11:00"));
    const restored = Engine.restore(plan, JSON.parse(JSON.stringify(e.persist())));
    const r = restored.tick(cst("2021-10-30T10:00"));
    const about = (x: DomainEvent) => "assignment" in x && (x.assignment === id || x.assignment === "report/north");
    expect(r.events.filter((x) => about(x) && x.type === "reminded")).toEqual([]);
    expect(r.reminders.flatMap((m) => m.items.map((i) => i.assignment))).not.toContain(id);
  });
});

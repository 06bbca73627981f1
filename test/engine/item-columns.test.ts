import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Engine, type PersistedEngine } from "../../src/engine/engine.ts";
import { decodeItems, encodeItems } from "../../src/engine/item-columns.ts";
import type { Actor, UnitAction } from "../../src/engine/types.ts";
import type { Item } from "../../src/model/item.ts";
import { cst } from "../helpers.ts";
import { planWithKinds } from "./kinds-fixture.ts";

const office: Actor = { kind: "unit", unit: "hq" };
const north: Actor = { kind: "unit", unit: "north" };
const plan = planWithKinds();
const through = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

describe("opened items by column (snapshot version 4)", () => {
  it("any items come back as they were persisted, key for key and in their own key order", () => {
    const value = fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.array(fc.record({ name: fc.string(), size: fc.nat() })), fc.constant({}), fc.constant(undefined));
    const item = fc.dictionary(fc.constantFrom("id", "unit", "title", "dueAt", "members", "x.y", "__k"), fc.oneof(value, fc.dictionary(fc.constantFrom("kind", "fields", "note", "a.b"), fc.oneof(value, fc.dictionary(fc.string({ maxLength: 3 }), value)))));
    fc.assert(
      fc.property(fc.array(item, { maxLength: 12 }), (items) => {
        const back = decodeItems(through(encodeItems(items as unknown as Item[])));
        // JSON text compares key order too; undefined keys drop out as JSON drops them.
        expect(back.map((i) => JSON.stringify(i))).toEqual(items.map((i) => JSON.stringify(i)));
      }),
      { numRuns: 300 },
    );
  });

  it("items opened together share their values: runs and one string table", () => {
    const e = new Engine(plan);
    e.tick(cst("2021-06-01T08:00"));
    const open = (k: number): UnitAction => ({ type: "open", kind: "dubandan", to: ["north"], title: `欠薪线索核查 ${k}`, fields: { basis: "领导批示" }, actor: office });
    for (let k = 0; k < 40; k++) expect(e.step(open(k), cst("2021-06-01T10:00")).refused).toBeUndefined();
    const p = e.persist();
    expect(p.version).toBe(4);
    expect(p.openedItems.strings.filter((s) => s === "领导批示")).toHaveLength(1);
    const basis = p.openedItems.paths.findIndex((x) => x.join(".") === "opened.fields.basis");
    expect(p.openedItems.columns[basis]).toMatchObject({ s: 1, r: 1 });
    expect(JSON.stringify(p.openedItems).length * 2).toBeLessThan(JSON.stringify(e.openedItems()).length);
  });

  it("a state persisted as version 3 (opened items as objects) or 2 restores to the same engine as version 4", () => {
    const e = new Engine(plan);
    e.tick(cst("2021-06-01T08:00"));
    const a = e.step({ type: "open", kind: "dubandan", to: ["north"], title: "欠薪线索核查", fields: { basis: "领导批示" }, actor: office, note: "限期办结" }, cst("2021-06-01T10:00"));
    e.step({ type: "acknowledge", assignment: a.events.find((x) => x.type === "itemOpened")!.assignment, actor: north }, cst("2021-06-01T11:00"));
    e.step({ type: "submit", assignment: "report/north", actor: north }, cst("2021-06-01T11:00"));
    e.step({ type: "open", kind: "dubandan", to: ["south"], title: "第二件", fields: { basis: "来信" }, actor: office, level: "特急" }, cst("2021-06-02T10:00"));
    const v4 = through(e.persist());
    const { openedItems: _, ...rest } = v4;
    const v3 = through({ ...rest, version: 3, opened: e.openedItems() }) as PersistedEngine;
    const v2 = through({ version: 2, planHash: v4.planHash, clock: v4.clock, campaign: v4.campaign, opened: e.openedItems(), assignments: e.views().map((v) => [{ progress: v.progress, lateness: v.lateness }, v.context]) }) as PersistedEngine;
    const show = (x: Engine) => JSON.stringify(x.views());
    for (const old of [v3, v2]) {
      const r = Engine.restore(plan, old);
      expect(show(r)).toBe(show(e));
      expect(r.persist()).toEqual(v4);
      const end = cst("2021-07-30T10:00");
      expect(JSON.stringify(r.tick(end))).toBe(JSON.stringify(Engine.restore(plan, v4).tick(end)));
    }
  });
});

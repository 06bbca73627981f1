import { describe, expect, it } from "vitest";
import { strandedByRemovedUnits } from "../../src/campaign/removed-units.ts";
import type { AssignmentView } from "../../src/engine/engine.ts";
import type { Item } from "../../src/model/item.ts";
import type { ProgressState } from "../../src/model/states.ts";
import type { ResolvedPlan } from "../../src/plan/types.ts";

/** Only what the rule reads: the item's units and its state. */
function view(id: string, unit: string, progress: ProgressState, extra: Partial<Item> = {}): AssignmentView {
  return { assignment: { id, title: id, unit, to: "hq", ...extra } as Item, progress } as AssignmentView;
}
const next = { units: new Map([["hq", {}], ["north", {}]]) } as unknown as ResolvedPlan;

describe("items a unit removal would strand (strandedByRemovedUnits)", () => {
  it("a removed unit's planned items that are not closed; closed ones go with it, as history", () => {
    const views = [view("report/south", "south", "open"), view("plan/south", "south", "waiting"), view("summary/south", "south", "submitted"), view("old/south", "south", "accepted"), view("waived/south", "south", "waived"), view("report/north", "north", "open")];
    expect(strandedByRemovedUnits(views, next).map((s) => [s.id, s.unit, s.as])).toEqual([
      ["report/south", "south", "owner"],
      ["plan/south", "south", "owner"],
      ["summary/south", "south", "owner"],
    ]);
  });

  it("an item opened at run time in any state, since it carries over to the new version; a joint member; a removed recipient", () => {
    const opened = { opened: { kind: "k", openedBy: "hq" } } as Partial<Item>;
    const views = [
      view("k/1", "south", "accepted", opened),
      view("k/2", "north", "open", { ...opened, members: ["north", "south"] }),
      view("report/north", "north", "open", { to: "south" }),
      view("done/north", "north", "accepted", { to: "south" }),
    ];
    expect(strandedByRemovedUnits(views, next).map((s) => [s.id, s.unit, s.as])).toEqual([
      ["k/1", "south", "owner"],
      ["k/2", "south", "owner"],
      ["report/north", "south", "recipient"],
    ]);
  });
});

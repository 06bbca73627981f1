import { describe, expect, it } from "vitest";
import { publishedNow } from "../../src/publish/source.ts";
import { statistics } from "../../src/publish/stats.ts";
import { cst } from "../helpers.ts";
import { planText } from "../plan/minimal-plan.ts";
import { initCampaign } from "./fixture.ts";

describe("items without a deadline in what the office publishes", () => {
  it("a task tracked without due: is counted nowhere, handed in or not: not due, not on time, not in any rate", async () => {
    // The minimal plan's task `inspect` has no due: (hq leads, both districts support); `report` is due 06-15.
    const { c, close } = await initCampaign(undefined, planText());
    try {
      await c.step({ type: "submit", assignment: "inspect/north", actor: { kind: "unit", unit: "north" } }, cst("2021-05-10T10:00"));
      await c.step({ type: "submit", assignment: "report/north", actor: { kind: "unit", unit: "north" } }, cst("2021-06-10T10:00"));
      const state = publishedNow(c, cst("2021-06-20T12:00"));
      expect(state.items.map((i) => i.assignment.id).sort()).toEqual(["report/north", "report/south"]);
      const north = statistics(state, "unit").lines.find((l) => l.key === "north")!;
      expect(north).toMatchObject({ assigned: 1, onTime: 1, due: 1, onTimeRate: 1 });
      expect(statistics(state, "task").lines.map((l) => l.key)).not.toContain("inspect");
    } finally {
      await close();
    }
  });
});

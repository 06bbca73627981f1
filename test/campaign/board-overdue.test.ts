import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isOverdueView } from "../../src/campaign/board.ts";
import { Campaign } from "../../src/campaign/campaign.ts";
import { isOutstanding } from "../../src/model/states.ts";
import { openStore } from "../../src/store/open.ts";
import { cst } from "../helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "duban-board-overdue-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Issue 16: `status --overdue` builds only the overdue rows; they must be exactly the whole board's overdue rows. */
describe("the board of the overdue items only", () => {
  it("holds exactly the rows of the whole board that are late and still owed, item for item", async () => {
    const store = await openStore(join(dir, "s.db"));
    const c = await Campaign.init(store, "plans/chongqing-2021.yaml", cst("2021-04-28T10:00"));
    // One hand-in on time, one late (handed in: no longer owed), the rest left to run late.
    await c.step({ type: "submit", assignment: "implementation-plan/yuzhong", actor: { kind: "unit", unit: "yuzhong" } }, cst("2021-05-10T09:00"));
    await c.tick(cst("2021-06-16T10:00"));
    await c.step({ type: "submit", assignment: "implementation-plan/jiangbei", actor: { kind: "unit", unit: "jiangbei" } }, cst("2021-06-16T11:00"));
    // One late item given more time: its due instant is ahead again, so it is no longer listed.
    await c.step({ type: "extend", assignment: "implementation-plan/wanzhou", actor: { kind: "unit", unit: "flow" }, until: cst("2021-06-25T18:00") }, cst("2021-06-16T11:30"));
    // Now, later and before anything was due (none).
    const counts = [cst("2021-06-16T12:00"), cst("2021-09-01T10:00"), cst("2021-04-28T10:00")].map((at) => {
      const whole = c.board(at).filter((r) => r.late && isOutstanding(r.state));
      expect(c.board(at, isOverdueView)).toEqual(whole);
      // And as the engine tells them from its columns, each item's view never built for the others.
      expect(c.overdueBoard(at)).toEqual(whole);
      return whole.length;
    });
    expect(counts[0]).toBeGreaterThan(0);
    expect(c.overdueBoard(cst("2021-06-16T12:00")).some((r) => r.id === "implementation-plan/wanzhou")).toBe(false);
    expect(counts[2]).toBe(0);
    await store.close();
  });
});

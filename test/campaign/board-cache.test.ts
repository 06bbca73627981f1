import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Campaign } from "../../src/campaign/campaign.ts";
import { openStore } from "../../src/store/open.ts";
import { cst } from "../helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "duban-board-cache-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Issue 16: Campaign.board keeps its last board; asked again at a later instant it must equal a fresh build. */
describe("the cached board", () => {
  it("is built again when the clock passes an owed item's due instant, the day changes, or an event lands", async () => {
    const store = await openStore(join(dir, "s.db"));
    const c = await Campaign.init(store, "plans/chongqing-2021.yaml", cst("2021-05-20T09:00"));
    // A filter that keeps every view builds the board afresh, past the cache.
    const fresh = (at: number) => c.board(at, () => true);
    const row = (at: number, id: string) => c.board(at).find((r) => r.id === id)!;
    const id = "implementation-plan/yuzhong";
    // Before its due instant (5月20日 18:00) the item is owed and not late; a minute after, late.
    expect(row(cst("2021-05-20T17:59"), id).late).toBe(false);
    expect(row(cst("2021-05-20T18:01"), id).late).toBe(true);
    expect(c.board(cst("2021-05-20T18:01"))).toEqual(fresh(cst("2021-05-20T18:01")));
    // The next working day: one day late more, though nothing else fell due in between.
    const days = row(cst("2021-05-21T10:00"), id).daysLate;
    expect(row(cst("2021-05-24T10:00"), id).daysLate).toBeGreaterThan(days);
    expect(c.board(cst("2021-05-24T10:00"))).toEqual(fresh(cst("2021-05-24T10:00")));
    // Asked again within the window: the same rows, not a rebuild.
    expect(c.board(cst("2021-05-24T10:05"))).toBe(c.board(cst("2021-05-24T10:06")));
    // An event: the hand-in shows at once.
    await c.step({ type: "submit", assignment: id, actor: { kind: "unit", unit: "yuzhong" } }, cst("2021-05-24T10:10"));
    expect(row(cst("2021-05-24T10:11"), id).state).toBe("submitted");
    await store.close();
  });
});

import { describe, expect, it } from "vitest";
import type { BoardRow } from "../../src/campaign/board.ts";
import { loadPlanText } from "../../src/plan/load.ts";
import { OPENED_MAX_ROWS, openedTable } from "../../src/web/views/board.ts";
import { kindsPlanText } from "../items/kinds-plan.ts";

const plan = loadPlanText("plan.yaml", kindsPlanText()).plan!;

/** An opened 整改 row for north, due on day `day` of May 2021, overdue or not, done or not. */
function row(i: number, day: number, o: { late?: boolean; state?: BoardRow["state"] } = {}): BoardRow {
  const due = `2021-05-${String(day).padStart(2, "0")}T18:00:00+08:00`;
  return { id: `rectify-${i}/north`, unit: "north", title: `整改事项 ${i}`, state: o.state ?? "open", lateness: o.late ? "overdue" : "onTime", late: o.late ?? false, level: 0, due, daysLate: 0, returns: 0, extensions: 0, kind: "rectify", openedBy: "hq", openedAt: "2021-05-01T10:00:00+08:00" } as BoardRow;
}
const listed = (h: string) => [...h.matchAll(/<tr id="row-([^"]+)"/g)].map((m) => m[1]);

describe("the opened-items table of the board", () => {
  it("lists every row, in order, while they fit", () => {
    const rows = Array.from({ length: 30 }, (_, i) => row(i, 1 + (i % 28)));
    const h = String(openedTable(plan, rows));
    expect(listed(h)).toEqual(rows.map((r) => r.id));
    expect(h).not.toContain("仅列最紧迫的");
  });

  it("past its cap lists the most urgent: overdue longest first, then outstanding by deadline, and says how many it left out", () => {
    // 1,000 rows: done ones first in the board's order, then outstanding, with 3 overdue at the end.
    const rows = [
      ...Array.from({ length: 600 }, (_, i) => row(i, 3, { state: "accepted" })),
      ...Array.from({ length: 397 }, (_, i) => row(600 + i, 28 - (i % 20))),
      row(997, 20, { late: true }),
      row(998, 5, { late: true }),
      row(999, 12, { late: true }),
    ];
    const ids = listed(String(openedTable(plan, rows)));
    expect(ids).toHaveLength(OPENED_MAX_ROWS);
    expect(ids.slice(0, 3)).toEqual(["rectify-998/north", "rectify-999/north", "rectify-997/north"]);
    // Then the outstanding ones, soonest deadline first; nothing handed in makes the cut.
    const dues = ids.slice(3).map((id) => rows.find((r) => r.id === id)!.due!);
    expect(dues).toEqual([...dues].sort());
    expect(ids.every((id) => !rows.find((r) => r.id === id)!.state.startsWith("accepted"))).toBe(true);
    expect(String(openedTable(plan, rows))).toContain(`仅列最紧迫的 ${OPENED_MAX_ROWS} 条（共 1000 条`);
  });
});

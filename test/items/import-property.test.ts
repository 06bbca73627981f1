import fc from "fast-check";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { columnName, readImport } from "../../src/items/import-sheet.ts";
import { HQ, importPlan, rectify, tempDir, writeCsv, writeXlsx } from "./kind-fixture.ts";

/**
 * For any sheet and any set of bad cells in it: exactly one problem per bad cell, at that cell, none
 * missed and none invented; and a sheet without a bad cell gives exactly one request per row.
 */

const plan = importPlan();
const HEADER = ["问题编号", "问题描述", "整改时限", "涉及金额", "问题类别", "责任单位"];

const text = fc
  .array(fc.constantFrom(..."整改问题落实到位未公示台账, \"a1"), { minLength: 1, maxLength: 30 })
  .map((cs) => cs.join(""))
  .filter((s) => s.trim() !== "");
const day = fc.date({ min: new Date(Date.UTC(2021, 0, 1)), max: new Date(Date.UTC(2030, 11, 31)), noInvalidDate: true }).map((d) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate())));
const spelled = (d: Date) => fc.constantFrom(d, d.toISOString().slice(0, 10), `${d.getUTCFullYear()}/${d.getUTCMonth() + 1}/${d.getUTCDate()}`, `${d.getUTCFullYear()}年${d.getUTCMonth() + 1}月${d.getUTCDate()}日`);

/** Per column: a good value (possibly empty where optional), and values the column must refuse. */
const good = [
  fc.constant(undefined), // 问题编号: set per row, unique
  text,
  day.chain(spelled),
  fc.option(fc.integer({ min: 0, max: 100_000 }), { nil: undefined }),
  fc.option(fc.constantFrom("制度建设", "执行落实", "其他"), { nil: undefined }),
  fc.constantFrom("北区", "南区", "北区人民政府", "south", "hq"),
];
const bad = [
  fc.constant(""), // required, left empty
  fc.constant("字".repeat(201)), // over maxLength (never empty, so no row is ever blank)
  fc.constantFrom("下周五", "2021-02-30", "尽快", ""),
  fc.constantFrom("十万", "abc", "1.2.3"),
  fc.constantFrom("乱填", "不知道"),
  fc.constantFrom("", "东区", "不存在的单位", "北区、南区"),
];

const sheet = fc.integer({ min: 1, max: 12 }).chain((n) =>
  fc.tuple(
    fc.constantFrom("xlsx" as const, "csv" as const),
    fc.array(
      fc.tuple(...HEADER.map((_, c) => fc.tuple(fc.integer({ min: 0, max: 4 }).map((x) => x === 0), good[c]!, bad[c]!))),
      { minLength: n, maxLength: n },
    ),
  ),
);

describe("every bad cell is reported, exactly once, at its cell", () => {
  it("holds for any sheet, xlsx or csv", async () => {
    await fc.assert(
      fc.asyncProperty(sheet, async ([format, rows]) => {
        const badCells = new Set<string>();
        const table: unknown[][] = [HEADER];
        rows.forEach((cols, i) => {
          const row = i + 2;
          table.push(
            cols.map(([isBad, g, b], c) => {
              if (isBad) badCells.add(`${columnName(c)}${row}`);
              return isBad ? b : c === 0 ? `Z-${i}` : g;
            }),
          );
        });
        const file = join(tempDir(), `sheet.${format}`);
        if (format === "xlsx") await writeXlsx(file, { Sheet1: table });
        else writeCsv(file, table, "gb18030");
        const r = await readImport(file, rectify, plan, { actor: HQ });
        if (badCells.size === 0) {
          expect(r).toHaveProperty("requests");
          const requests = (r as { requests: { key?: string; to: string[] }[] }).requests;
          expect(requests.map((q) => q.key)).toEqual(rows.map((_, i) => `Z-${i}`));
          for (const q of requests) expect(q.to).toHaveLength(1);
        } else {
          expect(r).toHaveProperty("problems");
          const cells = (r as { problems: { cell?: string }[] }).problems.map((p) => p.cell);
          expect(cells.length).toBe(badCells.size);
          expect(new Set(cells)).toEqual(badCells);
        }
      }),
      { numRuns: 60 },
    );
  });
});

import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ExcelJS from "exceljs";
import { beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import { excelDate } from "../../src/publish/ledger-xlsx.ts";
import { captureIo, cst } from "../helpers.ts";
import { initCampaign, playStory } from "./fixture.ts";

let db = "";
let dir = "";
let book: ExcelJS.Workbook;

async function duban(...args: string[]) {
  const io = captureIo();
  const code = await main(["node", "duban", "--db", db, "--now", "2021-07-20T12:00+08:00", ...args], io);
  return { code, out: io.stdout, err: io.stderr };
}

beforeAll(async () => {
  const r = await initCampaign();
  db = r.db;
  await playStory(r.c);
  await r.close();
  dir = mkdtempSync(join(tmpdir(), "duban-xlsx-"));
  const file = join(dir, "台账.xlsx");
  const w = await duban("export", "--format", "xlsx", "--as-of", "2021-06-28T12:00+08:00", "--out", file);
  expect(w.err).toBe("");
  expect(w.code).toBe(0);
  expect(w.out).toContain(`台账已写入 ${file}（截至 2021-06-28T12:00:00+08:00，6 项）`);
  expect(existsSync(`${file}.part`)).toBe(false);
  book = new ExcelJS.Workbook();
  await book.xlsx.readFile(file);
});


const texts = (row: ExcelJS.Row) => (row.values as unknown[]).slice(1).map((v) => (v instanceof Date ? v.toISOString() : v));

describe("the 台账 as an Excel workbook", () => {
  it("has a summary sheet, then one sheet per deliverable, each with a frozen Chinese header row", () => {
    expect(book.worksheets.map((w) => w.name)).toEqual(["统计汇总", "半年报告", "阶段小结"]);
    for (const ws of book.worksheets) expect(ws.views[0]).toMatchObject({ state: "frozen", ySplit: 1 });
    const report = book.getWorksheet("半年报告")!;
    expect(texts(report.getRow(1))).toEqual(["事项编号", "责任单位", "事项", "截止时间", "办理状态", "办结情况", "逾期工作日", "报送时间", "退回次数", "延期次数", "督办级别", "三色灯"]);
    expect(report.getColumn(1).width).toBe(28);
    expect(report.getRow(1).font?.bold).toBe(true);
  });

  it("writes instants as real Excel dates showing Shanghai wall-clock time", () => {
    const report = book.getWorksheet("半年报告")!;
    const rows = [2, 3, 4].map((n) => report.getRow(n));
    const south = rows.find((r) => r.getCell(1).value === "report/south")!;
    // exceljs reads a date cell back as a Date whose UTC fields are the cell's wall-clock time.
    expect(south.getCell(4).value).toBeInstanceOf(Date);
    expect((south.getCell(4).value as Date).toISOString()).toBe("2021-06-15T18:00:00.000Z");
    expect((south.getCell(8).value as Date).toISOString()).toBe("2021-06-21T10:00:00.000Z");
    expect(south.getCell(4).numFmt).toBe("yyyy-mm-dd hh:mm");
    expect(texts(south).slice(4, 7)).toEqual(["已报送待审核", "逾期办结", 4]);
    expect(south.getCell(9).value).toBe(1);
    // The extended item shows its deadline in force, and is overdue by one working day as of 06-28.
    const east = rows.find((r) => r.getCell(1).value === "report/east")!;
    expect((east.getCell(4).value as Date).toISOString()).toBe("2021-06-25T18:00:00.000Z");
    expect([east.getCell(6).value, east.getCell(7).value, east.getCell(8).value, east.getCell(10).value]).toEqual(["逾期未报", 1, null, 1]);
    // The outcome's colour: red for overdue, green for on time.
    expect((east.getCell(6).fill as ExcelJS.FillPattern).fgColor?.argb).toBe("FFFFC7CE");
    const north = rows.find((r) => r.getCell(1).value === "report/north")!;
    expect((north.getCell(6).fill as ExcelJS.FillPattern).fgColor?.argb).toBe("FFC6EFCE");
    // The colour is the 三色 light's: south handed in late is closed, so green (its words say how it closed).
    expect(east.getCell(12).value).toBe("红灯：逾期1个工作日");
    expect((east.getCell(12).fill as ExcelJS.FillPattern).fgColor?.argb).toBe("FFFFC7CE");
    expect(south.getCell(12).value).toBe("绿灯：逾期4个工作日报送，待审核");
    expect((south.getCell(6).fill as ExcelJS.FillPattern).fgColor?.argb).toBe("FFC6EFCE");
  });

  it("converts an instant to the naive date exceljs stores, across the zone's day boundary", () => {
    // 2021-06-15 00:30 in Shanghai is 06-14 16:30 UTC: the cell must say 06-15 00:30.
    expect(excelDate(cst("2021-06-15T00:30"), "Asia/Shanghai").toISOString()).toBe("2021-06-15T00:30:00.000Z");
  });

  it("puts the statistics by unit and by deliverable on the summary sheet", () => {
    const ws = book.getWorksheet("统计汇总")!;
    expect(texts(ws.getRow(1)).slice(0, 4)).toEqual(["单位", "应办数", "按时办结", "逾期办结"]);
    const byName = new Map<string, unknown[]>();
    ws.eachRow((row) => byName.set(String(row.getCell(1).value), texts(row)));
    // 06-28: report as hand-checked in stats.test.ts; the summary not yet due.
    expect(byName.get("南区")!.slice(0, 4)).toEqual(["南区", 2, 0, 1]);
    expect(byName.get("半年报告")!.slice(0, 7)).toEqual(["半年报告", 3, 1, 1, 4, 4, 1]);
    const rate = ws.getColumn(13).values.find((v) => typeof v === "number" && v > 0.3 && v < 0.34);
    expect(rate).toBeCloseTo(1 / 3, 4);
    expect(texts(ws.getRow(1))).toContain("按时完成率");
    const note = [...byName.keys()].find((k) => k.startsWith("截至"));
    expect(note).toContain("截至 2021-06-28 周一 12:00（Asia/Shanghai）");
  });

  it("refuses an --as-of before the store begins, writing nothing", async () => {
    const file = join(dir, "early.xlsx");
    const r = await duban("export", "--format", "xlsx", "--as-of", "2021-01-01T00:00+08:00", "--out", file);
    expect(r.code).toBe(1);
    expect(r.err).toContain("早于本存储的第一条记录");
    expect(existsSync(file)).toBe(false);
  });
});

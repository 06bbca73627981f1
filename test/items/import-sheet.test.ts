import ExcelJS from "exceljs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readImport, type ImportResult } from "../../src/items/import-sheet.ts";
import type { OpenRequest } from "../../src/engine/types.ts";
import { importProblemLine } from "../../src/text/import-zh.ts";
import { cst } from "../helpers.ts";
import { HQ, importPlan, rectify, supervise, tempDir, writeCsv, writeXlsx } from "./kind-fixture.ts";

const plan = importPlan();
const HEADER = ["序号", "问题编号", "问题描述", "整改时限", "涉及金额", "问题类别", "责任单位"];

function requests(r: ImportResult): OpenRequest[] {
  if ("problems" in r) throw new Error(r.problems.map((p) => `${importProblemLine(p)} ${JSON.stringify(p.params)}`).join("\n"));
  return r.requests;
}

function lines(r: ImportResult): string[] {
  if (!("problems" in r)) throw new Error(`expected problems, got ${r.requests.length} requests`);
  return r.problems.map(importProblemLine);
}

describe("an xlsx 问题清单 becomes one opening request per row", () => {
  it("reads fields by their Chinese titles, units by short name, full name or id, date cells as dates", async () => {
    const file = await writeXlsx(join(tempDir(), "整改问题清单.xlsx"), {
      Sheet1: [
        HEADER,
        [1, "ZG-001", "未按规定公示", new Date(Date.UTC(2021, 5, 15)), 12.5, "制度建设", "北区"],
        [2, "ZG-002", "台账不全", "2021/6/30", "1,200", "", "南区人民政府"],
        [3, "ZG-003", "整改不到位", "2021年7月1日", undefined, "其他", "south"],
      ],
    });
    const r = requests(await readImport(file, rectify, plan, { actor: HQ }));
    expect(r).toHaveLength(3);
    expect(r[0]).toEqual({
      kind: "rectify",
      to: ["north"],
      title: "整改问题：ZG-001",
      fields: { code: "ZG-001", problem: "未按规定公示", deadline: "2021-06-15", amount: 12.5, category: "制度建设" },
      key: "ZG-001",
      actor: HQ,
    });
    expect(r[1]!.fields).toEqual({ code: "ZG-002", problem: "台账不全", deadline: "2021-06-30", amount: 1200 });
    expect(r[1]!.to).toEqual(["south"]);
    expect(r[2]!.to).toEqual(["south"]);
    expect(r[2]!.fields).toMatchObject({ deadline: "2021-07-01", category: "其他" });
  });

  it("reads rich text and formula results as their text and value", async () => {
    const file = join(tempDir(), "rich.xlsx");
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet("清单");
    ws.addRow(HEADER);
    ws.addRow([1, { richText: [{ text: "ZG-" }, { text: "009", font: { bold: true } }] }, "问题", "2021-06-15", { formula: "2*3", result: 6 }, "其他", "北区"]);
    await wb.xlsx.writeFile(file);
    const [req] = requests(await readImport(file, rectify, plan, { actor: HQ }));
    expect(req!.fields).toMatchObject({ code: "ZG-009", amount: 6 });
  });

  it("passes over a title row above the header, empty rows and the 序号 column", async () => {
    const file = await writeXlsx(join(tempDir(), "t.xlsx"), {
      Sheet1: [["北区专项整治问题清单"], [], HEADER, [], [1, "ZG-1", "问题", "2021-06-15", undefined, undefined, "北区"], [], []],
    });
    const r = await readImport(file, rectify, plan, { actor: HQ });
    expect(requests(r).map((x) => x.key)).toEqual(["ZG-1"]);
    // Each request's row, for placing what the engine refuses.
    expect(r).toMatchObject({ rows: [5], sheet: "Sheet1" });
  });

  it("passes over hidden sheets when none is named", async () => {
    const file = join(tempDir(), "hidden.xlsx");
    const wb = new ExcelJS.Workbook();
    const hidden = wb.addWorksheet("模板", { state: "hidden" });
    hidden.addRow(["责任单位", "问题编号", "问题描述", "整改时限"]);
    hidden.addRow(["北区", "T-1", "样例", "2021-06-15"]);
    const ws = wb.addWorksheet("清单");
    ws.addRow(["责任单位", "问题编号", "问题描述", "整改时限"]);
    ws.addRow(["北区", "R-1", "问题", "2021-06-15"]);
    await wb.xlsx.writeFile(file);
    expect(requests(await readImport(file, rectify, plan, { actor: HQ })).map((x) => x.key)).toEqual(["R-1"]);
    expect(requests(await readImport(file, rectify, plan, { sheet: "模板", actor: HQ })).map((x) => x.key)).toEqual(["T-1"]);
  });

  it("accepts headers as people type them: field ids, a required mark, full-width brackets, spaces", async () => {
    const file = await writeXlsx(join(tempDir(), "h.xlsx"), {
      Sheet1: [
        ["*问题编号", "problem", " 整改 时限（必填）", "责任单位"],
        ["A-1", "问题", "2021-06-15", "北区"],
      ],
    });
    expect(requests(await readImport(file, rectify, plan, { actor: HQ }))[0]!.fields).toEqual({ code: "A-1", problem: "问题", deadline: "2021-06-15" });
  });

  it("reads the sheet asked for, else the first one", async () => {
    const file = await writeXlsx(join(tempDir(), "two.xlsx"), {
      说明: [["责任单位", "问题编号", "问题描述", "整改时限"], ["北区", "X-1", "问题", "2021-06-15"]],
      北区: [["责任单位", "问题编号", "问题描述", "整改时限"], ["北区", "N-1", "问题", "2021-06-15"], ["北区", "N-2", "问题", "2021-06-16"]],
    });
    expect(requests(await readImport(file, rectify, plan, { actor: HQ })).map((x) => x.key)).toEqual(["X-1"]);
    expect(requests(await readImport(file, rectify, plan, { sheet: "北区", actor: HQ })).map((x) => x.key)).toEqual(["N-1", "N-2"]);
  });
});

describe("standard columns: 责任单位, 标题, 截止时间, 紧急程度, 编号, 备注", () => {
  const header = ["编号", "标题", "批示内容", "来源", "责任单位", "截止时间", "紧急程度", "备注"];

  it("a date gives the calendar's due time that day in the plan's zone; a time given is kept", async () => {
    const file = await writeXlsx(join(tempDir(), "d.xlsx"), {
      Sheet1: [header, ["DB-1", "落实批示", "请抓紧落实", "领导批示", "北区", new Date(Date.UTC(2021, 5, 15)), "紧急", "见附件"], ["DB-2", "", "核查来信", "群众来信", "南区", "2021-06-16 12:00", "", ""]],
    });
    const [a, b] = requests(await readImport(file, supervise, plan, { actor: HQ }));
    expect(a).toEqual({ kind: "supervise", to: ["north"], title: "落实批示", due: cst("2021-06-15T18:00"), level: "紧急", note: "见附件", fields: { instruction: "请抓紧落实", source: "领导批示" }, key: "DB-1", actor: HQ });
    expect(b!.due).toBe(cst("2021-06-16T12:00"));
    expect(b!.level).toBeUndefined();
    expect(b!.title).toBe("督办单：DB-2");
  });

  it("several units jointly, separated by 、 , or ，, in the order written", async () => {
    const file = writeCsv(join(tempDir(), "j.csv"), [header, ["DB-1", "联合检查", "检查", "检查发现", "南区、北区人民政府，hq", "2021-06-15", "一般", ""]]);
    expect(requests(await readImport(file, supervise, plan, { actor: HQ }))[0]!.to).toEqual(["south", "north", "hq"]);
  });

  it("without 编号 or key fields, a row is keyed by its content: the same rows give the same keys", async () => {
    const rows = [["批示内容", "来源", "责任单位", "截止时间"], ["请落实", "领导批示", "北区", "2021-06-15"], ["请核查", "群众来信", "南区", "2021-06-15"]];
    const dir = tempDir();
    const a = requests(await readImport(writeCsv(join(dir, "a.csv"), rows), supervise, plan, { actor: HQ }));
    const b = requests(await readImport(await writeXlsx(join(dir, "b.xlsx"), { Sheet1: rows }), supervise, plan, { actor: HQ }));
    expect(a.map((x) => x.key)).toEqual(b.map((x) => x.key));
    expect(new Set(a.map((x) => x.key)).size).toBe(2);
    expect(a[0]!.title).toBe("督办单：请落实");
  });
});

describe("CSV as offices save it", () => {
  const rows = [HEADER, [1, "ZG-001", "未按规定公示，群众反映强烈", "2021-06-15", "3", "执行落实", "北区"], [2, "ZG-002", '标注"重点"问题', "2021/6/30", "", "", "南区"]];
  for (const encoding of ["utf8", "utf8bom", "gb18030", "gbk"] as const) {
    it(`reads ${encoding}`, async () => {
      const file = writeCsv(join(tempDir(), `清单-${encoding}.csv`), rows, encoding);
      const r = requests(await readImport(file, rectify, plan, { actor: HQ }));
      expect(r.map((x) => x.fields)).toEqual([
        { code: "ZG-001", problem: "未按规定公示，群众反映强烈", deadline: "2021-06-15", amount: 3, category: "执行落实" },
        { code: "ZG-002", problem: '标注"重点"问题', deadline: "2021-06-30" },
      ]);
    });
  }

  it("names a CSV cell without a sheet", async () => {
    const file = writeCsv(join(tempDir(), "清单.csv"), [HEADER, [1, "ZG-1", "问题", "下周五", "", "", "北区"]], "gb18030");
    expect(lines(await readImport(file, rectify, plan, { actor: HQ }))).toEqual([`${file}:D2: 整改时限不是日期（“下周五”；应如 2021-06-30）`]);
  });
});

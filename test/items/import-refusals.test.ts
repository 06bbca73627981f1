import JSZip from "jszip";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readImport, type ImportResult } from "../../src/items/import-sheet.ts";
import type { ImportProblem } from "../../src/items/import-problem.ts";
import { importProblemLine } from "../../src/text/import-zh.ts";
import { HQ, importPlan, rectify, supervise, tempDir, writeCsv, writeXlsx } from "./kind-fixture.ts";

/** Every bad input of an import: a clear Chinese line per problem, all of them, and no request at all. */

const plan = importPlan();
const HEADER = ["序号", "问题编号", "问题描述", "整改时限", "涉及金额", "问题类别", "责任单位"];

function problems(r: ImportResult): ImportProblem[] {
  expect(r).not.toHaveProperty("requests");
  return (r as { problems: ImportProblem[] }).problems;
}
const lines = (r: ImportResult) => problems(r).map(importProblemLine);

describe("bad rows: every bad cell reported at its cell, nothing opened", () => {
  it("names the file, sheet and cell: 整改问题清单.xlsx:Sheet1!D3: 整改时限不是日期", async () => {
    const dir = tempDir();
    const file = await writeXlsx(join(dir, "整改问题清单.xlsx"), {
      Sheet1: [
        HEADER,
        [1, "ZG-001", "未公示", "2021-06-15", 1, "其他", "北区"],
        [2, "ZG-002", "台账不全", "下周五", "十万", "乱填", "东区"],
        [3, "", "", "2021-02-30", 2, "", ""],
        [4, "ZG-004", "问题", "2021-06-15", "", "", "北区、南区"],
        [5, "ZG-005", "x".repeat(201), "2021-06-15", "", "", "西区"],
      ],
    });
    const r = await readImport(file, rectify, plan, { actor: HQ });
    const at = `${file}:Sheet1!`;
    expect(lines(r)).toEqual([
      `${at}D3: 整改时限不是日期（“下周五”；应如 2021-06-30）`,
      `${at}E3: 涉及金额不是数字（“十万”）`,
      `${at}F3: 问题类别只能是 制度建设、执行落实、其他 之一（“乱填”）`,
      `${at}G3: 责任单位“东区”不是计划中的单位（是否应为“北区”？）`,
      `${at}B4: 问题编号必须填写`,
      `${at}C4: 问题描述必须填写`,
      `${at}D4: 整改时限不是日期（“2021-02-30”；应如 2021-06-30）`,
      `${at}G4: 责任单位必须填写`,
      `${at}G5: 此类事项只能交办给一个单位，本行填了 2 个`,
      `${at}C6: 问题描述超过 200 字`,
      `${at}G6: 责任单位“西区”可指多个单位（西区人民政府、西区水务局）；请写全称`,
    ]);
    expect(problems(r)[0]).toMatchObject({ code: "FIELD_NOT_DATE", file, sheet: "Sheet1", cell: "D3", row: 3, params: { field: "整改时限", value: "下周五" } });
  });

  it("the line is the issue's: FILE:Sheet!C7: 整改时限不是日期, then the value and an example", async () => {
    const rows: unknown[][] = [["问题编号", "问题描述", "整改时限", "责任单位"]];
    for (let i = 2; i <= 7; i++) rows.push([`Z-${i}`, "问题", i === 7 ? "尽快" : "2021-06-15", "北区"]);
    const file = await writeXlsx(join(tempDir(), "整改问题清单.xlsx"), { Sheet1: rows.map((r) => [r[0], r[1], r[2], r[3]]) });
    // 整改时限 in column C, the seventh row.
    expect(lines(await readImport(file, rectify, plan, { actor: HQ }))).toEqual([`${file}:Sheet1!C7: 整改时限不是日期（“尽快”；应如 2021-06-30）`]);
  });

  it("standard columns: a bad 截止时间 or 紧急程度, a 截止时间 where the plan sets it, too many joint units", async () => {
    const file = writeCsv(join(tempDir(), "db.csv"), [
      ["编号", "批示内容", "来源", "责任单位", "截止时间", "紧急程度"],
      ["D1", "落实", "领导批示", "北区", "月底前", "很急"],
      ["D2", "落实", "领导批示", "北区", "", "一般"],
      ["D3", "落实", "领导批示", "北区", "2021-06-15", "特急"],
      ["D4", "落实", "领导批示", "北区、南区、hq、west", "2021-06-15", "紧急"],
      ["", "落实", "领导批示", "北区", "2021-06-15", ""],
    ]);
    expect(lines(await readImport(file, supervise, plan, { actor: HQ }))).toEqual([
      `${file}:E2: 截止时间不是日期（“月底前”；应如 2021-06-30）`,
      `${file}:F2: 紧急程度只能是 一般、紧急、特急 之一（“很急”）`,
      `${file}:E3: 截止时间必须填写`,
      `${file}:E4: 此类事项的截止时间由计划规定（交办后 24 小时），不能在表中填写`,
      `${file}:D5: 此类事项至多由 3 个单位联合办理，本行填了 4 个`,
      `${file}:A6: 编号必须填写`,
    ]);
  });
});

describe("the header", () => {
  it("unknown columns with the nearest known one, missing required columns, a column twice", async () => {
    const file = await writeXlsx(join(tempDir(), "h.xlsx"), {
      Sheet1: [
        ["问题编号", "整改时间", "责任单位", "问题编号", "备忘"],
        ["Z-1", "2021-06-15", "北区", "Z-1", "x"],
      ],
    });
    expect(lines(await readImport(file, rectify, plan, { actor: HQ }))).toEqual([
      `${file}:Sheet1!B1: 未知列“整改时间”（是否应为“整改时限”？）；可用的列：责任单位、标题、截止时间、紧急程度、编号、备注、问题编号、问题描述、整改时限、涉及金额、问题类别、督导单位`,
      `${file}:Sheet1!D1: 列“问题编号”与 A 列重复`,
      `${file}:Sheet1!E1: 未知列“备忘”（是否应为“备注”？）；可用的列：责任单位、标题、截止时间、紧急程度、编号、备注、问题编号、问题描述、整改时限、涉及金额、问题类别、督导单位`,
      `${file}:Sheet1: 缺少必填列“问题描述”`,
      `${file}:Sheet1: 缺少必填列“整改时限”`,
    ]);
  });

  it("a kind whose opener gives the deadline needs a 截止时间 column; values under no header are reported once", async () => {
    const file = writeCsv(join(tempDir(), "n.csv"), [
      ["批示内容", "来源", "责任单位", ""],
      ["落实", "领导批示", "北区", "多余"],
      ["落实", "领导批示", "南区", "多余"],
    ]);
    expect(lines(await readImport(file, supervise, plan, { actor: HQ }))).toEqual([`${file}: 缺少必填列“截止时间”`, `${file}:D1: D 列有内容但没有表头；请填写表头或删除该列`]);
  });

  it("no row naming a known column: the first row is the header and each of its names is reported", async () => {
    const file = writeCsv(join(tempDir(), "x.csv"), [["a", "b"], ["1", "2"]]);
    const r = problems(await readImport(file, rectify, plan, { actor: HQ }));
    expect(r.map((p) => [p.code, p.cell ?? p.params.column])).toEqual([
      ["IMPORT_UNKNOWN_COLUMN", "A1"],
      ["IMPORT_UNKNOWN_COLUMN", "B1"],
      ["IMPORT_MISSING_COLUMN", "责任单位"],
      ["IMPORT_MISSING_COLUMN", "问题编号"],
      ["IMPORT_MISSING_COLUMN", "问题描述"],
      ["IMPORT_MISSING_COLUMN", "整改时限"],
    ]);
  });
});

describe("duplicate keys within the file", () => {
  it("by the kind's key field, by 编号, and by content when there is neither", async () => {
    const dir = tempDir();
    const byField = await writeXlsx(join(dir, "k.xlsx"), { Sheet1: [HEADER, [1, "ZG-1", "a", "2021-06-15", "", "", "北区"], [2, "ZG-2", "b", "2021-06-15", "", "", "北区"], [3, "ZG-1", "c", "2021-06-15", "", "", "南区"]] });
    expect(lines(await readImport(byField, rectify, plan, { actor: HQ }))).toEqual([`${byField}:Sheet1!B4: 问题编号“ZG-1”与第 2 行重复；同一事项只能有一行`]);

    const byId = writeCsv(join(dir, "i.csv"), [["编号", "批示内容", "来源", "责任单位", "截止时间"], ["7", "a", "领导批示", "北区", "2021-06-15"], ["7", "b", "领导批示", "北区", "2021-06-15"]]);
    expect(lines(await readImport(byId, supervise, plan, { actor: HQ }))).toEqual([`${byId}:A3: 编号“7”与第 2 行重复；同一事项只能有一行`]);

    const byContent = writeCsv(join(dir, "c.csv"), [["序号", "批示内容", "来源", "责任单位", "截止时间"], ["1", "a", "领导批示", "北区", "2021-06-15"], ["2", "a", "领导批示", "北区人民政府", "2021/6/15"]]);
    expect(lines(await readImport(byContent, supervise, plan, { actor: HQ }))).toEqual([`${byContent}:A3: 与第 2 行内容完全相同；同一事项只能有一行`]);
  });
});

describe("refused files", () => {
  it("a wrong sheet name lists the sheets", async () => {
    const file = await writeXlsx(join(tempDir(), "s.xlsx"), { 北区: [HEADER], 南区: [HEADER] });
    expect(lines(await readImport(file, rectify, plan, { sheet: "Sheet1", actor: HQ }))).toEqual([`${file}: 没有名为“Sheet1”的工作表；本文件的工作表有：北区、南区`]);
  });

  it("an empty file, an empty sheet, a header without rows", async () => {
    const dir = tempDir();
    const empty = join(dir, "empty.csv");
    writeFileSync(empty, "");
    expect(lines(await readImport(empty, rectify, plan, { actor: HQ }))).toEqual([`${empty}: 文件是空的：没有表头，也没有数据`]);
    const blank = writeCsv(join(dir, "blank.csv"), [[""], [""]], "utf8bom");
    expect(problems(await readImport(blank, rectify, plan, { actor: HQ })).map((p) => p.code)).toEqual(["IMPORT_EMPTY"]);
    const sheet = await writeXlsx(join(dir, "e.xlsx"), { Sheet1: [] });
    expect(lines(await readImport(sheet, rectify, plan, { actor: HQ }))).toEqual([`${sheet}:Sheet1: 文件是空的：没有表头，也没有数据`]);
    const headerOnly = await writeXlsx(join(dir, "h.xlsx"), { Sheet1: [HEADER, [], []] });
    expect(lines(await readImport(headerOnly, rectify, plan, { actor: HQ }))).toEqual([`${headerOnly}:Sheet1: 只有表头，没有数据行；请在表头下逐行填写，每行一项`]);
  });

  it("more rows than the limit", async () => {
    const rows: unknown[][] = [HEADER];
    for (let i = 1; i <= 6; i++) rows.push([i, `Z-${i}`, "a", "2021-06-15", "", "", "北区"]);
    const file = writeCsv(join(tempDir(), "many.csv"), rows);
    expect(lines(await readImport(file, rectify, plan, { actor: HQ, maxRows: 5 }))).toEqual([`${file}: 数据超过 5 行，未导入；请拆成几个文件分别导入`]);
  });

  it("a file that does not exist", async () => {
    const file = join(tempDir(), "nope.xlsx");
    expect(lines(await readImport(file, rectify, plan, { actor: HQ }))).toEqual([`${file}: 文件不存在；请检查路径`]);
  });

  const SAVE_AS = "请在 Excel 中另存为“Excel 工作簿(*.xlsx)”或“CSV UTF-8(逗号分隔)(*.csv)”后再导入";
  const cases: [string, string, Buffer | (() => Promise<Buffer>)][] = [
    ["清单.xls", "这是 Excel 97-2003 格式（.xls）", Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(2000)])],
    ["清单.pdf", "这是 PDF 文件", Buffer.from("%PDF-1.7\n%âãÏÓ\n1 0 obj\n")],
    ["清单.png", "这是图片", Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13])],
    ["photo.jpg", "这是图片", Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46])],
    ["web.xls", "这是网页或 XML 文件（有的系统导出的 .xls 其实是网页）", Buffer.from("<html><body><table><tr><td>问题编号</td></tr></table></body></html>")],
    ["u16.csv", "这是 UTF-16 编码的“Unicode 文本”", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("问题编号\t责任单位\r\n", "utf16le")])],
    ["data.bin", "内容不是文本", Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 37) % 256))],
    ["renamed.xlsx", "扩展名是 Excel 的，内容却不是 xlsx（文件可能已损坏，或只是改了扩展名）", Buffer.from("问题编号,责任单位\r\nZ-1,北区\r\n")],
    [
      "report.docx",
      "这是压缩包，其中没有 Excel 工作表",
      async () => {
        const z = new JSZip();
        z.file("word/document.xml", "<w:document/>");
        return z.generateAsync({ type: "nodebuffer" });
      },
    ],
  ];
  for (const [name, looks, bytes] of cases) {
    it(`refuses ${name} by its content: ${looks}`, async () => {
      const file = join(tempDir(), name);
      writeFileSync(file, typeof bytes === "function" ? await bytes() : bytes);
      expect(lines(await readImport(file, rectify, plan, { actor: HQ }))).toEqual([`${file}: 不是 xlsx 或 csv 文件：${looks}；${SAVE_AS}`]);
    });
  }

  it("a damaged xlsx: a clear line, not a stack", async () => {
    const dir = tempDir();
    const good = await writeXlsx(join(dir, "good.xlsx"), { Sheet1: [HEADER, [1, "Z-1", "a", "2021-06-15", "", "", "北区"]] });
    const bytes = (await import("node:fs")).readFileSync(good);
    const cut = join(dir, "cut.xlsx");
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
    expect(lines(await readImport(cut, rectify, plan, { actor: HQ }))).toEqual([`${cut}: xlsx 文件已损坏，无法读取；请用 Excel 打开后重新保存`]);
  });

  it("a CSV with an unclosed quote", async () => {
    const file = join(tempDir(), "q.csv");
    writeFileSync(file, '问题编号,问题描述,整改时限,责任单位\r\nZ-1,"未闭合,2021-06-15,北区\r\n');
    const [p] = problems(await readImport(file, rectify, plan, { actor: HQ }));
    expect(p).toMatchObject({ code: "IMPORT_UNREADABLE", params: { reason: "badCsv" } });
    expect(importProblemLine(p!)).toMatch(/^.*q\.csv: CSV 格式有误（.+）；请用 Excel 打开后另存为 CSV$/);
  });

  it("a sheet that unpacks far beyond the limit (a zip bomb) is refused before its rows are read", async () => {
    const dir = tempDir();
    const good = await writeXlsx(join(dir, "good.xlsx"), { Sheet1: [HEADER, [1, "Z-1", "a", "2021-06-15", "", "", "北区"]] });
    const zip = await JSZip.loadAsync((await import("node:fs")).readFileSync(good));
    const sheet = await zip.file("xl/worksheets/sheet1.xml")!.async("string");
    zip.file("xl/worksheets/sheet1.xml", sheet.replace("<sheetData>", `<sheetData>${" ".repeat(8 * 1024 * 1024)}`));
    const file = join(dir, "bomb.xlsx");
    writeFileSync(file, await zip.generateAsync({ type: "nodebuffer", compression: "DEFLATE" }));
    // The limit is the file's own size: the file passes it, its sheet unpacks to far more than 12 times it.
    const size = (await import("node:fs")).statSync(file).size;
    const r = problems(await readImport(file, rectify, plan, { actor: HQ, maxBytes: size }));
    expect(r.map((p) => [p.code, p.params.unpacked])).toEqual([["IMPORT_TOO_LARGE", 1]]);
    expect(importProblemLine(r[0]!)).toMatch(/: 工作表解压后有 8 MB，超过导入上限 [\d.]+ MB，未读取；请拆成几个文件分别导入$/);
  });
});

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import { captureIo } from "../helpers.ts";
import { kindsPlanText } from "../items/kinds-plan.ts";
import { writeCsv, writeXlsx } from "../items/kind-fixture.ts";

/** `duban import`: a 问题清单 of the plan's 整改事项 kind (test/items/kinds-plan.ts), end to end on a SQLite store. */

function fresh(): { db: string; plan: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), "duban-import-cli-"));
  const plan = join(dir, "plan.yaml");
  writeFileSync(plan, kindsPlanText());
  return { db: join(dir, "c.db"), plan, dir };
}
async function duban(db: string, ...args: string[]) {
  const io = captureIo();
  const code = await main(["node", "duban", "--db", db, ...args], io);
  return { code, out: io.stdout, err: io.stderr };
}

const HEADER = ["序号", "机构名称", "存在问题", "整改时限", "责任单位", "截止时间"];
const AT = ["--now", "2021-06-01T10:00+08:00"];

describe("duban import", () => {
  it("opens one item per row, all at once; the same file again opens nothing new", async () => {
    const { db, plan, dir } = fresh();
    expect((await duban(db, "--now", "2021-05-31T09:00+08:00", "init", plan)).code).toBe(0);
    const file = await writeXlsx(join(dir, "整改问题清单.xlsx"), {
      Sheet1: [
        ["北区、南区人力资源服务机构整改问题清单"],
        HEADER,
        [1, "甲人力公司", "未公示收费标准", new Date(Date.UTC(2021, 5, 30)), "北区", ""],
        [2, "乙劳务公司", "超范围经营", "", "south", "2021-06-20"],
        [3, "丙中介", "虚假招聘", "", "北区、南区", ""],
      ],
    });
    const r = await duban(db, ...AT, "import", "rectify", file, "--as", "hq");
    expect([r.code, r.err, r.out.trim()]).toEqual([0, "", `已导入 3 项，跳过已导入 0 项（整改事项，${file}）`]);
    const board = JSON.parse((await duban(db, ...AT, "status", "--json")).out) as { assignments: { id: string; kind: string; unit: string; members?: string[]; due: string; title: string }[] };
    // Without 截止时间 the kind's default (+10 working days from 06-01, over the 端午 holiday of 06-14) applies.
    const opened = board.assignments.filter((a) => a.id.startsWith("rectify-"));
    expect(opened.map((a) => [a.title, a.members ?? [a.unit], a.due])).toEqual([
      ["整改事项：甲人力公司", ["north"], "2021-06-16T18:00:00+08:00"],
      ["整改事项：乙劳务公司", ["south"], "2021-06-20T18:00:00+08:00"],
      ["整改事项：丙中介", ["north", "south"], "2021-06-16T18:00:00+08:00"],
    ]);
    const again = await duban(db, "--now", "2021-06-01T11:00+08:00", "import", "rectify", file, "--as", "hq");
    expect([again.code, again.out.trim()]).toEqual([0, `已导入 0 项，跳过已导入 3 项（整改事项，${file}）`]);
  });

  it("bad rows: every problem on its own line, exit 1, nothing written", async () => {
    const { db, plan, dir } = fresh();
    await duban(db, "--now", "2021-05-31T09:00+08:00", "init", plan);
    await duban(db, ...AT, "tick");
    const before = (await duban(db, "verify")).out;
    const file = writeCsv(join(dir, "清单.csv"), [HEADER, [1, "甲", "问题", "六月底", "北区", ""], [2, "", "问题", "", "东区", ""], [3, "丙", "问题", "", "北区", "2021-06-20"]], "gbk");
    const r = await duban(db, ...AT, "import", "rectify", file, "--as", "hq");
    expect(r.code).toBe(1);
    expect(r.err.trim().split("\n")).toEqual([
      `${file}:D2: 整改时限不是日期（“六月底”；应如 2021-06-30）`,
      `${file}:B3: 机构名称必须填写`,
      `${file}:E3: 责任单位“东区”不是计划中的单位（是否应为“北区”？）`,
      `${file}：3 个问题，未导入任何事项；请修改后重新导入`,
    ]);
    expect(r.err).not.toMatch(/\n\s+at /);
    expect((await duban(db, "verify")).out).toBe(before);
  });

  it("what the engine refuses is placed on its row, or said once for every row; nothing written", async () => {
    const { db, plan, dir } = fresh();
    await duban(db, "--now", "2021-05-31T09:00+08:00", "init", plan);
    await duban(db, ...AT, "tick");
    const before = (await duban(db, "verify")).out;
    const file = await writeXlsx(join(dir, "q.xlsx"), { 清单: [HEADER, [1, "甲", "问题", "", "北区", ""], [2, "乙", "问题", "", "测试局", ""], [3, "丙", "问题", "", "南区", "2021-12-20"]] });
    const r = await duban(db, ...AT, "import", "rectify", file, "--as", "hq");
    expect([r.code, r.err.trim().split("\n")]).toEqual([
      1,
      [
        `${file}:清单!第 3 行: 测试局不在“整改事项”可交办的范围内：只能交办给北区、南区 [BAD_RECIPIENT]`,
        `${file}:清单!第 4 行: 交办“整改事项”：截止时间 2021-12-20T18:00:00+08:00 晚于此类事项允许的最晚时间 2021-07-28T18:00:00+08:00 [BAD_DUE]`,
        `${file}：2 个问题，未导入任何事项；请修改后重新导入`,
      ],
    ]);
    const notOpener = await duban(db, ...AT, "import", "rectify", file, "--as", "north");
    expect(notOpener.err.trim().split("\n")[0]).toBe(`${file}: 全部 3 行：北区无权交办“整改事项”：只有领导小组办公室可以 [NOT_OPENER]`);
    expect((await duban(db, "verify")).out).toBe(before);
  });

  it("a kind the plan does not declare, a wrong sheet, a file that is not a sheet: one line, exit 1", async () => {
    const { db, plan, dir } = fresh();
    await duban(db, "--now", "2021-05-31T09:00+08:00", "init", plan);
    const file = await writeXlsx(join(dir, "q.xlsx"), { 清单: [HEADER, [1, "甲", "问题", "", "北区", ""]] });
    const kind = await duban(db, ...AT, "import", "rectfy", file, "--as", "hq");
    expect([kind.code, kind.err.trim()]).toEqual([1, "duban: 拒绝导入：计划中没有事项类型“rectfy”；是否要用“rectify”？（可用：dubandan、event-report、rectify） [UNKNOWN_KIND]"]);
    const sheet = await duban(db, ...AT, "import", "rectify", file, "--sheet", "Sheet1", "--as", "hq");
    expect([sheet.code, sheet.err.trim().split("\n")[0]]).toEqual([1, `${file}: 没有名为“Sheet1”的工作表；本文件的工作表有：清单`]);
    const pdf = join(dir, "清单.pdf");
    writeFileSync(pdf, "%PDF-1.4\n");
    expect((await duban(db, ...AT, "import", "rectify", pdf, "--as", "hq")).err).toContain(`${pdf}: 不是 xlsx 或 csv 文件：这是 PDF 文件`);
  });
});

import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { formatDiagnostic, type Diagnostic } from "../../src/plan/diagnostics.ts";
import { loadPlan, type LoadResult } from "../../src/plan/load.ts";
import { checkParentOfText } from "../../src/plan/parent.ts";
import type { ResolvedPlan } from "../../src/plan/types.ts";

const CITY = loadPlan("plans/chongqing-2021.yaml").plan!;
const YUZHONG = "plans/chongqing-2021/districts/yuzhong.yaml";
const JIANGBEI = "plans/chongqing-2021/districts/jiangbei.yaml";

// Edited copies live beside the examples, so their relative import of the directory still leads to it.
const scratch = mkdtempSync(join("plans/chongqing-2021/districts", ".test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let n = 0;
/** The example with its text edited, loaded from a file in the examples' folder (one level deeper: ../ added). */
function edited(file: string, edit: (text: string) => string): LoadResult & { file: string } {
  const text = edit(readFileSync(file, "utf8").replace("from: ../../org/", "from: ../../../org/"));
  const out = join(scratch, `${++n}.yaml`);
  writeFileSync(out, text);
  return { ...loadPlan(out), file: out };
}

const errorsOf = (r: LoadResult) => r.diagnostics.filter((d) => d.severity === "error");

/** Line and column (1-based) of the first occurrence of `needle` after the line containing `after`. */
function at(file: string, needle: string, after = ""): { line: number; col: number } {
  const lines = readFileSync(file, "utf8").split("\n");
  const start = after ? lines.findIndex((l) => l.includes(after)) : 0;
  const i = lines.findIndex((l, k) => k >= start && l.includes(needle));
  if (i < 0) throw new Error(`${needle} not in ${file}`);
  return { line: i + 1, col: lines[i]!.indexOf(needle) + 1 };
}

const rows = (ds: Diagnostic[]) => ds.map((d) => [d.code, d.line, d.col]);

function check(r: LoadResult, parent: ResolvedPlan | undefined = CITY): Diagnostic[] {
  expect(errorsOf(r).map(formatDiagnostic)).toEqual([]);
  return checkParentOfText(r.plan!, r.text, parent);
}

describe("the example district sub-plans", () => {
  for (const file of [YUZHONG, JIANGBEI]) {
    it(`${file} resolves, every deadline marked assumed, and fits its parent in the city campaign`, () => {
      const r = loadPlan(file);
      expect(errorsOf(r)).toEqual([]);
      const deadlines = r.plan!.assignments.filter((a) => a.dueAt !== null);
      expect(deadlines.length).toBeGreaterThan(0);
      expect(deadlines.every((a) => a.dueAssumed !== undefined)).toBe(true);
      expect(r.diagnostics.filter((d) => d.severity === "warning").every((d) => d.code === "ASSUMED_DATE")).toBe(true);
      expect(r.plan!.parent!.campaign).toBe(CITY.campaign.id);
      expect(checkParentOfText(r.plan!, r.text, CITY)).toEqual([]);
      // The district bureau is the directory's, the very unit the city's items are owed by.
      const id = r.plan!.parent!.unit ?? "yuzhong";
      expect({ ...r.plan!.units.get(id)!, groups: [] }).toEqual({ ...CITY.units.get(id)!, groups: [] });
    });
  }
});

describe("a sub-plan checked against its parent", () => {
  it("a parent campaign the store does not hold: PARENT_MISSING at parent.campaign", () => {
    const r = loadPlan(YUZHONG);
    const ds = checkParentOfText(r.plan!, r.text, undefined);
    const p = at(YUZHONG, "cq-labour-intermediary-2021", "parent:");
    expect(ds.map((d) => [d.file, d.code, d.line, d.col])).toEqual([[YUZHONG, "PARENT_MISSING", p.line, p.col]]);
    expect(ds[0]!.message).toBe("上级专项行动“cq-labour-intermediary-2021”不在此存储中；请先初始化上级专项行动，或检查 parent.campaign");
  });

  it("a parent plan of another campaign than parent.campaign names", () => {
    const r = edited(YUZHONG, (t) => t.replace("  campaign: cq-labour-intermediary-2021\n", "  campaign: cq-wage-arrears-2021\n"));
    const ds = check(r);
    expect(rows(ds)).toEqual([["PARENT_MISSING", ...Object.values(at(r.file, "cq-wage-arrears-2021"))]]);
    expect(ds[0]!.message).toContain("cq-wage-arrears-2021");
  });

  it("a parent item the parent campaign does not have: PARENT_MISSING at parent.item, with the nearest id", () => {
    const r = edited(YUZHONG, (t) => t.replace("item: implementation-plan/yuzhong", "item: implementation-plan/yuzong"));
    const ds = check(r);
    expect(rows(ds)).toEqual([["PARENT_MISSING", ...Object.values(at(r.file, "implementation-plan/yuzong"))]]);
    expect(ds[0]!.message).toBe("上级专项行动“cq-labour-intermediary-2021”中没有事项“implementation-plan/yuzong”（是否应为“implementation-plan/yuzhong”？）；请写上级计划中的事项编号（报送事项 id/单位 id）");
  });

  it("a parent item owed by another district: PARENT_UNIT at parent.item", () => {
    const r = edited(YUZHONG, (t) => t.replace("item: implementation-plan/yuzhong", "item: implementation-plan/jiangbei"));
    const ds = check(r);
    expect(rows(ds)).toEqual([["PARENT_UNIT", ...Object.values(at(r.file, "implementation-plan/jiangbei"))]]);
    expect(ds[0]!.message).toBe(
      "上级事项“专项整治具体实施方案”（implementation-plan/jiangbei）由“江北区人力社保局”（jiangbei）承办，本计划的领导小组办公室设在“渝中区人力社保局人力资源市场科”（yuzhong-market），不属于该单位；下级计划只能挂在本单位承办的事项下",
    );
  });

  it("a sub-plan whose office is not under the parent item's unit at all", () => {
    const r = edited(YUZHONG, (t) => t.replace("office: { name: 区专项整治办公室, unit: yuzhong-market }", "office: { name: 区专项整治办公室, unit: flow }"));
    expect(rows(check(r)).map((x) => x[0])).toEqual(["PARENT_UNIT"]);
  });

  it("a deadline after the parent item's: PARENT_WINDOW at that deadline, every one reported with the unit error", () => {
    const r = edited(YUZHONG, (t) =>
      t
        .replace("  end: 2021-05-20\n  baseUrl", "  end: 2021-05-31\n  baseUrl")
        .replace("    end: 2021-05-20\n", "    end: 2021-05-31\n")
        .replace("    due: 2021-05-18\n", "    due: 2021-05-25\n")
        .replace("    due: 2021-05-19\n", "    due: 2021-05-26\n")
        .replace("item: implementation-plan/yuzhong", "item: implementation-plan/jiangbei"),
    );
    const ds = check(r);
    expect(rows(ds)).toEqual([
      ["PARENT_UNIT", ...Object.values(at(r.file, "implementation-plan/jiangbei"))],
      ["PARENT_WINDOW", ...Object.values(at(r.file, "2021-05-25"))],
      ["PARENT_WINDOW", ...Object.values(at(r.file, "2021-05-26"))],
    ]);
    expect(ds[1]!.message).toBe(
      "“inspection-findings”（自查自纠期间发现的违法违规线索）的截止时间 2021-05-25 周二 18:00 晚于上级事项“专项整治具体实施方案”（implementation-plan/jiangbei）的截止时间 2021-05-20 周四 18:00；下级计划的期限须在上级期限之内，请调整截止日期",
    );
  });

  it("under a unit: the parent campaign's window; a deadline and an end after it are errors", () => {
    const r = edited(JIANGBEI, (t) =>
      t
        .replace("  end: 2021-10-31\n  baseUrl", "  end: 2021-11-30\n  baseUrl")
        .replace("{ id: evaluation, name: 总结评估阶段, start: 2021-10-01, end: 2021-10-31 }", "{ id: evaluation, name: 总结评估阶段, start: 2021-10-01, end: 2021-11-30 }")
        .replace("    due: 2021-10-08\n", "    due: 2021-11-10\n"),
    );
    const ds = check(r);
    expect(rows(ds)).toEqual([
      ["PARENT_WINDOW", ...Object.values(at(r.file, "2021-11-30", "campaign:"))],
      ["PARENT_WINDOW", ...Object.values(at(r.file, "2021-11-10"))],
    ]);
    expect(ds[0]!.message).toBe("本专项行动的结束日期 2021-11-30 晚于上级专项行动“重庆市劳务中介专项整治行动”的结束日期 2021-10-31；请调整 campaign.end");
    expect(ds[1]!.message).toContain("晚于上级专项行动“重庆市劳务中介专项整治行动”的截止时间 2021-10-31 周日 23:59");
  });

  it("under a unit the parent does not have: PARENT_MISSING at parent.unit", () => {
    const r = edited(JIANGBEI, (t) => t.replace("  unit: jiangbei\n", "  unit: jiangbie\n"));
    const ds = check(r);
    expect(rows(ds)).toEqual([["PARENT_MISSING", ...Object.values(at(r.file, "jiangbie"))]]);
    expect(ds[0]!.message).toBe("上级专项行动“cq-labour-intermediary-2021”中没有单位“jiangbie”（是否应为“jiangbei”？）");
  });

  it("under another district's unit: PARENT_UNIT", () => {
    const r = edited(JIANGBEI, (t) => t.replace("  unit: jiangbei\n", "  unit: yubei\n"));
    expect(rows(check(r))).toEqual([["PARENT_UNIT", ...Object.values(at(r.file, "yubei", "parent:"))]]);
  });
});

describe("parent: as the sub-plan writes it (checked when it is resolved)", () => {
  it("both item and unit, or neither: an error at parent", () => {
    const both = edited(JIANGBEI, (t) => t.replace("  unit: jiangbei\n", "  unit: jiangbei\n  item: implementation-plan/jiangbei\n"));
    expect(errorsOf(both).map((d) => [d.code, d.line])).toEqual([["PARENT_MISSING", at(both.file, "campaign: cq-labour", "parent:").line]]);
    expect(errorsOf(both)[0]!.message).toContain("parent 须写 item");
    const neither = edited(JIANGBEI, (t) => t.replace("  unit: jiangbei\n", ""));
    expect(errorsOf(neither).map((d) => d.code)).toEqual(["PARENT_MISSING"]);
  });

  it("itself as parent: an error at parent.campaign", () => {
    const r = edited(JIANGBEI, (t) => t.replace("  campaign: cq-labour-intermediary-2021\n", "  campaign: cq-labour-intermediary-2021-jiangbei\n"));
    expect(errorsOf(r).map((d) => [d.code, d.line, d.col])).toEqual([["PARENT_MISSING", ...Object.values(at(r.file, "cq-labour-intermediary-2021-jiangbei", "parent:"))]]);
  });

  it("an unknown key under parent is a schema error", () => {
    const r = edited(JIANGBEI, (t) => t.replace("  unit: jiangbei\n", "  unit: jiangbei\n  items: x\n"));
    expect(errorsOf(r).map((d) => d.code)).toEqual(["SCHEMA_UNKNOWN_KEY"]);
  });
});

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadPlan, loadPlanText, planHash, type LoadResult } from "../../src/plan/load.ts";
import { planText } from "./minimal-plan.ts";

const root = mkdtempSync(join(tmpdir(), "duban-directory-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The minimal plan's organisation (lines 8-15) as a directory file. */
const DIRECTORY = [
  /* 1 */ "duban: 1",
  /* 2 */ "directory: { id: test-org, name: 测试系统 }",
  /* 3 */ "units:",
  /* 4 */ "  - { id: hq, name: 测试局, kind: department, contacts: { email: [hq@example.gov.cn] } }",
  /* 5 */ "  - { id: boss, name: 张三, kind: person, parent: hq, contacts: { email: [boss@example.gov.cn] } }",
  /* 6 */ "  - { id: north, name: 北区, kind: district, contacts: { email: [north@example.gov.cn] } }",
  /* 7 */ "  - { id: south, name: 南区, kind: district, contacts: { email: [south@example.gov.cn] } }",
  /* 8 */ "groups:",
  /* 9 */ "  districts:",
  /* 10 */ "    members: [north, south]",
];

/** Replaces lines 8-15 of the minimal plan (units and groups) with `lines`. */
function importing(lines: readonly string[]): string {
  return planText({ 8: lines, 9: [], 10: [], 11: [], 12: [], 13: [], 14: [], 15: [] });
}

let n = 0;
/** A plan in plans/<n>/plan.yaml and its directory in org/<n>.yaml, the plan naming it ../../org/<n>.yaml. */
function setup(dirLines: readonly string[] | undefined, planLines: (from: string) => readonly string[]): { plan: string; dir: string; from: string } {
  n++;
  const plans = join(root, "plans", String(n));
  mkdirSync(plans, { recursive: true });
  mkdirSync(join(root, "org"), { recursive: true });
  const dir = join(root, "org", `${n}.yaml`);
  if (dirLines) writeFileSync(dir, dirLines.join("\n") + "\n");
  const from = `../../org/${n}.yaml`;
  const plan = join(plans, "plan.yaml");
  writeFileSync(plan, importing(planLines(from)));
  return { plan, dir, from };
}

type Row = [file: string, severity: string, code: string, line: number, col: number];
const rows = (r: LoadResult): Row[] => r.diagnostics.map((d) => [d.file, d.severity, d.code, d.line, d.col]);
const errors = (r: LoadResult) => r.diagnostics.filter((d) => d.severity === "error");

describe("an organisation directory imported by a plan", () => {
  it("resolves to the same assignments as the plan with its units written in", () => {
    const { plan, from } = setup(DIRECTORY, (f) => [`units: { from: ${f} }`, `groups: { from: ${f} }`]);
    const inline = loadPlanText("inline.yaml", planText());
    const imported = loadPlan(plan);
    expect(errors(imported)).toEqual([]);
    expect(imported.plan!.assignments).toEqual(inline.plan!.assignments);
    expect([...imported.plan!.units.values()]).toEqual([...inline.plan!.units.values()]);
    expect(imported.plan!.groups).toEqual(inline.plan!.groups);
    expect(Object.keys(imported.imports)).toEqual([from]);
  });

  it("hashes the directory with the plan: a changed contact is a new plan version; a plan without imports keeps its hash", () => {
    const { plan, dir } = setup(DIRECTORY, (f) => [`units: { from: ${f} }`, `groups: { from: ${f} }`]);
    const before = loadPlan(plan);
    writeFileSync(dir, DIRECTORY.map((l) => l.replace("north@example.gov.cn", "north-new@example.gov.cn")).join("\n") + "\n");
    const after = loadPlan(plan);
    expect(after.text).toBe(before.text);
    expect(after.plan!.hash).not.toBe(before.plan!.hash);
    expect(after.plan!.units.get("north")!.email).toEqual(["north-new@example.gov.cn"]);
    const inline = loadPlanText("inline.yaml", planText());
    expect(inline.plan!.hash).toBe(planHash(planText(), inline.plan!.calendar.data));
    expect(inline.imports).toEqual({});
  });

  it("replays from the stored texts alone: the plan text and its imports give the same version, whatever the file says now", () => {
    const { plan, dir, from } = setup(DIRECTORY, (f) => [`units: { from: ${f} }`, `groups: { from: ${f} }`]);
    const first = loadPlan(plan);
    rmSync(dir);
    const again = loadPlanText("plan@stored", first.text, { imports: first.imports, calendarData: first.plan!.calendar.data! });
    expect(errors(again)).toEqual([]);
    expect(again.plan!.hash).toBe(first.plan!.hash);
    expect(again.plan!.assignments).toEqual(first.plan!.assignments);
    const missing = loadPlanText("plan@stored", first.text, { imports: {} });
    expect(rows(missing).map((r) => r.slice(1))).toEqual([["error", "FILE_UNREADABLE", 8, 16]]);
    expect(missing.diagnostics[0]!.message).toContain(from);
  });

  it("adds the plan's own units and groups to the directory's", () => {
    const { plan } = setup(DIRECTORY, (f) => [
      "units:",
      `  from: ${f}`,
      "  add:",
      "    - { id: east, name: 东区, kind: district, contacts: { email: [east@example.gov.cn] } }",
      "groups:",
      `  from: ${f}`,
      "  add:",
      "    east-only: { members: [east] }",
    ]);
    const r = loadPlan(plan);
    expect(errors(r)).toEqual([]);
    expect(r.plan!.units.has("east")).toBe(true);
    expect(r.plan!.groups.get("east-only")!.members).toEqual(["east"]);
    expect(r.plan!.groups.get("districts")!.members).toEqual(["north", "south"]);
  });

  it("reports a duplicate unit id in the directory at its line in the directory file, with every other error", () => {
    const dup = [...DIRECTORY.slice(0, 7), "  - { id: north, name: 北区二, kind: district }", "  - { id: west, name: 西区, kind: district, parent: nowhere }", ...DIRECTORY.slice(7)];
    const { plan, dir } = setup(dup, (f) => [`units: { from: ${f} }`, `groups: { from: ${f} }`]);
    const r = loadPlan(plan);
    expect(r.plan).toBeUndefined();
    expect(rows(r)).toEqual([
      [dir, "error", "DUPLICATE_ID", 8, 11],
      [dir, "error", "UNKNOWN_REF", 9, 51],
    ]);
    expect(r.diagnostics[0]!.message).toBe("单位 id“north”已被第 6 行的单位使用；请换一个 id");
  });

  it("names the other file when a plan's own unit repeats a directory's id", () => {
    const { plan, dir } = setup(DIRECTORY, (f) => ["units:", `  from: ${f}`, "  add:", "    - { id: north, name: 北区, kind: district }", `groups: { from: ${f} }`]);
    const r = loadPlan(plan);
    expect(rows(r)).toEqual([[plan, "error", "DUPLICATE_ID", 11, 13]]);
    expect(r.diagnostics[0]!.message).toBe(`单位 id“north”已被${dir} 第 6 行的单位使用；请换一个 id`);
  });

  it("reports a schema error in the directory in the directory file, and one in the plan in the plan, together", () => {
    const bad = DIRECTORY.map((l, i) => (i === 5 ? "  - { id: north, name: 北区, kind: county }" : l));
    const { plan, dir } = setup(bad, (f) => ["units:", `  from: ${f}`, "  extra: 1", `groups: { from: ${f} }`]);
    const r = loadPlan(plan);
    expect(rows(r)).toEqual([
      [dir, "error", "SCHEMA_VALUE", 6, 34],
      [plan, "error", "SCHEMA_UNKNOWN_KEY", 10, 3],
    ]);
    expect(r.diagnostics[0]!.message).toContain("county");
  });

  it("reports a directory file that is missing at the plan's from:, naming where it looked", () => {
    const { plan, dir } = setup(undefined, (f) => [`units: { from: ${f} }`, `groups: { from: ${f} }`]);
    const r = loadPlan(plan);
    // One report per `from:` that names the file, not a cascade of unknown units.
    expect(rows(r).map((x) => x.slice(0, 3))).toEqual([[plan, "error", "FILE_UNREADABLE"]]);
    expect(r.diagnostics[0]!.message).toContain(dir);
    expect(r.diagnostics[0]!.message).toContain("ENOENT");
  });

  it("reports a YAML error in the directory at its position in that file", () => {
    const bad = [...DIRECTORY.slice(0, 3), "  - { id: hq, name: 测试局, kind: department", ...DIRECTORY.slice(4)];
    const { plan, dir } = setup(bad, (f) => [`units: { from: ${f} }`, `groups: { from: ${f} }`]);
    const r = loadPlan(plan);
    expect(r.diagnostics.length).toBeGreaterThan(0);
    expect(r.diagnostics.every((d) => d.file === dir && d.code === "YAML_SYNTAX")).toBe(true);
  });

  it("reports an unknown group member of the directory in the directory, and a plan's unknown unit in the plan", () => {
    const bad = DIRECTORY.map((l, i) => (i === 9 ? "    members: [north, sooth]" : l));
    const { plan, dir } = setup(bad, (f) => [`units: { from: ${f} }`, `groups: { from: ${f} }`]);
    writeFileSync(plan, importing([`units: { from: ../../org/${n}.yaml }`, `groups: { from: ../../org/${n}.yaml }`]).replace("lead: hq,", "lead: hqq,"));
    const r = loadPlan(plan);
    expect(rows(r)).toEqual([
      [dir, "error", "UNKNOWN_REF", 10, 22],
      [plan, "error", "UNKNOWN_REF", 17, 37],
    ]);
    expect(r.diagnostics[0]!.message).toBe("未知单位“sooth”（是否应为“south”？）");
  });

  it("refuses a group the directory and the plan both define", () => {
    const { plan, dir } = setup(DIRECTORY, (f) => [`units: { from: ${f} }`, "groups:", `  from: ${f}`, "  add:", "    districts: { members: [north] }"]);
    const r = loadPlan(plan);
    expect(rows(r)).toEqual([[plan, "error", "DUPLICATE_ID", 12, 5]]);
    expect(r.diagnostics[0]!.message).toBe(`组“districts”已在 ${dir}:9 定义；同名的组只能有一个，请换一个组名`);
  });

  it("reads a relative path from the plan file's folder, not the working directory", () => {
    const { plan } = setup(DIRECTORY, (f) => [`units: { from: ${f} }`, `groups: { from: ${f} }`]);
    const cwd = process.cwd();
    try {
      process.chdir(tmpdir());
      expect(errors(loadPlan(plan))).toEqual([]);
    } finally {
      process.chdir(cwd);
    }
  });
});

describe("the shipped Chongqing plan and its directory (plans/org/chongqing-hrss.yaml)", () => {
  it("resolves to exactly what the plan with the directory written in resolves to: assignments, units, groups, kinds, warnings", async () => {
    const { chongqingInlined } = await import("../helpers.ts");
    const shipped = loadPlan("plans/chongqing-2021.yaml");
    const inline = loadPlanText("plans/chongqing-2021.yaml", chongqingInlined());
    expect(errors(shipped)).toEqual([]);
    expect(Object.keys(shipped.imports)).toEqual(["org/chongqing-hrss.yaml"]);
    expect(shipped.plan!.assignments).toHaveLength(443);
    expect(shipped.plan!.assignments).toEqual(inline.plan!.assignments);
    expect([...shipped.plan!.units.entries()]).toEqual([...inline.plan!.units.entries()]);
    expect([...shipped.plan!.groups.entries()]).toEqual([...inline.plan!.groups.entries()]);
    expect([...shipped.plan!.kinds.keys()]).toEqual([...inline.plan!.kinds.keys()]);
    expect(shipped.diagnostics.map((d) => [d.code, d.message])).toEqual(inline.diagnostics.map((d) => [d.code, d.message]));
  });
});

describe("splitting an organisation between a directory and the plan's add:", () => {
  it("resolves the same plan wherever each unit and group is written", async () => {
    const fc = (await import("fast-check")).default;
    const inline = loadPlanText("inline.yaml", planText()).plan!;
    const units = DIRECTORY.slice(3, 7).map((l) => l.slice(2));
    const sortUnits = (p: typeof inline) => [...p.units.values()].sort((a, b) => a.id.localeCompare(b.id));
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), fc.boolean(), (inDirectory, groupInDirectory) => {
        const dirUnits = units.filter((_, i) => inDirectory[i]);
        const own = units.filter((_, i) => !inDirectory[i]);
        const group = ["  districts:", "    members: [north, south]"];
        const dir = ["duban: 1", "directory: { id: test-org, name: 测试系统 }", "units:", ...(dirUnits.length ? dirUnits.map((u) => `  ${u}`) : ["  - { id: filler, name: 占位, kind: external }"]), ...(groupInDirectory ? ["groups:", ...group] : [])];
        const { plan } = setup(dir, (f) => ["units:", `  from: ${f}`, ...(own.length ? ["  add:", ...own.map((u) => `    ${u}`)] : []), "groups:", `  from: ${f}`, ...(groupInDirectory ? [] : ["  add:", ...group.map((l) => `  ${l}`)])]);
        const r = loadPlan(plan);
        expect(errors(r)).toEqual([]);
        expect(r.plan!.assignments).toEqual(inline.assignments);
        expect(sortUnits(r.plan!).filter((u) => u.id !== "filler")).toEqual(sortUnits(inline));
        expect([...r.plan!.groups.entries()]).toEqual([...inline.groups.entries()]);
      }),
      { numRuns: 24 },
    );
  });
});

describe("the import's own shape, as the plan writes it", () => {
  const load = (edit: Record<number, string | string[]>) => loadPlanText("p.yaml", planText(edit)).diagnostics.filter((d) => d.severity === "error").map((d) => [d.code, d.line, d.col, d.message]);
  const units = (line: string) => ({ 8: line, 9: [], 10: [], 11: [], 12: [] });
  const groups = (line: string) => ({ 13: line, 14: [], 15: [] });

  it("names both forms when units or groups is neither", () => {
    expect(load(units("units: 5"))).toEqual([["SCHEMA_TYPE", 8, 8, "units 应为单位列表，或 { from: 单位目录文件 }，但这里是数字"]]);
    expect(load(groups("groups: [a]"))).toEqual([["SCHEMA_TYPE", 13, 9, "groups 应为组的映射，或 { from: 单位目录文件 }，但这里是列表"]]);
    expect(load(groups("groups: { from: 3 }"))).toEqual([["SCHEMA_TYPE", 13, 17, "groups.from 应为单位目录文件名（或文件名列表），但这里是数字"]]);
  });

  it("a misspelt from, an empty list of files", () => {
    expect(load(units("units: { form: x.yaml }"))).toEqual([
      ["SCHEMA_REQUIRED", 8, 8, "units 缺少必填键“from”，请补上"],
      ["SCHEMA_UNKNOWN_KEY", 8, 10, "units 中有未知键“form”（是否应为“from”？）；可用的键：from、add"],
    ]);
    expect(load(units("units: { from: [] }"))).toEqual([["SCHEMA_VALUE", 8, 16, "units.from 至少要列出 1 项"]]);
  });
});

import { describe, expect, it } from "vitest";
import { loadPlanText } from "../../src/plan/load.ts";
import { COUNTY_COUNT, generatePlan, PROVINCES } from "../../src/scale/generate.ts";

describe("generatePlan", () => {
  const g = generatePlan("3k");
  const loaded = loadPlanText("national-3k.yaml", g.text);
  const plan = loaded.plan!;

  it("writes a plan that validates without errors", () => {
    expect(loaded.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(plan).toBeDefined();
  });

  it("has the national organisation: a ministry office, 31 provinces, 2,850 counties", () => {
    const counties = [...plan.units.values()].filter((u) => u.kind === "district");
    expect(counties).toHaveLength(COUNTY_COUNT);
    expect(plan.groups.get("provinces")!.members).toHaveLength(PROVINCES.length);
    expect(plan.groups.get("counties")!.members).toHaveLength(COUNTY_COUNT);
    expect(plan.units.size).toBe(g.units);
    expect(plan.tasks).toHaveLength(12);
    expect(plan.phases).toHaveLength(4);
  });

  it("resolves to the assignment count the generator announces", () => {
    expect(plan.assignments).toHaveLength(g.assignments);
    expect(g.assignments).toBeGreaterThan(3_000);
    expect(g.assignments).toBeLessThan(4_000);
  });

  it("declares a kind the office opens to counties, keyed by agency (the items and import benches open it)", () => {
    const k = plan.kinds.get("rectify")!;
    expect(k.openers.office).toBe(true);
    expect(k.key).toEqual(["agency"]);
    expect(k.fields.map((f) => f.title)).toEqual(["机构名称", "存在问题"]);
  });

  it("grows by what the counties owe, not by the organisation", () => {
    const big = generatePlan("300k");
    expect(big.units).toBe(g.units);
    expect(big.assignments).toBeGreaterThan(280_000);
    expect(big.assignments).toBeLessThan(320_000);
  });

  it("has a national 1m size: over a million assignments (a daily county report), resolved as announced", () => {
    const m = generatePlan("1m");
    expect(m.units).toBe(g.units);
    expect(m.assignments).toBeGreaterThanOrEqual(1_000_000);
    expect(m.assignments).toBeLessThan(1_100_000);
    expect(m.text).toContain("county-daily");
    expect(generatePlan("300k").text).not.toContain("county-daily");
    const r = loadPlanText("national-1m.yaml", m.text);
    expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(r.plan!.assignments).toHaveLength(m.assignments);
  }, 120_000);
});

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadPlanText } from "../../src/plan/load.ts";
import { MAX_ALIAS_COUNT } from "../../src/plan/source.ts";
import { planToJson } from "../../src/present/plan-json.ts";
import { col, rows } from "./diagnostic-rows.ts";
import { planText } from "./minimal-plan.ts";

const load = (text: string) => loadPlanText("plan.yaml", text);

describe("a task's number: `number:`, and the old key `no:` for one version", () => {
  it("reads number: and shows it as number in plan --json", () => {
    const r = load(planText({ 23: '  - { id: inspect, number: 2, title: 检查, lead: hq, support: ["@districts"] }' }));
    expect(r.diagnostics).toEqual([]);
    expect(r.plan!.tasks[0]!.number).toBe(2);
    expect(planToJson(r.plan!).tasks[0]).toMatchObject({ id: "inspect", number: 2 });
    expect(planToJson(r.plan!).tasks[0]).not.toHaveProperty("no");
  });

  it("still reads no:, with a DEPRECATED_KEY warning at the key", () => {
    const line23 = '  - { id: inspect, no: 2, title: 检查, lead: hq, support: ["@districts"] }';
    const r = load(planText({ 23: line23 }));
    expect(rows(r)).toEqual([["warning", "DEPRECATED_KEY", 23, col(line23, "no:")]]);
    expect(r.diagnostics[0]!.message).toBe("键“no”已改名为“number”（YAML 1.1 的读取程序会把 no 读成布尔值 false）；请改写为 number: 2，旧键只在本版本中继续有效");
    expect(r.plan!.tasks[0]!.number).toBe(2);
  });

  it("refuses both keys on one task", () => {
    const line23 = '  - { id: inspect, number: 2, no: 3, title: 检查, lead: hq, support: ["@districts"] }';
    const r = load(planText({ 23: line23 }));
    expect(rows(r)).toEqual([["error", "DUPLICATE_ID", 23, col(line23, "no:")]]);
    expect(r.plan).toBeUndefined();
  });

  it("the shipped plan uses number:", () => {
    const r = loadPlanText("plans/chongqing-2021.yaml", readFileSync("plans/chongqing-2021.yaml", "utf8"));
    expect(r.diagnostics.filter((d) => d.code === "DEPRECATED_KEY")).toEqual([]);
    expect(r.plan!.tasks.map((t) => t.number)).toEqual([1, 2, 3, 4, 5, 6]);
  });
});

describe("YAML merge keys", () => {
  it("accepts `<<: *anchor` and merges the anchored mapping under the keys written beside it", () => {
    // Units share their contacts through a merge; a policy takes another's steps and overrides dueSoon.
    const r = load(
      planText({
        11: "  - &district { id: north, name: 北区, kind: district, contacts: { email: [north@example.gov.cn] } }",
        12: "  - { <<: *district, id: south, name: 南区 }",
        27: ["  standard: &standard", "    dueSoon: 5"],
        29: ["      - { at: 0wd, notify: [assignee] }", "  strict:", "    <<: *standard", "    dueSoon: 1"],
      }),
    );
    expect(r.diagnostics).toEqual([]);
    const south = r.plan!.units.get("south")!;
    expect(south).toMatchObject({ name: "南区", kind: "district", email: ["north@example.gov.cn"] });
    expect(r.plan!.policies.get("strict")).toMatchObject({ dueSoon: 1, steps: [{ offset: 0, unit: "wd", notify: ["assignee"] }] });
    expect(r.plan!.policies.get("standard")!.dueSoon).toBe(5);
  });

  it("points a problem in a merged value at the text that wrote it", () => {
    // A misspelt kind in the anchored unit: reported once per unit that uses it, at the anchor's text.
    const line11 = "  - &district { id: north, name: 北区, kind: distrct, contacts: { email: [north@example.gov.cn] } }";
    const r = load(planText({ 11: line11, 12: "  - { <<: *district, id: south, name: 南区 }" }));
    expect(rows(r)).toEqual([
      ["error", "SCHEMA_VALUE", 11, col(line11, "distrct")],
      ["error", "SCHEMA_VALUE", 11, col(line11, "distrct")],
    ]);
    // A semantic error in a merged reference: the policy of a merged deliverable default.
    const line25 = '  - &report { id: report, title: 报告, phase: first, from: ["@districts"], due: 2021-06-15, policy: standrd }';
    const d = load(planText({ 25: [line25, "  - { <<: *report, id: report-2 }"] }));
    expect(rows(d)).toEqual([
      ["error", "UNKNOWN_REF", 25, col(line25, "standrd")],
      ["error", "UNKNOWN_REF", 25, col(line25, "standrd")],
    ]);
  });

  it("keeps aliases bounded: a merge-key bomb is refused as ALIAS_LIMIT, quickly", () => {
    const L = "abcdefghi";
    const bomb = ["x-bomb:", "  a: &a { k0: 1, k1: 2 }"];
    for (let i = 1; i < L.length; i++) bomb.push(`  ${L[i]}: &${L[i]} { <<: [${Array(9).fill(`*${L[i - 1]}`).join(", ")}], k${i}: 1 }`);
    const t0 = performance.now();
    const r = load(planText({}, bomb));
    expect(rows(r)).toEqual([["error", "ALIAS_LIMIT", 1, 1]]);
    expect(r.diagnostics[0]!.message).toContain(String(MAX_ALIAS_COUNT));
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});

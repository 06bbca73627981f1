import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { deadlines, parseWindow } from "../../src/draft/dates.ts";
import { draftNoticeFile } from "../../src/draft/index.ts";

/** A campaign from November to January: the months after New Year belong to the next year. */
describe("dates across a year boundary", () => {
  it("drafts a November-to-January notice with January in the next year", async () => {
    const r = await draftNoticeFile("test/draft/fixtures/winter-wage-campaign.txt", { fallbackYear: 2030, schemaPath: "plan.schema.json" });
    if (!r.ok) throw new Error(r.message);
    const plan = parse(r.emitted.text) as Record<string, any>;
    expect([String(plan.campaign.start), String(plan.campaign.end)]).toEqual(["2021-11-01", "2022-01-31"]);
    expect(plan.phases.map((p: any) => [p.name, String(p.start), String(p.end)])).toEqual([
      ["排查阶段", "2021-11-01", "2021-11-30"],
      ["集中处置阶段", "2021-12-01", "2021-12-31"],
      ["总结阶段", "2022-01-01", "2022-01-31"],
    ]);
    expect(plan.deliverables.map((d: any) => String(d.due))).toEqual(["2021-11-25", "2021-12-20", "2022-01-15"]);
    expect(String(plan.tasks[0].due)).toBe("2022-01-10");
  });

  it("a window's end before its start month is in the next year; a month before the campaign's start month too", () => {
    expect(parseWindow("11月-1月", 2021)).toEqual({ start: "2021-11-01", end: "2022-01-31" });
    expect(parseWindow("12月1日至次年2月15日", 2021)).toEqual({ start: "2021-12-01", end: "2022-02-15" });
    expect(parseWindow("1月", { year: 2021, startMonth: 11 })).toEqual({ start: "2022-01-01", end: "2022-01-31" });
    expect(parseWindow("12月", { year: 2021, startMonth: 11 })).toEqual({ start: "2021-12-01", end: "2021-12-31" });
    expect(deadlines("于12月20日、1月15日前报送", { year: 2021, startMonth: 11 }).map((d) => d.date)).toEqual(["2021-12-20", "2022-01-15"]);
    // An explicit year is kept as written.
    expect(deadlines("于2021年1月15日前报送", { year: 2021, startMonth: 11 }).map((d) => d.date)).toEqual(["2021-01-15"]);
  });
});

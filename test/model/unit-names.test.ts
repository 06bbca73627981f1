import { describe, expect, it } from "vitest";
import { unitNamesOf } from "../../src/model/unit-names.ts";
import { chongqing } from "../helpers.ts";

describe("units by the names people write", () => {
  const names = unitNamesOf(chongqing());
  it("a district's bureau by its district's name, its full name or its id", () => {
    expect(["渝中区", "渝中区人力社保局", "yuzhong"].map((t) => names.find(t))).toEqual(["yuzhong", "yuzhong", "yuzhong"]);
    expect(names.find("石柱土家族自治县")).toBe(names.find("石柱土家族自治县人力社保局"));
  });
  it("a department's short name; a person is no owing unit", () => {
    expect(names.find("市人力社保局")).toBe("bureau");
    expect(names.find("liu-qingqing")).toBeUndefined();
  });
});

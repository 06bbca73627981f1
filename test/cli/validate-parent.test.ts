import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import { captureIo } from "../helpers.ts";

const YUZHONG = "plans/chongqing-2021/districts/yuzhong.yaml";
const CITY = "plans/chongqing-2021.yaml";
const scratch = mkdtempSync(join("plans/chongqing-2021/districts", ".test-cli-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function validate(...args: string[]) {
  const io = captureIo();
  const code = await main(["node", "duban", "validate", ...args], io);
  return { code, ...io };
}

describe("duban validate <sub-plan> --parent <plan>", () => {
  it("accepts the example sub-plan against the city plan, without the city's own warnings", async () => {
    const r = await validate(YUZHONG, "--parent", CITY);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("渝中区劳务中介专项整治行动（自查阶段）");
    expect(r.stderr).not.toContain(CITY);
  });

  it("prints each mismatch at its position in the sub-plan and exits 1", async () => {
    const file = join(scratch, "moved.yaml");
    writeFileSync(file, readFileSync(YUZHONG, "utf8").replace("from: ../../org/", "from: ../../../org/").replace("item: implementation-plan/yuzhong", "item: implementation-plan/jiangbei"));
    const r = await validate(file, "--parent", CITY);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`${file.replace(/[.\\/]/g, "\\$&")}:31:9: error\\[PARENT_UNIT\\]: 上级事项“专项整治具体实施方案”（implementation-plan/jiangbei）由“江北区人力社保局”`));
    expect(r.stderr).toContain("与上级计划不符 1 处");
  });

  it("says so for a plan without parent:", async () => {
    const r = await validate(CITY, "--parent", CITY);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("计划中没有 parent");
  });
});

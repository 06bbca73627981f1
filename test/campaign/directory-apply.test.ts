import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Campaign } from "../../src/campaign/campaign.ts";
import { CampaignError } from "../../src/campaign/errors.ts";
import { main } from "../../src/cli/main.ts";
import { openStore } from "../../src/store/open.ts";
import { captureIo, cst } from "../helpers.ts";
import { planText } from "../plan/minimal-plan.ts";

/** The minimal plan's organisation as a directory; `edit` changes its lines. */
function directory(edit: (lines: string[]) => string[] = (l) => l): string {
  const lines = [
    "duban: 1",
    "directory: { id: test-org, name: 测试系统 }",
    "units:",
    "  - { id: hq, name: 测试局, kind: department, contacts: { email: [hq@example.gov.cn] } }",
    "  - { id: boss, name: 张三, kind: person, parent: hq, contacts: { email: [boss@example.gov.cn] } }",
    "  - { id: north, name: 北区, kind: district, contacts: { email: [north@example.gov.cn] } }",
    "  - { id: south, name: 南区, kind: district, contacts: { email: [south@example.gov.cn] } }",
    "groups:",
    "  districts:",
    "    members: [north, south]",
  ];
  return edit(lines).join("\n") + "\n";
}

/** A store running the minimal plan, which takes its units and groups from org/test.yaml. */
async function setUp() {
  const root = mkdtempSync(join(tmpdir(), "duban-dir-apply-"));
  mkdirSync(join(root, "org"));
  const dir = join(root, "org", "test.yaml");
  writeFileSync(dir, directory());
  const plan = join(root, "plan.yaml");
  writeFileSync(plan, planText({ 8: ["units: { from: org/test.yaml }", "groups: { from: org/test.yaml }"], 9: [], 10: [], 11: [], 12: [], 13: [], 14: [], 15: [] }));
  const db = join(root, "c.db");
  const store = await openStore(db);
  const c = await Campaign.init(store, plan, cst("2021-04-28T10:00"));
  return { root, dir, plan, db, store, c };
}

const cli = async (db: string, ...args: string[]) => {
  const io = captureIo();
  const code = await main(["node", "duban", "--db", db, "--now", "2021-06-01T10:00+08:00", ...args], io);
  return { code, ...io };
};

const dropSouth = (l: string[]) => l.filter((x) => !x.includes("id: south")).map((x) => x.replace("[north, south]", "[north]"));

describe("a directory change reaches a running campaign through plan apply", () => {
  it("shows a changed contact, changes nothing without --yes, then applies and records it; the store replays without the file", async () => {
    const { dir, plan, db, store, c } = await setUp();
    const before = c.plan.hash;
    await store.close();
    writeFileSync(dir, directory((l) => l.map((x) => x.replace("north@example.gov.cn", "north-office@example.gov.cn"))));

    const dry = await cli(db, "plan", "apply", plan);
    expect(dry.code).toBe(1);
    expect(dry.stdout).toContain("单位信息变动：1 个单位");
    expect(dry.stdout).toContain("北区（north）：电子邮件 north@example.gov.cn → north-office@example.gov.cn");
    expect(dry.stderr).toContain("未执行");

    const done = await cli(db, "plan", "apply", plan, "--yes", "--note", "北区更换邮箱");
    expect(done.code).toBe(0);
    const again = await openStore(db);
    const events = [];
    for await (const e of again.read()) if (e.type === "planChanged") events.push(e);
    expect(events).toHaveLength(1);
    expect(events[0]!.payload).toMatchObject({
      from: before,
      note: "北区更换邮箱",
      unitsChanged: [{ id: "north", changes: [{ field: "email", from: "north@example.gov.cn", to: "north-office@example.gov.cn" }] }],
    });

    // The directory file changes again (or goes): the store still opens each version as it ran.
    writeFileSync(dir, "not: a directory\n");
    const reopened = await Campaign.open(again);
    expect(reopened.plan.hash).toBe(events[0]!.planHash);
    expect(reopened.plan.units.get("north")!.email).toEqual(["north-office@example.gov.cn"]);
    const asBefore = await reopened.replayAsOf(cst("2021-05-01T10:00"));
    expect(asBefore.assignments.length).toBeGreaterThan(0);
    expect((await again.verify()).ok).toBe(true);
    await again.close();
  });

  it("refuses a directory that removes a unit still owing items, listing every one of them, and writes nothing", async () => {
    const { dir, plan, db, store, c } = await setUp();
    const head = await store.head();
    writeFileSync(dir, directory(dropSouth));
    const err = await c.applyPlan(plan, cst("2021-06-01T10:00"), { reopenSubmitted: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CampaignError);
    expect((err as CampaignError).code).toBe("UNITS_IN_USE");
    expect((err as CampaignError).message).toBe(
      ["新计划删去了 1 个单位，但运行中的专项行动仍有 2 项事项由其办理或接收，未执行任何修改：", "  南区（south）：report/south、inspect/south", "请在计划（或其单位目录）中保留这些单位，待上列事项办结、免报或撤回后再删去。"].join("\n"),
    );
    await store.close();

    const r = await cli(db, "plan", "apply", plan, "--yes");
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("删除单位：南区");
    expect(r.stderr).toContain("南区（south）：report/south、inspect/south");
    const again = await openStore(db);
    expect(await again.head()).toEqual(head);
    await again.close();
  });

  it("lets a unit go once its items are closed (waived by the office)", async () => {
    const { dir, plan, c } = await setUp();
    for (const id of ["report/south", "inspect/south"]) {
      const r = await c.step({ type: "waive", assignment: id, actor: { kind: "unit", unit: "hq" } }, cst("2021-05-10T10:00"));
      expect(r.refused).toBeUndefined();
    }
    writeFileSync(dir, directory(dropSouth));
    const { diff } = await c.applyPlan(plan, cst("2021-06-01T10:00"), { reopenSubmitted: false });
    expect(diff.unitsRemoved).toEqual(["south"]);
    expect(diff.stranded).toEqual([]);
    expect(c.plan.units.has("south")).toBe(false);
  });

  it("refuses a directory with errors at apply, naming the directory file and position", async () => {
    const { dir, plan, db, store } = await setUp();
    await store.close();
    writeFileSync(dir, directory((l) => [...l.slice(0, 7), "  - { id: north, name: 北区二, kind: district }", ...l.slice(7)]));
    const r = await cli(db, "plan", "apply", plan, "--yes");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${dir}:8:11: error[DUPLICATE_ID]: 单位 id“north”已被第 6 行的单位使用`);
    expect(readFileSync(dir, "utf8")).toContain("北区二");
  });
});

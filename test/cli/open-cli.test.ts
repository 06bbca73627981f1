import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import { captureIo } from "../helpers.ts";
import { kindsPlanText } from "../items/kinds-plan.ts";

function fresh(): { db: string; plan: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), "duban-open-cli-"));
  const plan = join(dir, "plan.yaml");
  writeFileSync(plan, kindsPlanText());
  return { db: join(dir, "c.db"), plan, dir };
}
async function duban(db: string, ...args: string[]) {
  const io = captureIo();
  const code = await main(["node", "duban", "--db", db, ...args], io);
  return { code, out: io.stdout, err: io.stderr };
}

describe("duban open, acknowledge, withdraw: a 督办单 end to end on the command line", () => {
  it("opens, acknowledges, reports, closes; status --kind and history show it", async () => {
    const { db, plan } = fresh();
    expect((await duban(db, "--now", "2021-05-31T09:00+08:00", "init", plan)).code).toBe(0);
    const o = await duban(db, "--now", "2021-06-01T10:00+08:00", "open", "dubandan", "--to", "north", "--title", "欠薪线索核查", "--field", "basis=领导批示", "--field", "问题类别=欠薪", "--level", "特急", "--as", "hq");
    expect(o.err).toBe("");
    expect(o.out.trim()).toBe("已交办：dubandan-001“欠薪线索核查”，承办 北区，截止 2021-06-02T10:00:00+08:00（第 8 条，2021-06-01T10:00:00+08:00）");
    expect((await duban(db, "--now", "2021-06-01T10:30+08:00", "acknowledge", "dubandan-001", "--as", "north")).out.trim()).toMatch(/^已签收：dubandan-001/);
    expect((await duban(db, "--now", "2021-06-01T16:00+08:00", "submit", "dubandan-001", "--as", "north", "--note", "已核查")).code).toBe(0);
    expect((await duban(db, "--now", "2021-06-01T17:00+08:00", "accept", "dubandan-001", "--as", "hq")).code).toBe(0);
    const st = await duban(db, "--now", "2021-06-01T17:30+08:00", "status", "--kind", "dubandan");
    expect(st.out).toContain("【督办单】dubandan-001  欠薪线索核查  截止 2021-06-02 周三 10:00  特急  交办：测试局  已报送 1/1");
    expect(st.out).not.toContain("报告  截止");
    const h = await duban(db, "history", "dubandan-001");
    expect(h.out.trim().split("\n").slice(1).map((l) => l.split(/\s+/)[2])).toEqual(["已交办", "临近截止", "已签收", "报送", "审核通过"]);
  });

  it("the opener withdraws (撤销) an item; a district may not", async () => {
    const { db, plan } = fresh();
    await duban(db, "--now", "2021-05-31T09:00+08:00", "init", plan);
    await duban(db, "--now", "2021-06-01T10:00+08:00", "open", "dubandan", "--to", "south", "--title", "核查", "--field", "basis=来信", "--as", "hq");
    const no = await duban(db, "--now", "2021-06-01T11:00+08:00", "withdraw", "dubandan-001", "--as", "south");
    expect([no.code, no.err.trim()]).toEqual([1, "拒绝撤销：南区无权撤销：只有领导小组办公室或测试局可以撤销“核查” [NOT_PERMITTED]"]);
    expect((await duban(db, "--now", "2021-06-01T11:00+08:00", "withdraw", "dubandan-001", "--as", "hq", "--note", "重复交办")).out).toMatch(/^已撤销：dubandan-001/);
    expect((await duban(db, "--now", "2021-06-01T11:30+08:00", "status", "--json")).out).toContain('"state": "withdrawn"');
  });

  it("bad openings: one Chinese line each, exit 1, nothing written", async () => {
    const { db, plan } = fresh();
    await duban(db, "--now", "2021-05-31T09:00+08:00", "init", plan);
    await duban(db, "--now", "2021-06-01T10:00+08:00", "tick");
    const before = (await duban(db, "verify")).out;
    const at = ["--now", "2021-06-01T10:00+08:00"];
    const cases: [string[], string][] = [
      [["open", "dubandn", "--to", "north", "--title", "x", "--as", "hq"], "拒绝交办：计划中没有事项类型“dubandn”；是否要用“dubandan”？（可用：dubandan、event-report、rectify） [UNKNOWN_KIND]"],
      [["open", "dubandan", "--to", "north", "--title", "x", "--field", "basis=y", "--as", "south"], "拒绝交办：南区无权交办“督办单”：只有领导小组办公室可以 [NOT_OPENER]"],
      [["open", "dubandan", "--to", "hq", "--title", "x", "--field", "basis=y", "--as", "hq"], "拒绝交办：测试局不在“督办单”可交办的范围内：只能交办给北区、南区 [BAD_RECIPIENT]"],
      [["open", "rectify", "--to", "north", "--title", "x", "--field", "agency=甲", "--field", "problem=乙", "--due", "2021-05-20", "--as", "hq"], "拒绝交办：交办“整改事项”：截止时间 2021-05-20T18:00:00+08:00 不晚于现在（2021-06-01T10:00:00+08:00） [BAD_DUE]"],
      [["open", "rectify", "--to", "north", "--title", "x", "--field", "agency=甲", "--field", "problem=乙", "--due", "2021-12-20", "--as", "hq"], "拒绝交办：交办“整改事项”：截止时间 2021-12-20T18:00:00+08:00 晚于此类事项允许的最晚时间 2021-07-28T18:00:00+08:00 [BAD_DUE]"],
      [["open", "rectify", "--to", "north", "--title", "x", "--field", "agency=甲", "--field", "整改时限=六月底", "--field", "颜色=红", "--as", "hq"], "拒绝交办：交办“整改事项”的字段有误：没有字段“颜色”（可用：agency（机构名称）、problem（存在问题）、deadline（整改时限））；存在问题必须填写；整改时限不是日期（“六月底”；应如 2021-06-30） [BAD_FIELDS]"],
    ];
    for (const [args, line] of cases) {
      const r = await duban(db, ...at, ...args);
      expect([r.code, r.err.trim()], args.join(" ")).toEqual([1, line]);
    }
    const usage = await duban(db, ...at, "open", "dubandan", "--to", "north", "--title", "x", "--field", "basis", "--as", "hq");
    expect([usage.code, usage.err.trim()]).toEqual([2, "duban: --field basis：请写成 字段=值，例如 --field basis=领导批示"]);
    expect((await duban(db, "verify")).out).toBe(before);
  });
});

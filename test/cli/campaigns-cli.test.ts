import Database from "better-sqlite3";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import { captureIo } from "../helpers.ts";
import { otherCampaignPlan } from "../campaign/plans.ts";

const CQ = "cq-labour-intermediary-2021";
const WAGE = "cq-wage-arrears-2021";

function store(): string {
  return join(mkdtempSync(join(tmpdir(), "duban-campaigns-cli-")), "s.db");
}

async function duban(db: string, ...args: string[]) {
  const io = captureIo();
  const code = await main(["node", "duban", "--db", db, ...args], io);
  return { code, out: io.stdout, err: io.stderr };
}

describe("many campaigns in one store, on the command line", () => {
  it("adds a second campaign with init, then asks for --campaign and serves each by it", async () => {
    const db = store();
    const other = otherCampaignPlan();
    expect((await duban(db, "--now", "2021-04-28T10:00+08:00", "init", "plans/chongqing-2021.yaml")).code).toBe(0);
    const second = await duban(db, "--now", "2021-04-28T10:00+08:00", "init", other);
    expect(second.code).toBe(0);
    expect(second.out).toContain(`已建立专项行动“重庆市根治欠薪专项行动”（${WAGE}）`);
    expect(second.out).toContain(`此存储现有 2 个专项行动，命令请加 --campaign ${WAGE}`);

    // None named: refused with the ids, exit 1, nothing written.
    const before = await duban(db, "verify");
    const refused = await duban(db, "--now", "2021-05-18T10:00+08:00", "submit", "implementation-plan/yuzhong", "--as", "yuzhong");
    expect(refused.code).toBe(1);
    expect(refused.err).toContain("duban: 此存储中有 2 个专项行动，请用 --campaign 指定其一");
    expect(refused.err).toContain(`  ${CQ}\n  ${WAGE}`);
    expect((await duban(db, "verify")).out).toBe(before.out);
    for (const cmd of [["status"], ["history", "implementation-plan/yuzhong"], ["replay", "--as-of", "2021-05-19T10:00+08:00"], ["export"]]) {
      expect((await duban(db, ...cmd)).code, cmd.join(" ")).toBe(1);
    }
    const unknown = await duban(db, "--campaign", "nope", "status");
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain("--campaign nope：此存储中没有这个专项行动");

    // Named: each campaign on its own log.
    expect((await duban(db, "--campaign", WAGE, "--now", "2021-05-18T10:00+08:00", "submit", "implementation-plan/yuzhong", "--as", "yuzhong")).code).toBe(0);
    expect((await duban(db, "--campaign", CQ, "--now", "2021-05-21T09:30+08:00", "tick")).code).toBe(0);
    const wageHistory = await duban(db, "--campaign", WAGE, "history", "implementation-plan/yuzhong");
    expect(wageHistory.out).toContain("报送");
    const cqStatus = JSON.parse((await duban(db, "--campaign", CQ, "--now", "2021-05-21T10:00+08:00", "status", "--json")).out);
    expect(cqStatus.assignments.find((a: { id: string }) => a.id === "implementation-plan/yuzhong").state).toBe("open");
    const replay = JSON.parse((await duban(db, "--campaign", WAGE, "replay", "--as-of", "2021-05-19T10:00+08:00", "--json")).out);
    expect(replay.campaign).toBeDefined();
    expect(replay.assignments.find((a: { id: string }) => a.id === "implementation-plan/yuzhong").state).toBe("submitted");
    const exported = (await duban(db, "--campaign", WAGE, "export")).out.trim().split("\n").map((l) => JSON.parse(l));
    expect(exported[0]).toMatchObject({ seq: 1, type: "campaignInitialised", payload: { campaign: WAGE } });
    expect(exported.some((e) => e.type === "submitted" && e.assignment === "implementation-plan/yuzhong")).toBe(true);
    const cqExported = (await duban(db, "--campaign", CQ, "export")).out.trim().split("\n").map((l) => JSON.parse(l));
    expect(cqExported[0].payload.campaign).toBe(CQ);
    expect(cqExported.some((e) => e.type === "submitted")).toBe(false);

    // The list, with state, counts and overdue numbers at three instants.
    const at = async (now: string) => JSON.parse((await duban(db, "--now", now, "campaigns", "--json")).out).campaigns;
    expect((await at("2021-04-29T10:00+08:00")).map((c: { state: string }) => c.state)).toEqual(["未开始", "未开始"]);
    const may21 = await at("2021-05-21T10:00+08:00");
    expect(may21.map((c: { id: string; state: string }) => [c.id, c.state])).toEqual([
      [CQ, "进行中"],
      [WAGE, "进行中"],
    ]);
    expect(may21[0]).toMatchObject({ items: 443 });
    expect(may21[0].overdue).toBeGreaterThan(0);
    expect(may21[1]).toMatchObject({ done: 1 });
    expect((await at("2021-11-05T10:00+08:00")).map((c: { state: string }) => c.state)).toEqual(["已结束", "已结束"]);
    const text = await duban(db, "--now", "2021-05-21T10:00+08:00", "campaigns");
    expect(text.out).toContain("共 2 个专项行动");
    expect(text.out).toMatch(new RegExp(`${WAGE}\\t进行中\\t重庆市根治欠薪专项行动\\t事项 443，已办结 1，逾期 \\d+`));

    // plan apply without --campaign: the new plan's campaign.id says which campaign it changes.
    const apply = await duban(db, "--now", "2021-05-21T10:00+08:00", "plan", "apply", "test/fixtures/other-plan.yaml");
    expect(apply.out).toContain("计划变更：");
    expect(apply.err).toContain("未执行：核对以上变动后加 --yes 执行");
    const wrong = await duban(db, "--campaign", WAGE, "--now", "2021-05-21T10:00+08:00", "plan", "apply", "test/fixtures/other-plan.yaml", "--yes");
    expect(wrong.code).toBe(1);
    expect(wrong.err).toContain(`新计划属于专项行动“${CQ}”，不是“${WAGE}”`);

    // init of another plan under a campaign id already in the store: refused, nothing written.
    const dup = await duban(db, "--now", "2021-05-21T10:00+08:00", "init", "test/fixtures/other-plan.yaml");
    expect(dup.code).toBe(1);
    expect(dup.err).toContain(`此存储中已有编号为 ${CQ} 的专项行动`);
    expect(JSON.parse((await duban(db, "campaigns", "--json")).out).campaigns).toHaveLength(2);
  });

  it("export, history and replay --as-of of the whole store with --all-campaigns: each campaign labelled", async () => {
    const db = store();
    await duban(db, "--now", "2021-04-28T10:00+08:00", "init", "plans/chongqing-2021.yaml");
    await duban(db, "--now", "2021-04-28T10:00+08:00", "init", otherCampaignPlan());
    expect((await duban(db, "--campaign", WAGE, "--now", "2021-05-18T10:00+08:00", "submit", "implementation-plan/yuzhong", "--as", "yuzhong")).code).toBe(0);

    const lines = (await duban(db, "export", "--all-campaigns")).out.trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.filter((e) => e.campaign === CQ)[0]).toMatchObject({ seq: 1, type: "campaignInitialised", payload: { campaign: CQ } });
    const wage = lines.filter((e) => e.campaign === WAGE).map((e) => e.type);
    expect([wage[0], wage.at(-1)]).toEqual(["campaignInitialised", "submitted"]);
    // Each line keeps its hashes, so the auditor checks it against that campaign's chain.
    const single = (await duban(db, "--campaign", WAGE, "export")).out.trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.filter((e) => e.campaign === WAGE).map(({ campaign: _, ...e }) => e)).toEqual(single);
    const csv = (await duban(db, "export", "--all-campaigns", "--format", "csv")).out.trim().split("\n");
    expect(csv[0]).toBe("campaign,seq,at,actor,type,assignment,payload,plan_hash,prev_hash,hash");
    expect(csv.filter((l) => l.startsWith("campaign,"))).toHaveLength(1);
    expect(csv.filter((l) => l.startsWith(`${WAGE},`))).toHaveLength(wage.length);
    expect((await duban(db, "--campaign", CQ, "export", "--all-campaigns")).code).toBe(2);
    expect((await duban(db, "export", "--all-campaigns", "--format", "xlsx")).code).toBe(2);

    const history = await duban(db, "history", "implementation-plan/yuzhong", "--all-campaigns");
    expect(history.code).toBe(0);
    expect(history.out).toMatch(new RegExp(`（${CQ}）　implementation-plan/yuzhong：\\d+ 条事件`));
    expect(history.out).toMatch(new RegExp(`（${WAGE}）　implementation-plan/yuzhong：\\d+ 条事件[^]*报送`));
    const hj = JSON.parse((await duban(db, "history", "implementation-plan/yuzhong", "--all-campaigns", "--json")).out);
    expect(hj.campaigns.map((c: { campaign: string }) => c.campaign)).toEqual([CQ, WAGE]);
    const missing = await duban(db, "history", "no-such-item", "--all-campaigns");
    expect(missing.code).toBe(1);
    expect(missing.err).toContain("此存储的各专项行动中都没有事项“no-such-item”");

    const replay = JSON.parse((await duban(db, "replay", "--as-of", "2021-05-19T10:00+08:00", "--all-campaigns", "--json")).out);
    expect(replay.campaigns).toHaveLength(2);
    const state = (i: number) => replay.campaigns[i].assignments.find((a: { id: string }) => a.id === "implementation-plan/yuzhong").state;
    expect(state(0)).not.toBe("submitted");
    expect(state(1)).toBe("submitted");
    const text = await duban(db, "replay", "--as-of", "2021-05-19T10:00+08:00", "--all-campaigns");
    expect(text.out).toContain(`（${CQ}）==`);
    expect(text.out).toContain(`（${WAGE}）==`);
  });

  it("adds, lists and revokes the store's accounts without --campaign, checking a unit against the campaigns that list it", async () => {
    const db = store();
    await duban(db, "--now", "2021-04-28T10:00+08:00", "init", "plans/chongqing-2021.yaml");
    await duban(db, "--now", "2021-04-28T10:00+08:00", "init", otherCampaignPlan(WAGE, "重庆市根治欠薪专项行动", { extraUnit: "wage-office" }));
    const w = await duban(db, "--now", "2021-05-18T10:00+08:00", "users", "add", "wage-wang", "--unit", "wage-office");
    expect(w.code, w.err).toBe(0);
    expect(w.out).toContain("已建立账号 wage-wang（市根治欠薪工作办公室，unit）");
    expect((await duban(db, "--now", "2021-05-18T10:00+08:00", "users", "add", "yuzhong-zhang", "--unit", "yuzhong")).code).toBe(0);
    const none = await duban(db, "--now", "2021-05-18T10:00+08:00", "users", "add", "x", "--unit", "nobody");
    expect(none.code).toBe(1);
    expect(none.err).toContain("此存储中没有哪个专项行动的计划列有单位或人员“nobody”");
    const list = await duban(db, "users", "list");
    expect(list.out).toContain("wage-wang");
    expect(list.out).toContain("yuzhong-zhang");
    expect((await duban(db, "--now", "2021-05-18T11:00+08:00", "users", "revoke", "wage-wang")).out).toContain("已停用账号 wage-wang");
  });

  it("run --once cycles every campaign of the store, or the one --campaign names", { timeout: 60_000 }, async () => {
    const db = store();
    const eml = mkdtempSync(join(tmpdir(), "duban-campaigns-eml-"));
    await duban(db, "--now", "2021-04-28T10:00+08:00", "init", "plans/chongqing-2021.yaml");
    await duban(db, "--now", "2021-04-28T10:00+08:00", "init", otherCampaignPlan());
    const one = await duban(db, "--campaign", WAGE, "--now", "2021-05-17T09:30+08:00", "run", "--once", "--eml-dir", eml, "--log-level", "info");
    expect(one.code, one.err).toBe(0);
    expect(one.err).toMatch(/"campaign":"cq-wage-arrears-2021"/);
    expect(one.err).not.toMatch(/"event":"once","campaign":"cq-labour-intermediary-2021"/);
    const all = await duban(db, "--now", "2021-05-17T09:30+08:00", "run", "--once", "--eml-dir", eml, "--log-level", "info");
    expect(all.code, all.err).toBe(0);
    expect(all.err).toMatch(/once campaign=cq-labour-intermediary-2021 at=2021-05-17T09:30:00\+08:00 events=\d+ queued=\d+ sent=[1-9]/);
    expect(all.err).toMatch(/once campaign=cq-wage-arrears-2021 at=2021-05-17T09:30:00\+08:00 events=0 queued=0 sent=0/);
  });

  it("verifies every campaign's chain without --campaign, and names the one that was tampered with", async () => {
    const db = store();
    await duban(db, "--now", "2021-04-28T10:00+08:00", "init", "plans/chongqing-2021.yaml");
    await duban(db, "--now", "2021-04-28T10:00+08:00", "init", otherCampaignPlan());
    const ok = await duban(db, "verify");
    expect(ok.code).toBe(0);
    expect(ok.out).toContain(`${CQ}：完整：1 条事件`);
    expect(ok.out).toContain(`${WAGE}：完整：1 条事件`);
    expect(ok.out).toContain("全部 2 个专项行动的日志完整");
    // A backup keeps every campaign, and checks every chain of the copy.
    const copy = join(mkdtempSync(join(tmpdir(), "duban-campaigns-backup-")), "copy.db");
    expect((await duban(db, "backup", "--to", copy)).code).toBe(0);
    expect(JSON.parse((await duban(copy, "campaigns", "--json")).out).campaigns.map((c: { id: string }) => c.id)).toEqual([CQ, WAGE]);
    const raw = new Database(db);
    raw.prepare("UPDATE c2_events SET payload = replace(payload, '根治欠薪', '改过的') WHERE seq = 1").run();
    raw.close();
    const refusedBackup = await duban(db, "backup", "--to", join(mkdtempSync(join(tmpdir(), "duban-campaigns-backup-")), "bad.db"));
    expect(refusedBackup.code).not.toBe(0);
    expect(refusedBackup.err).toContain(`专项行动 ${WAGE} 第 1 条`);
    const bad = await duban(db, "verify");
    expect(bad.code).toBe(1);
    expect(bad.err).toContain(`${WAGE}：校验失败：第 1 条`);
    expect(bad.out).toContain(`${CQ}：完整`);
    expect((await duban(db, "--campaign", CQ, "verify")).code).toBe(0);
  });

  it("opens a store written by the release before the registry unchanged, and extends it with a second campaign", async () => {
    const db = store();
    writeFileSync(db, gunzipSync(readFileSync("test/fixtures/stores/release-single-campaign.db.gz")));
    const list = await duban(db, "--now", "2021-05-19T10:00+08:00", "campaigns", "--json");
    expect(list.code).toBe(0);
    expect(JSON.parse(list.out).campaigns).toEqual([expect.objectContaining({ id: CQ, state: "进行中", events: 231, done: 1 })]);
    // One campaign: commands need no --campaign, as before.
    expect((await duban(db, "verify")).out).toContain("完整：231 条事件");
    expect((await duban(db, "history", "implementation-plan/yuzhong")).out).toContain("报送");
    expect((await duban(db, "--now", "2021-05-19T10:00+08:00", "init", otherCampaignPlan())).code).toBe(0);
    const both = JSON.parse((await duban(db, "--now", "2021-05-19T10:00+08:00", "campaigns", "--json")).out).campaigns;
    expect(both.map((c: { id: string; events: number }) => [c.id, c.events])).toEqual([
      [CQ, 231],
      [WAGE, 1],
    ]);
    expect((await duban(db, "--campaign", CQ, "status")).code).toBe(0);
    const v = await duban(db, "verify");
    expect(v.code).toBe(0);
    expect(v.out).toContain(`${CQ}：完整：231 条事件`);
  });
});

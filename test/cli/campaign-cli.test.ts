import Database from "better-sqlite3";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import { captureIo } from "../helpers.ts";

let db = "";
async function duban(...args: string[]) {
  const io = captureIo();
  const code = await main(["node", "duban", "--db", db, ...args], io);
  return { code, out: io.stdout, err: io.stderr };
}

beforeAll(async () => {
  db = join(mkdtempSync(join(tmpdir(), "duban-cli-")), "c.db");
  expect((await duban("--now", "2021-04-28T10:00+08:00", "init", "plans/chongqing-2021.yaml")).code).toBe(0);
  expect((await duban("--now", "2021-05-18T10:00+08:00", "submit", "implementation-plan/yuzhong", "--as", "yuzhong", "--note", "见附件", "--attach", "README.md")).code).toBe(0);
  expect((await duban("--now", "2021-05-21T09:30+08:00", "tick")).code).toBe(0);
});

describe("campaign commands", () => {
  it("refuses an action by the wrong unit with the rule, exit 1, and logs nothing", async () => {
    const before = await duban("verify");
    const r = await duban("--now", "2021-05-21T10:00+08:00", "submit", "implementation-plan/yuzhong", "--as", "fuling");
    expect(r.code).toBe(1);
    expect(r.err).toContain("拒绝报送：涪陵区人力社保局无权报送：只有责任单位渝中区人力社保局可以报送“专项整治具体实施方案” [NOT_PERMITTED]");
    expect(r.err).not.toMatch(/\n\s+at /);
    expect((await duban("verify")).out).toBe(before.out);
  });

  it("says clearly when the store has no campaign", async () => {
    const io = captureIo();
    const code = await main(["node", "duban", "--db", join(mkdtempSync(join(tmpdir(), "duban-empty-")), "x.db"), "status"], io);
    expect(code).toBe(1);
    expect(io.stderr).toContain("duban: 此存储中还没有专项行动；请先运行 duban init <plan>");
  });

  it("shows the board plain when piped, filtered by unit and lateness, and as JSON", async () => {
    const r = await duban("--now", "2021-05-21T10:00+08:00", "status", "--unit", "fuling", "--overdue");
    expect(r.code).toBe(0);
    expect(r.out).not.toContain("\u001b[");
    expect(r.out).toContain("涪陵区人力社保局");
    expect(r.out).toContain("逾期1个工作日");
    const j = JSON.parse((await duban("--now", "2021-05-21T10:00+08:00", "status", "--json")).out);
    const yz = j.assignments.find((a: { id: string }) => a.id === "implementation-plan/yuzhong");
    expect(yz).toMatchObject({ state: "submitted", late: false, due: "2021-05-20T18:00:00+08:00", submittedAt: "2021-05-18T10:00:00+08:00" });
    expect(j.outbox.pending).toBeGreaterThan(0);
  });

  it("shows an item's trail with actors, notes and attachments", async () => {
    const j = JSON.parse((await duban("history", "implementation-plan/yuzhong", "--json")).out);
    const sub = j.events.find((e: { type: string }) => e.type === "submitted");
    expect(sub.actor).toEqual({ kind: "unit", unit: "yuzhong" });
    expect(sub.payload.note).toBe("见附件");
    expect(sub.payload.attachments[0]).toMatchObject({ name: "README.md", sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it("exports the log with hashes as JSONL and CSV", async () => {
    const jsonl = (await duban("export", "--format", "jsonl")).out.trim().split("\n").map((l) => JSON.parse(l));
    expect(jsonl[0]).toMatchObject({ seq: 1, type: "campaignInitialised" });
    for (const e of jsonl) expect(e.hash).toMatch(/^[0-9a-f]{64}$/);
    const csv = (await duban("export", "--format", "csv", "--to", "2021-05-01T00:00+08:00")).out.trim().split("\n");
    expect(csv[0]).toBe("seq,at,actor,type,assignment,payload,plan_hash,prev_hash,hash");
    expect(csv.length).toBeGreaterThan(2);
    expect(csv.slice(1).every((l) => l.includes("2021-0"))).toBe(true);
  });

  it("verify names the first event whose stored bytes were changed, and catches a deleted tail against a recorded head", async () => {
    const ok = await duban("verify");
    expect(ok.code).toBe(0);
    const head = /日志头 ([0-9a-f]{64})/.exec(ok.out)![1]!;
    expect((await duban("verify", "--head", head)).code).toBe(0);
    const raw = new Database(db);
    const victim = raw.prepare("SELECT seq FROM events WHERE type = 'submitted' LIMIT 1").get() as { seq: number };
    raw.prepare("UPDATE events SET payload = replace(payload, '见附件', '见附件！') WHERE seq = ?").run(victim.seq);
    raw.close();
    const bad = await duban("verify");
    expect(bad.code).toBe(1);
    expect(bad.err).toContain(`校验失败：第 ${victim.seq} 条`);
    // Restore, then delete the newest event: the chain alone still verifies, the recorded head does not.
    const fix = new Database(db);
    fix.prepare("UPDATE events SET payload = replace(payload, '见附件！', '见附件') WHERE seq = ?").run(victim.seq);
    fix.prepare("DELETE FROM events WHERE seq = (SELECT max(seq) FROM events)").run();
    fix.close();
    expect((await duban("verify")).code).toBe(0);
    const tail = await duban("verify", "--head", head);
    expect(tail.code).toBe(1);
    expect(tail.err).toMatch(/^校验失败：第 \d+ 条：找不到记录的日志头 [0-9a-f]+…?：日志在第 \d+ 条就结束了/);
  });
});

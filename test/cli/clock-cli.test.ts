import Database from "better-sqlite3";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import { eventHash } from "../../src/store/hash.ts";
import type { StoredEvent } from "../../src/store/types.ts";
import { captureIo } from "../helpers.ts";

const fresh = () => join(mkdtempSync(join(tmpdir(), "duban-clock-cli-")), "c.db");
async function duban(db: string, ...args: string[]) {
  const io = captureIo();
  const code = await main(["node", "duban", "--db", db, ...args], io);
  return { code, out: io.stdout, err: io.stderr };
}

describe("the log's clock through the CLI (issue 11, section 1)", () => {
  it("refuses a tick dated before the last event with one line naming it, exit 1, and writes nothing", async () => {
    const db = fresh();
    expect((await duban(db, "--now", "2025-01-06T10:00+08:00", "init", "--archive", "plans/chongqing-2021.yaml")).code).toBe(0);
    const before = await duban(db, "verify");
    const r = await duban(db, "--now", "2021-05-25T09:00+08:00", "tick");
    expect(r.code).toBe(1);
    expect(r.err.trim().split("\n")).toEqual([
      "duban: 本次操作的时刻 2021-05-25T09:00:00+08:00 早于此存储最后一条记录的时刻 2025-01-06T10:00:00+08:00，未记录任何内容（日志的时刻只能向前）；请用不早于 2025-01-06T10:00:00+08:00 的 --now 重试，如要演练更早的日期，请另建存储：duban --db <新存储> --now <开始时刻> init <计划>",
    ]);
    expect((await duban(db, "verify")).out).toBe(before.out);
    const submit = await duban(db, "--now", "2021-05-18T10:00+08:00", "submit", "implementation-plan/yuzhong", "--as", "yuzhong");
    expect(submit.code).toBe(1);
    expect(submit.err).toContain("早于此存储最后一条记录的时刻 2025-01-06T10:00:00+08:00");
    const users = await duban(db, "--now", "2021-05-18T10:00+08:00", "users", "add", "zhang", "--unit", "yuzhong");
    expect(users.code).toBe(1);
    expect((await duban(db, "users", "list")).out).toContain("尚无账号");
    expect((await duban(db, "verify")).out).toBe(before.out);
  });

  it("replay --as-of before the first event says when the store begins", async () => {
    const db = fresh();
    await duban(db, "--now", "2021-04-28T10:00+08:00", "init", "plans/chongqing-2021.yaml");
    const r = await duban(db, "replay", "--as-of", "2021-04-20T09:00+08:00");
    expect(r.code).toBe(1);
    expect(r.err).toContain("duban: 此存储的记录始于 2021-04-28T10:00:00+08:00");
    expect(r.err).not.toContain("还没有专项行动");
  });

  it("status --now before the last event shows the board the log gave then, the same as replay --as-of", async () => {
    const db = fresh();
    await duban(db, "--now", "2021-04-28T10:00+08:00", "init", "plans/chongqing-2021.yaml");
    await duban(db, "--now", "2021-06-16T10:00+08:00", "tick");
    await duban(db, "--now", "2021-09-01T10:00+08:00", "tick");
    const status = JSON.parse((await duban(db, "--now", "2021-06-16T10:00+08:00", "status", "--json")).out) as { assignments: { id: string; state: string; lateness: string; late: boolean; level: number; daysLate: number }[] };
    const replay = JSON.parse((await duban(db, "replay", "--as-of", "2021-06-16T10:00+08:00", "--json")).out) as { assignments: { id: string }[] };
    const pick = (r: { id: string; state?: string; lateness?: string; late?: boolean; level?: number }) => ({ id: r.id, state: r.state, lateness: r.lateness, late: r.late, level: r.level });
    expect(status.assignments.map(pick)).toEqual(replay.assignments.map(pick));
    // One working day late on 06-16 is at most the first level then, not the level reached months later.
    const oneDay = status.assignments.filter((a) => a.daysLate === 1);
    expect(oneDay.length).toBeGreaterThan(0);
    expect(oneDay.every((a) => a.level <= 1)).toBe(true);
    const text = await duban(db, "--now", "2021-06-16T10:00+08:00", "status", "--overdue");
    expect(text.out).toContain("早于日志的最后一条记录");
    expect(text.out.split("\n").filter((l) => l.includes("逾期1个工作日") && l.includes("第3级"))).toEqual([]);
  });

  it("verify names the first event whose instant runs back in a store written before the rule", async () => {
    const db = fresh();
    await duban(db, "--now", "2021-04-28T10:00+08:00", "init", "plans/chongqing-2021.yaml");
    await duban(db, "--now", "2021-05-21T10:00+08:00", "tick");
    // What `users add` on the wall clock followed by a drill's tick left behind: seq 2 dated years later.
    const raw = new Database(db);
    const rows = raw.prepare("SELECT * FROM events ORDER BY seq").all() as { seq: number; at: string; actor: string; type: string; payload: string; plan_hash: string; assignment: string | null; prev_hash: string; hash: string }[];
    const later = "2025-01-06T10:00:00+08:00";
    let prev = rows[0]!.hash;
    for (const r of rows.slice(1)) {
      const at = r.seq === 2 ? later : r.at;
      const e = { seq: r.seq, at, actor: JSON.parse(r.actor), type: r.type, payload: JSON.parse(r.payload), planHash: r.plan_hash, ...(r.assignment ? { assignment: r.assignment } : {}) } as StoredEvent;
      const hash = eventHash(prev, e);
      raw.prepare("UPDATE events SET at = ?, at_ms = ?, prev_hash = ?, hash = ? WHERE seq = ?").run(at, Date.parse(at), prev, hash, r.seq);
      prev = hash;
    }
    raw.close();
    const r = await duban(db, "verify");
    expect(r.code).toBe(1);
    expect(r.err).toContain(`校验失败：第 3 条：时刻倒退：${rows[2]!.at} 早于第 2 条的 ${later}`);
  });
});

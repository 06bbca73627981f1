import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import { captureIo } from "../helpers.ts";

async function duban(db: string, ...args: string[]) {
  const io = captureIo();
  const code = await main(["node", "duban", "--db", db, ...args], io);
  return { code, out: io.stdout, err: io.stderr };
}

describe("duban status with the resolved plan kept beside the store", () => {
  it("prints the same bytes when it resolves the stored plan (and keeps it) as when it reads what it kept", async () => {
    const db = join(mkdtempSync(join(tmpdir(), "duban-status-cache-")), "c.db");
    const dir = `${db}.plans`;
    expect((await duban(db, "--now", "2021-04-28T10:00+08:00", "init", "plans/chongqing-2021.yaml")).code).toBe(0);
    expect((await duban(db, "--now", "2021-05-18T10:00+08:00", "submit", "implementation-plan/yuzhong", "--as", "yuzhong")).code).toBe(0);
    expect((await duban(db, "--now", "2021-05-21T09:30+08:00", "tick")).code).toBe(0);
    for (const args of [["status"], ["status", "--overdue"], ["status", "--json"], ["status", "--light", "red"], ["--now", "2021-05-19T10:00+08:00", "status"]]) {
      rmSync(dir, { recursive: true, force: true });
      const resolved = await duban(db, ...args);
      expect(resolved.code).toBe(0);
      expect(readdirSync(dir)).toHaveLength(1);
      const kept = await duban(db, ...args);
      expect(kept.out).toBe(resolved.out);
      expect(kept.err).toBe(resolved.err);
      expect(kept.code).toBe(0);
    }
  });
});

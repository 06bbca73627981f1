import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import { captureIo } from "../helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "duban-mistakes-"));
const db = join(dir, "duban.db");

async function duban(...args: string[]) {
  const io = captureIo();
  const code = await main(["node", "duban", "--db", db, "--now", "2021-05-10T09:00+08:00", ...args], io);
  return { code, err: io.stderr, out: io.stdout };
}

beforeAll(async () => {
  expect((await duban("init", "plans/chongqing-2021.yaml")).code).toBe(0);
});

describe("user mistakes get one Chinese line, never a stack trace or a false alarm", () => {
  it("verify --head with something that is no hash is a usage line, not a report of deleted events", async () => {
    const r = await duban("verify", "--head", "bogus");
    expect(r.code).toBe(2);
    expect(r.err).toBe("duban: --head bogus：不是日志头哈希；请抄写日报中的 64 位十六进制“日志头”，例如 duban verify --head 3f5a…（共 64 位）\n");
  });

  it("ics --out to a folder that does not exist names the file, not the store", async () => {
    const r = await duban("ics", "--unit", "flow", "--out", join(dir, "no-such-folder", "flow.ics"));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^duban: --out .*flow\.ics：无法写入（ENOENT）；请检查路径和权限\n$/);
  });
});

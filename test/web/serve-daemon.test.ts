import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runDuban, tempDir, until } from "../delivery/support.ts";

describe("duban serve --daemon", () => {
  it("serves the workspace and runs the daemon in one process, and stops on SIGTERM", async () => {
    const dir = tempDir("duban-serve-");
    const db = join(dir, "c.db");
    const eml = join(dir, "eml");
    const init = runDuban(["--db", db, "--now", "2021-04-28T10:00+08:00", "init", "plans/chongqing-2021.yaml"]);
    expect((await init.exited).code).toBe(0);
    const serve = runDuban(["--db", db, "--now", "2021-05-21T09:00+08:00", "serve", "--daemon", "--port", "0"], { DUBAN_EML_DIR: eml });
    await until("the server to listen", () => /http:\/\/127\.0\.0\.1:\d+\//.test(serve.stdout()));
    const url = /(http:\/\/127\.0\.0\.1:\d+)\//.exec(serve.stdout())![1]!;
    expect((await fetch(`${url}/login`)).status).toBe(200);
    // The daemon's catch-up cycle: one message per recipient for 05-21 09:00, and the office's summary.
    await until("the catch-up cycle", () => /catch-up cycle/.test(serve.stderr()));
    expect(serve.stderr()).toMatch(/catch-up cycle at=2021-05-21T09:00:00\+08:00 events=\d+ queued=39 summary=queued sent=40 retrying=0 failed=0/);
    expect(readdirSync(eml).filter((f) => f.endsWith(".eml"))).toHaveLength(40);
    serve.proc.kill("SIGTERM");
    expect(await serve.exited).toMatchObject({ code: 0 });
  });
});

import { writeFileSync } from "node:fs";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runDuban, tempDir, until } from "../delivery/support.ts";
import { sample, scrape } from "./prom.ts";

describe("`duban serve` from duban.config.yaml", () => {
  const dir = tempDir("serve-config");
  const db = join(dir, "duban.db");

  it("takes its store, address and log level from the file, shares one registry with its daemon, and logs JSON lines", { timeout: 40_000 }, async () => {
    const init = runDuban(["--db", db, "--now", "2021-05-21T08:00:00+08:00", "init", "plans/chongqing-2021.yaml"]);
    expect((await init.exited).code, init.stderr()).toBe(0);
    const config = join(dir, "duban.config.yaml");
    writeFileSync(config, `db: ${db}\nserve: { host: 127.0.0.1, port: 0 }\nemlDir: ${join(dir, "eml")}\nlog: { level: info }\n`);
    const serve = runDuban(["--now", "2021-05-21T09:00:00+08:00", "serve", "--daemon"], { DUBAN_CONFIG: config });
    try {
      await until("the workspace", () => /督办工作台：http:\/\/127\.0\.0\.1:\d+\//.test(serve.stdout()), 20_000);
      const base = /督办工作台：(http:\/\/127\.0\.0\.1:\d+)\//.exec(serve.stdout())![1]!;
      await until("the daemon's first cycle", () => /"event":"catch-up-cycle"/.test(serve.stderr()), 20_000);
      const m = await scrape(`${base}/metrics`);
      expect(sample(m.metrics, "duban_lease_holder", { state: "leader" })).toBe(1);
      expect(sample(m.metrics, "duban_reminders_total", { channel: "eml", outcome: "sent" })).toBeGreaterThan(0);
      expect(sample(m.metrics, "duban_http_request_duration_seconds", { route: "/metrics" }) ?? 0).toBe(0);
      const again = await scrape(`${base}/metrics`);
      expect(sample(again.metrics, "duban_http_request_duration_seconds", { route: "/metrics", status: "200" })).toBe(1);
      const ready = (await (await fetch(`${base}/readyz`)).json()) as { ready: boolean; checks: { lease: { state: string } } };
      expect(ready.checks.lease.state).toBe("leader");
      const lines = serve.stderr().trim().split("\n").map((l) => JSON.parse(l) as { event?: string; level: number });
      expect(lines.map((l) => l.event)).toEqual(expect.arrayContaining(["serve", "start", "leader", "catch-up-cycle", "sent"]));
    } finally {
      serve.proc.kill("SIGTERM");
    }
    expect((await serve.exited).code, serve.stderr()).toBe(0);
  });

  it("DUBAN_PORT wins over the file, and --port over both", { timeout: 30_000 }, async () => {
    const config = join(dir, "duban.config.yaml");
    // A port already taken: the environment's port is the one tried, and refused in one line.
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, "127.0.0.1", r));
    const port = (taken.address() as AddressInfo).port;
    try {
      const env = runDuban(["serve"], { DUBAN_CONFIG: config, DUBAN_PORT: String(port) });
      expect((await env.exited).code).toBe(1);
      expect(env.stderr()).toContain(`duban: 端口 ${port} 已被占用；请用 --port 换一个端口`);
      expect(env.stderr()).not.toMatch(/\n\s+at /);
      const flag = runDuban(["serve", "--port", "0"], { DUBAN_CONFIG: config, DUBAN_PORT: String(port) });
      await until("the workspace", () => /督办工作台：http:\/\/127\.0\.0\.1:\d+\//.test(flag.stdout()) || flag.proc.exitCode !== null, 20_000);
      expect(flag.stdout()).toMatch(/督办工作台：http:\/\/127\.0\.0\.1:\d+\//);
      expect(flag.stdout()).not.toContain(`:${port}/`);
      flag.proc.kill("SIGTERM");
      expect((await flag.exited).code).toBe(0);
    } finally {
      taken.close();
    }
  });
});

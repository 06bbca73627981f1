import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { buildProgram } from "../../src/cli/main.ts";
import { loadHostSettings } from "../../src/ops/config.ts";
import { HostMetrics } from "../../src/ops/metrics.ts";
import { MAX_UPLOAD_BYTES } from "../../src/web/uploads.ts";
import { captureIo } from "../helpers.ts";

const OPS = "docs/ops";
const read = (f: string) => readFileSync(`${OPS}/${f}`, "utf8");

/** Every series name a scrape of this build can have (a histogram's with its suffixes). */
async function exposedNames(): Promise<Set<string>> {
  const m = new HostMetrics();
  const names = new Set<string>();
  for (const f of await m.registry.getMetricsAsJSON()) {
    names.add(f.name);
    if (String(f.type) === "histogram") for (const s of ["_bucket", "_count", "_sum"]) names.add(f.name + s);
  }
  return names;
}

const metricsIn = (expr: string) => expr.match(/\bduban_[a-z_]+\b/g) ?? [];

describe("docs/ops: the operator's files name what this build has", () => {
  it("every metric in the alert rules and the Grafana dashboard exists, and the rules are well formed", async () => {
    const names = await exposedNames();
    const rules = parse(read("prometheus/duban-alerts.yml")) as { groups: { name: string; rules: { alert: string; expr: string; labels: { severity: string }; annotations: { summary: string } }[] }[] };
    const all = rules.groups.flatMap((g) => g.rules);
    expect(all.map((r) => r.alert)).toEqual(expect.arrayContaining(["DubanOutboxStuck", "DubanLeaseLost", "DubanNoLeader", "DubanSendFailed"]));
    for (const r of all) {
      expect(r.expr, r.alert).toBeTypeOf("string");
      expect(["critical", "warning"], r.alert).toContain(r.labels.severity);
      expect(r.annotations.summary, r.alert).toBeTruthy();
      for (const n of metricsIn(r.expr)) expect(names.has(n), `${r.alert}: ${n}`).toBe(true);
    }
    // The stuck-outbox rule fires past 15 minutes, the same threshold as /readyz.
    expect(all.find((r) => r.alert === "DubanOutboxStuck")!.expr).toMatch(/duban_outbox_oldest_unsent_age_seconds\) > 900$/);
    const dash = JSON.parse(read("grafana/duban-dashboard.json")) as { panels: { title: string; targets: { expr: string }[] }[] };
    expect(dash.panels.length).toBeGreaterThan(5);
    for (const p of dash.panels) for (const t of p.targets) for (const n of metricsIn(t.expr)) expect(names.has(n), `${p.title}: ${n}`).toBe(true);
    // The guide's table lists every metric of Duban's own.
    const guide = read("README.md");
    for (const n of [...names].filter((x) => !/^duban_(process|nodejs)_/.test(x) && !/_(bucket|count|sum)$/.test(x))) expect(guide, n).toContain(n);
  });

  it("the example configuration is valid", () => {
    const r = loadHostSettings({ file: `${OPS}/duban.config.example.yaml`, env: {}, secrets: false });
    expect(r.diagnostics).toEqual([]);
    expect(r.settings).toMatchObject({ db: "/var/lib/duban/duban.db", serve: { host: "127.0.0.1", port: 8080 }, metrics: { port: 9464 }, maxOutboxAgeMs: 15 * 60_000 });
  });

  it("the systemd units run as a dedicated user, restart, write only the data folder, and start commands and options that exist", async () => {
    const program = await buildProgram(captureIo(), "en");
    const optionsOf = (c: Command) => c.options.map((o) => o.long);
    for (const unit of ["systemd/duban-run.service", "systemd/duban-serve.service"]) {
      const text = read(unit);
      expect(text, unit).toMatch(/^User=duban$/m);
      expect(text, unit).toMatch(/^Restart=always$/m);
      expect(text, unit).toMatch(/^ReadWritePaths=\/var\/lib\/duban$/m);
      expect(text, unit).toMatch(/^ProtectSystem=strict$/m);
      expect(text, unit).toMatch(/^Environment=DUBAN_CONFIG=\/etc\/duban\/duban\.config\.yaml$/m);
      const exec = /^ExecStart=\/usr\/bin\/node \/opt\/duban\/current\/bin\/duban\.js (.+)$/m.exec(text)![1]!.split(/\s+/);
      const cmd = program.commands.find((c) => c.name() === exec[0])!;
      expect(cmd, unit).toBeDefined();
      for (const flag of exec.filter((a) => a.startsWith("--"))) expect([...optionsOf(cmd), ...optionsOf(program)], `${unit}: ${flag}`).toContain(flag);
    }
    // The daemon's stop waits longer than a message's lease, so the message in flight is finished.
    expect(Number(/^TimeoutStopSec=(\d+)$/m.exec(read("systemd/duban-run.service"))![1])).toBeGreaterThan(120);
  });

  it("nginx takes the largest upload and keeps /metrics and /readyz inside", () => {
    const conf = read("nginx/duban.conf");
    const m = /client_max_body_size (\d+)m;/.exec(conf)!;
    expect(Number(m[1]) * 1024 * 1024).toBeGreaterThan(MAX_UPLOAD_BYTES + 256 * 1024);
    for (const path of ["/metrics", "/readyz"]) expect(conf).toMatch(new RegExp(`location = ${path} \\{[^}]*deny all;`));
    expect(conf).toMatch(/proxy_pass http:\/\/duban_serve;/);
    expect(conf).toMatch(/server 127\.0\.0\.1:8080;/);
  });

  it("the README links the guide", () => {
    expect(readFileSync("README.md", "utf8")).toContain("docs/ops/README.md");
  });
});

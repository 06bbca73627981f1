import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createNotifiers } from "../../notifiers/index.ts";
import { Campaign } from "../../src/campaign/campaign.ts";
import { startDaemon } from "../../src/daemon/daemon.ts";
import { readiness } from "../../src/ops/health.ts";
import { HostMetrics } from "../../src/ops/metrics.ts";
import { openStore } from "../../src/store/open.ts";
import { cst } from "../helpers.ts";
import { until } from "../delivery/support.ts";
import { pgAdmin, pgSchema, pgSpec, pgUnavailable } from "../pg.ts";
import { parseScrape, sample } from "./prom.ts";

describe.skipIf(pgUnavailable)("the daemon's lease on PostgreSQL, as /readyz and /metrics report it", () => {
  it("a standby is ready; a leader whose lease connection dies stops, says so, and the standby takes over", { timeout: 30_000 }, async () => {
    const schema = pgSchema();
    const spec = pgSpec(schema);
    const now = cst("2021-05-21T09:00");
    const storeA = await openStore(spec);
    const storeB = await openStore(spec);
    const emlDir = mkdtempSync(join(tmpdir(), "duban-lease-eml-"));
    const notifiers = createNotifiers({ emlDir });
    const logsA: { line: string; event?: string }[] = [];
    const logsB: { line: string; event?: string }[] = [];
    const metricsA = new HostMetrics({ defaultMetrics: false });
    const metricsB = new HostMetrics({ defaultMetrics: false });
    const a = await Campaign.init(storeA, "plans/chongqing-2021.yaml", now);
    const b = await Campaign.open(storeB);
    metricsA.watch(a, () => now);
    metricsB.watch(b, () => now);
    const daemonA = startDaemon(a, notifiers, { log: (line, f) => logsA.push({ line, event: f?.event }), observer: metricsA, now: () => now, standbyPollMs: 100 });
    try {
      await until("A to lead", () => daemonA.leaseState() === "leader");
      const daemonB = startDaemon(b, notifiers, { log: (line, f) => logsB.push({ line, event: f?.event }), observer: metricsB, now: () => now, standbyPollMs: 100 });
      try {
        await until("B to stand by", () => daemonB.leaseState() === "standby");
        expect(await readiness(b, metricsB, 15 * 60_000)).toMatchObject({ checks: { lease: { ok: true, state: "standby" } } });
        await until("A's first cycle", () => logsA.some((l) => l.event === "catch-up-cycle"));

        // The server ends A's lease connection (a failover, a restart, an idle-session timeout).
        // One lease per campaign, so daemons sharing a store spread its campaigns.
        const key = `${schema}:lease:campaign:cq-labour-intermediary-2021`;
        const killed = await pgAdmin(async (c) => {
          const { rows } = await c.query<{ pid: number }>("SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objid::bigint = ((hashtext($1)::bigint + 4294967296) % 4294967296)", [key]);
          for (const r of rows) await c.query("SELECT pg_terminate_backend($1)", [r.pid]);
          return rows.length;
        });
        expect(killed).toBe(1);
        await until("A to notice", () => logsA.some((l) => l.event === "lease-lost"));
        await until("B to take over", () => daemonB.leaseState() === "leader", 10_000);
        await until("A to stand by", () => daemonA.leaseState() === "standby", 10_000);
        expect(logsA.find((l) => l.event === "lease-lost")?.line).toMatch(/^lease-lost: 与存储的租约连接已断开/);

        const sa = parseScrape(await metricsA.registry.metrics());
        expect(sample(sa, "duban_lease_lost_total")).toBe(1);
        expect(sample(sa, "duban_lease_holder", { state: "standby" })).toBe(1);
        expect(sample(sa, "duban_lease_holder", { state: "leader" })).toBe(0);
        const sb = parseScrape(await metricsB.registry.metrics());
        expect(sample(sb, "duban_lease_holder", { state: "leader" })).toBe(1);
        expect(sample(sb, "duban_lease_acquired_total")).toBe(1);
        // Nothing was sent twice: every outbox key went out once, whoever sent it.
        await until("B's catch-up", () => logsB.some((l) => l.event === "catch-up-cycle"));
        const counts = await storeB.outboxCounts();
        expect(counts.pending).toBe(0);
      } finally {
        await daemonB.stop();
      }
    } finally {
      await daemonA.stop();
      await notifiers.close();
      await storeA.close();
      await storeB.close();
    }
  });
});

import { describe, expect, it } from "vitest";
import { openStore } from "../../src/store/open.ts";
import { pgAdmin, pgSchema, pgSpec, pgUnavailable } from "../pg.ts";
import { describeRegistrySuite } from "./campaigns-suite.ts";

describeRegistrySuite("campaign registry on PostgreSQL", () => pgSpec(pgSchema()), { skip: Boolean(pgUnavailable) });

describe.skipIf(Boolean(pgUnavailable))("per-campaign leases on PostgreSQL", () => {
  it("holds a process's leases on one connection, each exclusive within the process as between processes", async () => {
    const schema = pgSchema();
    const a = await openStore(pgSpec(schema));
    const b = await openStore(pgSpec(schema));
    try {
      const names = Array.from({ length: 50 }, (_, i) => `campaign:c${i}`);
      const leases = await Promise.all(names.map((n) => a.tryLease(n)));
      expect(leases.every(Boolean)).toBe(true);
      const pids = await pgAdmin(async (c) => {
        const { rows } = await c.query<{ n: string }>(
          `SELECT count(DISTINCT pid) AS n FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 2
             AND objid::bigint = ANY (SELECT (hashtext(k)::bigint + 4294967296) % 4294967296 FROM unnest($1::text[]) AS k)`,
          [names.map((n) => `${schema}:lease:${n}`)],
        );
        return Number(rows[0]!.n);
      });
      expect(pids).toBe(1);
      expect(await a.tryLease("campaign:c0")).toBeUndefined();
      expect(await b.tryLease("campaign:c0")).toBeUndefined();
      await leases[0]!.release();
      const taken = await b.tryLease("campaign:c0");
      expect(taken).toBeDefined();
      await taken!.release();
      for (const l of leases.slice(1)) await l!.release();
    } finally {
      await a.close();
      await b.close();
    }
  });
});

import Database from "better-sqlite3";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { eventsPage, latestSnapshotQuery, outboxCountsQuery, pageFilter } from "../../src/store/query.ts";
import { SqliteStore } from "../../src/store/sqlite.ts";

/** SQLite's plan for a query on a store laid out by this build's DDL, as one line per step. */
async function planOf(sql: string, params: unknown[]): Promise<string[]> {
  const file = join(mkdtempSync(join(tmpdir(), "duban-plans-")), "s.db");
  await new SqliteStore(file).close();
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail);
  } finally {
    db.close();
  }
}

describe("what every board reads goes through an index, never a scan of the log or the snapshots", () => {
  it("the newest snapshot: the key finds its seq, and only that seq's rows are read", async () => {
    for (const [maxSeq, hash] of [[undefined, undefined], [100, undefined], [100, "h"]] as const) {
      const q = latestSnapshotQuery("snapshots", maxSeq, hash);
      const plan = await planOf(q.sql, q.params);
      expect(plan.join("\n")).not.toMatch(/SCAN snapshots(?! USING COVERING INDEX)/);
      expect(plan.some((d) => d.startsWith("SEARCH snapshots USING INDEX"))).toBe(true);
    }
  });

  it("a read of a few event types (the office's light marks) takes them from the partial index of the sparse types", async () => {
    const q = eventsPage("events", 0, pageFilter({ toSeq: 100_000, types: ["lightMarked", "lightCleared"] }), () => "?");
    const plan = await planOf(q.sql, q.params);
    expect(plan.join("\n")).not.toMatch(/SCAN events/);
    expect(plan.some((d) => d.includes("events_sparse_idx"))).toBe(true);
  });
});

describe("the outbox counts every board shows", () => {
  it("come from indexes alone, not a scan of every message", async () => {
    const plan = await planOf(outboxCountsQuery("outbox"), []);
    expect(plan.filter((d) => d.startsWith("SCAN outbox") || d.startsWith("SEARCH outbox"))).toHaveLength(3);
    for (const d of plan) if (d.startsWith("SCAN outbox") || d.startsWith("SEARCH outbox")) expect(d).toMatch(/USING (COVERING )?INDEX/);
    expect(plan.join("\n")).toMatch(/outbox_failed_idx/);
  });
});

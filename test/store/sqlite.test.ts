import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openStore } from "../../src/store/open.ts";
import { SqliteStore } from "../../src/store/sqlite.ts";
import { describeStoreSuite, type StoreHarness } from "./store-suite.ts";

const dir = mkdtempSync(join(tmpdir(), "duban-store-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

function harness(): StoreHarness {
  const file = join(dir, `store-${++n}.db`);
  const raw = () => new Database(file, { timeout: 10_000 });
  return {
    spec: file,
    open: () => openStore(file),
    async exec(sql) {
      const db = raw();
      try {
        db.exec(sql.replace(/\{(\w+)\}/g, "$1"));
      } finally {
        db.close();
      }
    },
    async failOutboxChannel(channel) {
      await this.exec(
        `CREATE TRIGGER fail_${channel} BEFORE INSERT ON outbox WHEN NEW.channel = '${channel}' BEGIN SELECT RAISE(ABORT, 'injected failure'); END`,
      );
    },
    async dispose() {
      for (const suffix of ["", "-wal", "-shm"]) rmSync(file + suffix, { force: true });
    },
  };
}

describeStoreSuite("SqliteStore", async () => harness());

describe("SqliteStore specifics", () => {
  it("opens in WAL mode with a durable synchronous setting and records the schema version", async () => {
    const file = join(dir, "pragma.db");
    const store = new SqliteStore(file);
    await store.close();
    const db = new Database(file);
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(db.prepare("SELECT version FROM schema_version").all()).toEqual([{ version: 1 }]);
    db.prepare("INSERT INTO schema_version (version, applied_at) VALUES (99, 'x')").run();
    db.close();
    expect(() => new SqliteStore(file)).toThrow(expect.objectContaining({ code: "SCHEMA_TOO_NEW" }));
  });
});

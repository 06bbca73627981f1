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
    expect(db.prepare("SELECT version FROM schema_version").all()).toEqual([{ version: 2 }]);
    db.prepare("INSERT INTO schema_version (version, applied_at) VALUES (99, 'x')").run();
    db.close();
    expect(() => new SqliteStore(file)).toThrow(expect.objectContaining({ code: "SCHEMA_TOO_NEW" }));
  });

  it("upgrades a version-1 store in place: the outbox gains its new columns and keeps its rows", async () => {
    const file = join(dir, "v1.db");
    const db = new Database(file);
    db.exec(`CREATE TABLE schema_version (version integer PRIMARY KEY, applied_at text NOT NULL);
      INSERT INTO schema_version VALUES (1, 'then');
      CREATE TABLE outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, key text NOT NULL UNIQUE, channel text NOT NULL, due_at text NOT NULL,
        due_at_ms INTEGER NOT NULL, payload text NOT NULL, status text NOT NULL, attempts integer NOT NULL DEFAULT 0,
        next_attempt_at text NOT NULL, next_attempt_ms INTEGER NOT NULL, last_error text, sent_at text, event_seq INTEGER NOT NULL);
      INSERT INTO outbox (key, channel, due_at, due_at_ms, payload, status, attempts, next_attempt_at, next_attempt_ms, event_seq)
        VALUES ('k', 'reminder', '2021-05-21T09:00:00+08:00', 1621558800000, 'null', 'pending', 0, '2021-05-21T09:00:00+08:00', 1621558800000, 0);`);
    db.close();
    const store = new SqliteStore(file);
    const [item] = await store.claimOutbox("2021-05-21T09:00:00+08:00", 1);
    await store.markAttemptFailed(item!.id, "x", "2021-05-21T09:01:00+08:00", false, undefined, { attempt: 1, deliveredVia: ["email"] });
    expect(await store.listOutbox()).toMatchObject([{ key: "k", attempts: 1, deliveredVia: ["email"] }]);
    await store.close();
    const raw = new Database(file);
    expect(raw.prepare("SELECT version FROM schema_version ORDER BY version").all()).toEqual([{ version: 1 }, { version: 2 }]);
    raw.close();
  });
});

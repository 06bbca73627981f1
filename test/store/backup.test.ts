import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openStore } from "../../src/store/open.ts";
import { pgAdmin, pgSchema, pgSpec, pgUnavailable, pgUrl } from "../pg.ts";
import { runDuban, tempDir } from "../delivery/support.ts";

const WRITER = "test/store/fixtures/writer.ts";

/** A writer appending one event per transaction until killed; resolves once it has written `atLeast`. */
function startWriter(spec: string, atLeast: number) {
  const child = spawn(process.execPath, ["--import", "tsx", WRITER, spec, "loop", "w"], { stdio: ["ignore", "pipe", "pipe"] });
  let written = 0;
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const going = new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (d: Buffer) => {
      written += d.toString().split("\n").filter(Boolean).length;
      if (written >= atLeast) resolve();
    });
    child.on("exit", () => reject(new Error(`writer exited: ${stderr}`)));
  });
  const stop = () => new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : (child.once("exit", () => resolve()), child.kill("SIGKILL"))));
  afterAll(stop);
  return { going, stop, written: () => written };
}

async function hashAt(spec: string, seq: number): Promise<string | undefined> {
  const store = await openStore(spec);
  try {
    for await (const e of store.read({ fromSeq: seq })) return e.seq === seq ? e.hash : undefined;
    return undefined;
  } finally {
    await store.close();
  }
}

describe("`duban backup --to FILE` of a SQLite store that is being written", () => {
  const dir = tempDir("backup");
  const db = join(dir, "duban.db");

  it("copies a consistent state while the writer goes on; the copy, restored elsewhere, verifies with the head it printed", { timeout: 90_000 }, async () => {
    // A real campaign first (events and an outbox), then a writer that never pauses.
    const init = runDuban(["--db", db, "--now", "2021-05-21T09:00:00+08:00", "run", "--once", "--plan", "plans/chongqing-2021.yaml"], { DUBAN_EML_DIR: join(dir, "eml") });
    expect((await init.exited).code, init.stderr()).toBe(0);
    const writer = startWriter(db, 200);
    await writer.going;

    const backup = join(dir, "backup.db");
    const run = runDuban(["--db", db, "backup", "--to", backup]);
    expect((await run.exited).code, run.stderr()).toBe(0);
    const before = writer.written();
    await new Promise((r) => setTimeout(r, 200));
    // The writer kept writing through the backup: it was taken from a running store.
    expect(writer.written()).toBeGreaterThan(before);
    await writer.stop();

    const head = /日志头 ([0-9a-f]{64})/.exec(run.stdout())?.[1];
    expect(head, run.stdout()).toBeDefined();
    // Only the backup file: no temporary copy or WAL left beside it.
    expect(readdirSync(dir).filter((f) => f.startsWith("backup") || f.startsWith(".backup"))).toEqual(["backup.db"]);

    // Restored on another machine: the file copied alone into a fresh folder.
    const elsewhere = join(tempDir("restore"), "restored.db");
    copyFileSync(backup, elsewhere);
    const verify = runDuban(["--db", elsewhere, "verify", "--head", head!]);
    expect((await verify.exited).code, verify.stderr()).toBe(0);
    expect(verify.stdout()).toContain(`日志头 ${head}`);

    // The copy is the source as it was at one instant: its head is an event of the source's chain, not a mix.
    const restored = await openStore(elsewhere);
    const source = await openStore(db);
    try {
      const h = await restored.head();
      expect(h.hash).toBe(head);
      expect(await hashAt(db, h.seq)).toBe(head);
      expect((await source.head()).seq).toBeGreaterThan(h.seq);
      // A restore keeps the store's id, so the messages it sends again keep their Message-IDs.
      expect(await restored.storeId()).toBe(await source.storeId());
      expect((await restored.outboxCounts()).pending + (await restored.outboxCounts()).sent).toBeGreaterThan(0);
    } finally {
      await restored.close();
      await source.close();
    }
  });

  it("--as-copy gives the copy an id of its own; a backup onto the store itself, or of PostgreSQL, is refused in one line", { timeout: 60_000 }, async () => {
    const copy = join(dir, "staging.db");
    const run = runDuban(["--db", db, "backup", "--to", copy, "--as-copy"]);
    expect((await run.exited).code, run.stderr()).toBe(0);
    const [a, b] = [await openStore(db), await openStore(copy)];
    try {
      expect(await b.storeId()).not.toBe(await a.storeId());
      expect(run.stdout()).toContain(`存储标识 ${await b.storeId()}`);
      expect((await b.verify()).ok).toBe(true);
    } finally {
      await a.close();
      await b.close();
    }
    const self = runDuban(["--db", db, "backup", "--to", db]);
    expect((await self.exited).code).toBe(1);
    expect(self.stderr()).toMatch(/^duban: 备份文件不能是存储本身/);
    const pg = runDuban(["--db", "postgres://nobody@127.0.0.1:1/x", "backup", "--to", join(dir, "pg.db")]);
    expect((await pg.exited).code).toBe(1);
    expect(pg.stderr()).toMatch(/^duban: PostgreSQL 存储请用 pg_dump 备份/);
    expect(pg.stderr()).not.toContain("    at ");
    expect(existsSync(join(dir, "pg.db"))).toBe(false);
  });
});

describe.skipIf(Boolean(pgUnavailable) || spawnSync("pg_dump", ["--version"]).status !== 0)("PostgreSQL: pg_dump of a running store, restored into another database", () => {
  it("verifies with the head recorded at the dump, as docs/ops/backup.md says", { timeout: 90_000 }, async () => {
    const schema = pgSchema();
    const spec = pgSpec(schema);
    const init = runDuban(["--db", spec, "--now", "2021-05-21T09:00:00+08:00", "run", "--once", "--plan", "plans/chongqing-2021.yaml"], { DUBAN_EML_DIR: join(tempDir("pg-eml"), "eml") });
    expect((await init.exited).code, init.stderr()).toBe(0);
    const writer = startWriter(spec, 100);
    await writer.going;

    // pg_dump reads one snapshot (a repeatable-read transaction), however busy the writer is.
    const target = `duban_restore_${process.pid}_${Date.now().toString(36)}`;
    await pgAdmin((c) => c.query(`CREATE DATABASE ${target}`));
    try {
      const dump = spawnSync("pg_dump", ["--dbname", pgUrl, "--schema", schema, "--format", "custom"], { maxBuffer: 1 << 28 });
      expect(dump.status, dump.stderr.toString()).toBe(0);
      await writer.stop();
      const targetUrl = new URL(pgUrl);
      targetUrl.pathname = `/${target}`;
      const restore = spawnSync("pg_restore", ["--dbname", targetUrl.toString(), "--no-owner"], { input: dump.stdout });
      expect(restore.status, restore.stderr.toString()).toBe(0);
      targetUrl.searchParams.set("schema", schema);
      const restored = targetUrl.toString();

      const store = await openStore(restored);
      const head = await store.head();
      await store.close();
      expect(await hashAt(spec, head.seq)).toBe(head.hash);
      const verify = runDuban(["--db", restored, "verify", "--head", head.hash]);
      expect((await verify.exited).code, verify.stderr()).toBe(0);
      expect(verify.stdout()).toContain(`日志头 ${head.hash}`);
    } finally {
      await pgAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${target} WITH (FORCE)`));
    }
  });
});


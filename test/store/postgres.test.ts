import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { openStore } from "../../src/store/open.ts";
import { describeStoreSuite, type StoreHarness } from "./store-suite.ts";

const url = process.env.DUBAN_TEST_PG ?? "postgres://postgres@127.0.0.1:5432/test";
const required = process.env.DUBAN_REQUIRE_PG === "1";

async function probe(): Promise<string | undefined> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    await c.query("SELECT 1");
    return undefined;
  } catch (err) {
    return (err as Error).message || String(err);
  } finally {
    await c.end().catch(() => {});
  }
}

const unavailable = await probe();
if (unavailable) {
  if (required) throw new Error(`DUBAN_REQUIRE_PG=1 but PostgreSQL at ${url} did not answer: ${unavailable}`);
  console.warn(
    `\n!!! SKIPPING the PostgreSQL store tests: no server at ${url} (${unavailable}).\n` +
      `!!! Set DUBAN_TEST_PG to a reachable server; set DUBAN_REQUIRE_PG=1 to make this a failure.\n`,
  );
}

// One schema prefix per test file run; every test gets its own schema under it, all dropped at the end.
const prefix = `duban_test_${process.pid}_${Date.now().toString(36)}`;
const schemas: string[] = [];
let n = 0;

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

function specFor(schema: string): string {
  const u = new URL(url);
  u.searchParams.set("schema", schema);
  return u.toString();
}

function harness(): StoreHarness {
  const schema = `${prefix}_${++n}`;
  schemas.push(schema);
  const spec = specFor(schema);
  return {
    spec,
    open: () => openStore(spec),
    async exec(sql) {
      await admin((c) => c.query(sql.replace(/\{(\w+)\}/g, `"${schema}".$1`)));
    },
    async failOutboxChannel(channel) {
      await this.exec(`
        CREATE FUNCTION "${schema}".fail_${channel}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'injected failure'; END $$;
        CREATE TRIGGER fail_${channel} BEFORE INSERT ON "${schema}".outbox
          FOR EACH ROW WHEN (NEW.channel = '${channel}') EXECUTE FUNCTION "${schema}".fail_${channel}();`);
    },
    async dispose() {
      await admin((c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
    },
  };
}

afterAll(async () => {
  if (unavailable || schemas.length === 0) return;
  await admin(async (c) => {
    for (const s of schemas) await c.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  });
});

describeStoreSuite("PostgresStore", async () => harness(), { skip: Boolean(unavailable) });

describe.skipIf(Boolean(unavailable))("PostgresStore specifics", () => {
  it("creates its schema and version row, and refuses a newer schema", async () => {
    const h = harness();
    const store = await h.open();
    await store.close();
    const schema = schemas.at(-1)!;
    const rows = await admin(async (c) => (await c.query(`SELECT version FROM "${schema}".schema_version`)).rows);
    expect(rows).toEqual([{ version: 1 }]);
    await h.exec("INSERT INTO {schema_version} (version, applied_at) VALUES (99, 'x')");
    await expect(h.open()).rejects.toMatchObject({ code: "SCHEMA_TOO_NEW" });
  });

  it("keeps schemas apart: two stores in one database have independent chains", async () => {
    const a = await harness().open();
    const b = await harness().open();
    try {
      const e = { at: "2025-03-01T09:00:00+08:00", actor: { kind: "engine" as const }, type: "t", payload: null, planHash: "p" };
      await a.append([e, e]);
      await b.append([e]);
      expect((await a.head()).seq).toBe(2);
      expect((await b.head()).seq).toBe(1);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("fails to open with a clear error when the server is unreachable", async () => {
    await expect(openStore("postgres://postgres@127.0.0.1:1/none?schema=x")).rejects.toThrow();
  });
});

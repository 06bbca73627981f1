import { describe, expect, it } from "vitest";
import { pgAdmin, pgSchema, pgSpec, pgUnavailable } from "../pg.ts";
import { openStore } from "../../src/store/open.ts";
import { describeStoreSuite, type StoreHarness } from "./store-suite.ts";

const unavailable = pgUnavailable;
const schemas: string[] = [];
const admin = pgAdmin;

function harness(): StoreHarness {
  const schema = pgSchema();
  schemas.push(schema);
  const spec = pgSpec(schema);
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

describeStoreSuite("PostgresStore", async () => harness(), { skip: Boolean(unavailable) });

describe.skipIf(Boolean(unavailable))("PostgresStore specifics", () => {
  it("creates its schema and version row, and refuses a newer schema", async () => {
    const h = harness();
    const store = await h.open();
    await store.close();
    const schema = schemas.at(-1)!;
    const rows = await admin(async (c) => (await c.query(`SELECT version FROM "${schema}".schema_version`)).rows);
    expect(rows).toEqual([{ version: 2 }]);
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

  it("grants the daemon lease to one connection at a time, and frees it when the holder goes", async () => {
    const h = harness();
    const a = await h.open();
    const b = await h.open();
    try {
      const lease = await a.tryLease("daemon");
      expect(lease).toBeDefined();
      expect(await b.tryLease("daemon")).toBeUndefined();
      await lease!.release();
      const taken = await b.tryLease("daemon");
      expect(taken).toBeDefined();
      await taken!.release();
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("fails to open with a clear error when the server is unreachable", async () => {
    await expect(openStore("postgres://postgres@127.0.0.1:1/none?schema=x")).rejects.toThrow();
  });
});

import pg from "pg";
import { afterAll } from "vitest";

/**
 * The PostgreSQL server the tests use: DUBAN_TEST_PG, or the one these machines run. Where none answers,
 * the tests that need it are skipped loudly, unless DUBAN_REQUIRE_PG=1 (CI), where that is a failure.
 */
export const pgUrl = process.env.DUBAN_TEST_PG ?? "postgres://postgres@127.0.0.1:5432/test";

async function probe(): Promise<string | undefined> {
  const c = new pg.Client({ connectionString: pgUrl, connectionTimeoutMillis: 3000 });
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

/** Undefined when the server answers, else why not. */
export const pgUnavailable = await probe();
if (pgUnavailable) {
  if (process.env.DUBAN_REQUIRE_PG === "1") throw new Error(`DUBAN_REQUIRE_PG=1 but PostgreSQL at ${pgUrl} did not answer: ${pgUnavailable}`);
  console.warn(`\n!!! SKIPPING the PostgreSQL tests: no server at ${pgUrl} (${pgUnavailable}).\n!!! Set DUBAN_TEST_PG to a reachable server; set DUBAN_REQUIRE_PG=1 to make this a failure.\n`);
}

export async function pgAdmin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: pgUrl });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

const prefix = `duban_test_${process.pid}_${Date.now().toString(36)}`;
const created: string[] = [];
let n = 0;

/** A fresh schema name for one test, dropped when the file's tests end. */
export function pgSchema(): string {
  const s = `${prefix}_${++n}`;
  created.push(s);
  return s;
}

export function pgSpec(schema: string): string {
  const u = new URL(pgUrl);
  u.searchParams.set("schema", schema);
  return u.toString();
}

afterAll(async () => {
  if (pgUnavailable || created.length === 0) return;
  await pgAdmin(async (c) => {
    for (const s of created) await c.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  });
});

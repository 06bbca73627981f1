import { PostgresStore, type PostgresStoreOptions } from "./postgres.ts";
import { SqliteStore, type SqliteStoreOptions } from "./sqlite.ts";
import type { EventStore } from "./store.ts";

export const DEFAULT_STORE = "./duban.db";

/**
 * Opens the store named by a spec: a postgres:// or postgresql:// URL (an optional `schema`
 * query parameter picks the schema, default "duban"), otherwise a SQLite file path.
 * Resolves only once the schema is in place, so connection problems surface here.
 */
export async function openStore(spec: string = DEFAULT_STORE, opts: SqliteStoreOptions & PostgresStoreOptions = {}): Promise<EventStore> {
  if (/^postgres(ql)?:\/\//i.test(spec)) {
    const url = new URL(spec);
    const schema = url.searchParams.get("schema") ?? opts.schema;
    // pg would forward an unknown parameter to the server as a startup option.
    url.searchParams.delete("schema");
    const store = new PostgresStore(url.toString(), { ...opts, ...(schema ? { schema } : {}) });
    try {
      await store.whenReady();
    } catch (err) {
      await store.close();
      throw err;
    }
    return store;
  }
  return new SqliteStore(spec.replace(/^sqlite:/i, ""), opts);
}

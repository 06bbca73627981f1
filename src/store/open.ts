import type { PostgresStoreOptions } from "./postgres.ts";
import type { SqliteStoreOptions } from "./sqlite.ts";
import type { EventStore } from "./store.ts";
import { StoreError } from "./errors.ts";

export const DEFAULT_STORE = "./duban.db";

/**
 * Opens the store named by a spec: a postgres:// or postgresql:// URL (an optional `schema`
 * query parameter picks the schema, default "duban"), otherwise a SQLite file path.
 * Resolves only once the schema is in place, so connection problems surface here. Each driver is loaded
 * only when a store of its kind is opened: a SQLite user never loads pg, and `duban --help` neither.
 */
export async function openStore(spec: string = DEFAULT_STORE, opts: SqliteStoreOptions & PostgresStoreOptions = {}): Promise<EventStore> {
  if (/^postgres(ql)?:\/\//i.test(spec)) {
    const url = new URL(spec);
    const schema = url.searchParams.get("schema") ?? opts.schema;
    // pg would forward an unknown parameter to the server as a startup option.
    url.searchParams.delete("schema");
    const { PostgresStore } = await import("./postgres.ts");
    const store = new PostgresStore(url.toString(), { ...opts, ...(schema ? { schema } : {}) });
    try {
      await store.whenReady();
    } catch (err) {
      await store.close();
      throw err;
    }
    return store;
  }
  const path = spec.replace(/^sqlite:/i, "");
  const { SqliteStore } = await import("./sqlite.ts");
  try {
    return new SqliteStore(path, opts);
  } catch (err) {
    // better-sqlite3 throws a plain TypeError for a missing folder: say which file and why, once.
    if (err instanceof StoreError) throw err;
    throw new StoreError("INVALID_ARGUMENT", `无法打开 SQLite 存储 ${path}：${(err as Error).message}`);
  }
}

import type { AttachmentStore } from "../attachments/types.ts";
import type { EventStore } from "../store/store.ts";
import type { AccessStore } from "./store.ts";

export interface Sidecar {
  access: AccessStore;
  attachments: AttachmentStore;
  close(): void;
}

/**
 * The web's own tables, in the same database as the campaign's log (same SQLite file, same PostgreSQL schema).
 * The drivers load with the store that was opened (see openStore): only that kind's tables are loaded here.
 */
export async function openSidecar(store: EventStore): Promise<Sidecar> {
  const { SqliteStore } = await import("../store/sqlite.ts");
  if (store instanceof SqliteStore) {
    const [{ SqliteAccessStore }, { SqliteAttachmentStore }] = await Promise.all([import("./sqlite.ts"), import("../attachments/sqlite.ts")]);
    const access = new SqliteAccessStore(store.path);
    const attachments = new SqliteAttachmentStore(store.path);
    return { access, attachments, close: () => (access.close(), attachments.close()) };
  }
  const { PostgresStore } = await import("../store/postgres.ts");
  if (store instanceof PostgresStore) {
    const [{ PostgresAccessStore }, { PostgresAttachmentStore }] = await Promise.all([import("./postgres.ts"), import("../attachments/postgres.ts")]);
    const { pool, table } = store.sidecar();
    return { access: await PostgresAccessStore.open(pool, table), attachments: await PostgresAttachmentStore.open(pool, table), close: () => {} };
  }
  throw new Error("unsupported event store for users and attachments");
}

import { PostgresAttachmentStore } from "../attachments/postgres.ts";
import { SqliteAttachmentStore } from "../attachments/sqlite.ts";
import type { AttachmentStore } from "../attachments/types.ts";
import { PostgresStore } from "../store/postgres.ts";
import { SqliteStore } from "../store/sqlite.ts";
import type { EventStore } from "../store/store.ts";
import { PostgresAccessStore } from "./postgres.ts";
import { SqliteAccessStore } from "./sqlite.ts";
import type { AccessStore } from "./store.ts";

export interface Sidecar {
  access: AccessStore;
  attachments: AttachmentStore;
  close(): void;
}

/** The web's own tables, in the same database as the campaign's log (same SQLite file, same PostgreSQL schema). */
export async function openSidecar(store: EventStore): Promise<Sidecar> {
  if (store instanceof SqliteStore) {
    const access = new SqliteAccessStore(store.path);
    const attachments = new SqliteAttachmentStore(store.path);
    return { access, attachments, close: () => (access.close(), attachments.close()) };
  }
  if (store instanceof PostgresStore) {
    const { pool, table } = store.sidecar();
    return { access: await PostgresAccessStore.open(pool, table), attachments: await PostgresAttachmentStore.open(pool, table), close: () => {} };
  }
  throw new Error("unsupported event store for users and attachments");
}

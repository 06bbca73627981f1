export type { EventStore } from "./store.ts";
export type * from "./types.ts";
export { StoreError, type StoreErrorCode } from "./errors.ts";
export { GENESIS_HASH, canonicalJson, eventHash } from "./hash.ts";
export { SqliteStore, type SqliteStoreOptions } from "./sqlite.ts";
export { PostgresStore, type PostgresStoreOptions } from "./postgres.ts";
export { openStore, DEFAULT_STORE } from "./open.ts";

/** A stored file, addressed by the SHA-256 of its bytes (the hash the `submitted` event records). */
export interface StoredAttachment {
  sha256: string;
  name: string;
  mime: string;
  size: number;
  bytes: Buffer;
}

/** Files handed in through the web, in the campaign's database beside the log. */
export interface AttachmentStore {
  /** Stores the bytes under their hash; true when they were new (a refused action deletes only what it added). */
  put(a: StoredAttachment, at: string): Promise<boolean>;
  get(sha256: string): Promise<StoredAttachment | undefined>;
  delete(sha256: string): Promise<void>;
  count(): Promise<number>;
}

export function attachmentDdl(dialect: "sqlite" | "postgres", q: (t: string) => string): string {
  return `CREATE TABLE IF NOT EXISTS ${q("attachments")} (
    sha256 text PRIMARY KEY,
    name text NOT NULL,
    mime text NOT NULL,
    size ${dialect === "postgres" ? "bigint" : "INTEGER"} NOT NULL,
    bytes ${dialect === "postgres" ? "bytea" : "BLOB"} NOT NULL,
    stored_at text NOT NULL
  )`;
}

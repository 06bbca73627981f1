import Database from "better-sqlite3";
import { attachmentDdl, type AttachmentStore, type StoredAttachment } from "./types.ts";

export class SqliteAttachmentStore implements AttachmentStore {
  private readonly db: Database.Database;

  constructor(path: string) {
    this.db = new Database(path, { timeout: 10_000 });
    this.db.pragma("journal_mode = WAL");
    this.db.exec(attachmentDdl("sqlite", (t) => t));
  }

  async put(a: StoredAttachment, at: string): Promise<boolean> {
    const r = this.db
      .prepare("INSERT INTO attachments (sha256, name, mime, size, bytes, stored_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING")
      .run(a.sha256, a.name, a.mime, a.size, a.bytes, at);
    return r.changes > 0;
  }

  async get(sha256: string): Promise<StoredAttachment | undefined> {
    const r = this.db.prepare<[string], StoredAttachment>("SELECT sha256, name, mime, size, bytes FROM attachments WHERE sha256 = ?").get(sha256);
    return r && { ...r, size: Number(r.size) };
  }

  async delete(sha256: string): Promise<void> {
    this.db.prepare("DELETE FROM attachments WHERE sha256 = ?").run(sha256);
  }

  async count(): Promise<number> {
    return this.db.prepare<[], { n: number }>("SELECT count(*) AS n FROM attachments").get()!.n;
  }

  close(): void {
    this.db.close();
  }
}

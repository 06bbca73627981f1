import type pg from "pg";
import { attachmentDdl, type AttachmentStore, type StoredAttachment } from "./types.ts";

export class PostgresAttachmentStore implements AttachmentStore {
  private constructor(
    private readonly pool: pg.Pool,
    private readonly t: (table: string) => string,
  ) {}

  static async open(pool: pg.Pool, table: (name: string) => string): Promise<PostgresAttachmentStore> {
    await pool.query(attachmentDdl("postgres", table));
    return new PostgresAttachmentStore(pool, table);
  }

  async put(a: StoredAttachment, at: string): Promise<boolean> {
    const r = await this.pool.query(
      `INSERT INTO ${this.t("attachments")} (sha256, name, mime, size, bytes, stored_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (sha256) DO NOTHING`,
      [a.sha256, a.name, a.mime, a.size, a.bytes, at],
    );
    return (r.rowCount ?? 0) > 0;
  }

  async get(sha256: string): Promise<StoredAttachment | undefined> {
    const r = (await this.pool.query<StoredAttachment>(`SELECT sha256, name, mime, size, bytes FROM ${this.t("attachments")} WHERE sha256 = $1`, [sha256])).rows[0];
    return r && { ...r, size: Number(r.size) };
  }

  async delete(sha256: string): Promise<void> {
    await this.pool.query(`DELETE FROM ${this.t("attachments")} WHERE sha256 = $1`, [sha256]);
  }

  async count(): Promise<number> {
    return Number((await this.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${this.t("attachments")}`)).rows[0]!.n);
  }
}

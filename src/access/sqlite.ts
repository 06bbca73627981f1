import Database from "better-sqlite3";
import { AccessError } from "./types.ts";
import type { Session, User } from "./types.ts";
import { accessDdl, rowToUser, type AccessStore, type UserRow } from "./store.ts";

/** A second connection to the campaign's SQLite file (WAL mode lets it sit beside the store's own). */
export class SqliteAccessStore implements AccessStore {
  private readonly db: Database.Database;

  constructor(path: string) {
    this.db = new Database(path, { timeout: 10_000 });
    this.db.pragma("journal_mode = WAL");
    this.db.transaction(() => {
      for (const ddl of accessDdl("sqlite", (t) => t)) this.db.exec(ddl);
    }).immediate();
  }

  async addUser(user: User, tokenHash: string): Promise<void> {
    try {
      this.db.prepare("INSERT INTO users (name, unit, role, token_hash, created_at) VALUES (?, ?, ?, ?, ?)").run(user.name, user.unit, user.role, tokenHash, user.createdAt);
    } catch (err) {
      if ((err as { code?: string }).code?.startsWith("SQLITE_CONSTRAINT")) throw new AccessError("USER_EXISTS", `用户“${user.name}”已存在`);
      throw err;
    }
  }

  async listUsers(): Promise<User[]> {
    return this.db.prepare<[], UserRow>("SELECT * FROM users ORDER BY name").all().map(rowToUser);
  }

  async getUser(name: string): Promise<User | undefined> {
    const r = this.db.prepare<[string], UserRow>("SELECT * FROM users WHERE name = ?").get(name);
    return r && rowToUser(r);
  }

  async userByTokenHash(tokenHash: string): Promise<User | undefined> {
    const r = this.db.prepare<[string], UserRow>("SELECT * FROM users WHERE token_hash = ? AND revoked_at IS NULL").get(tokenHash);
    return r && rowToUser(r);
  }

  async revokeUser(name: string, at: string): Promise<void> {
    this.db.transaction(() => {
      const r = this.db.prepare<[string], UserRow>("SELECT * FROM users WHERE name = ?").get(name);
      if (!r) throw new AccessError("NO_SUCH_USER", `没有用户“${name}”`);
      if (r.revoked_at) throw new AccessError("ALREADY_REVOKED", `用户“${name}”已于 ${r.revoked_at} 停用`);
      this.db.prepare("UPDATE users SET revoked_at = ? WHERE name = ?").run(at, name);
      this.db.prepare("DELETE FROM sessions WHERE user_name = ?").run(name);
    }).immediate();
  }

  async createSession(idHash: string, s: Session): Promise<void> {
    this.db.prepare("INSERT INTO sessions (id_hash, user_name, csrf, expires_at) VALUES (?, ?, ?, ?)").run(idHash, s.user, s.csrf, s.expiresAt);
  }

  async getSession(idHash: string): Promise<Session | undefined> {
    const r = this.db.prepare<[string], { user_name: string; csrf: string; expires_at: number }>("SELECT * FROM sessions WHERE id_hash = ?").get(idHash);
    return r && { user: r.user_name, csrf: r.csrf, expiresAt: Number(r.expires_at) };
  }

  async deleteSession(idHash: string): Promise<void> {
    this.db.prepare("DELETE FROM sessions WHERE id_hash = ?").run(idHash);
  }

  async purgeSessions(now: number): Promise<void> {
    this.db.prepare("DELETE FROM sessions WHERE expires_at < ?").run(now);
  }

  async secret(name: string, fresh: string): Promise<string> {
    this.db.prepare("INSERT INTO server_secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING").run(name, fresh);
    return this.db.prepare<[string], { value: string }>("SELECT value FROM server_secrets WHERE name = ?").get(name)!.value;
  }

  /** For tests and drills: end a session early without waiting for its expiry. */
  async expireSessionsOf(name: string): Promise<void> {
    this.db.prepare("UPDATE sessions SET expires_at = 0 WHERE user_name = ?").run(name);
  }

  close(): void {
    this.db.close();
  }
}

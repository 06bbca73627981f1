import type pg from "pg";
import { AccessError } from "./types.ts";
import type { Session, User } from "./types.ts";
import { accessDdl, rowToUser, type AccessStore, type UserRow } from "./store.ts";

async function inTransaction(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<void>): Promise<void> {
  const c = await pool.connect();
  try {
    await c.query("BEGIN");
    await fn(c);
    await c.query("COMMIT");
  } catch (err) {
    await c.query("ROLLBACK").catch(() => {});
    throw err;
  } finally {
    c.release();
  }
}

/** Uses the event store's pool and schema: one database, one set of credentials. */
export class PostgresAccessStore implements AccessStore {
  private constructor(
    private readonly pool: pg.Pool,
    private readonly t: (table: string) => string,
  ) {}

  static async open(pool: pg.Pool, table: (name: string) => string): Promise<PostgresAccessStore> {
    const s = new PostgresAccessStore(pool, table);
    await inTransaction(pool, async (c) => {
      for (const ddl of accessDdl("postgres", table)) await c.query(ddl);
    });
    return s;
  }

  async addUser(user: User, tokenHash: string): Promise<void> {
    try {
      await this.pool.query(`INSERT INTO ${this.t("users")} (name, unit, role, token_hash, created_at) VALUES ($1, $2, $3, $4, $5)`, [user.name, user.unit, user.role, tokenHash, user.createdAt]);
    } catch (err) {
      if ((err as { code?: string }).code === "23505") throw new AccessError("USER_EXISTS", `用户“${user.name}”已存在`);
      throw err;
    }
  }

  async listUsers(): Promise<User[]> {
    return (await this.pool.query<UserRow>(`SELECT * FROM ${this.t("users")} ORDER BY name`)).rows.map(rowToUser);
  }

  async getUser(name: string): Promise<User | undefined> {
    const r = (await this.pool.query<UserRow>(`SELECT * FROM ${this.t("users")} WHERE name = $1`, [name])).rows[0];
    return r && rowToUser(r);
  }

  async userByTokenHash(tokenHash: string): Promise<User | undefined> {
    const r = (await this.pool.query<UserRow>(`SELECT * FROM ${this.t("users")} WHERE token_hash = $1 AND revoked_at IS NULL`, [tokenHash])).rows[0];
    return r && rowToUser(r);
  }

  async revokeUser(name: string, at: string): Promise<void> {
    await inTransaction(this.pool, async (c) => {
      const r = (await c.query<UserRow>(`SELECT * FROM ${this.t("users")} WHERE name = $1 FOR UPDATE`, [name])).rows[0];
      if (!r) throw new AccessError("NO_SUCH_USER", `没有用户“${name}”`);
      if (r.revoked_at) throw new AccessError("ALREADY_REVOKED", `用户“${name}”已于 ${r.revoked_at} 停用`);
      await c.query(`UPDATE ${this.t("users")} SET revoked_at = $1 WHERE name = $2`, [at, name]);
      await c.query(`DELETE FROM ${this.t("sessions")} WHERE user_name = $1`, [name]);
    });
  }

  async createSession(idHash: string, s: Session): Promise<void> {
    await this.pool.query(`INSERT INTO ${this.t("sessions")} (id_hash, user_name, csrf, expires_at) VALUES ($1, $2, $3, $4)`, [idHash, s.user, s.csrf, s.expiresAt]);
  }

  async getSession(idHash: string): Promise<Session | undefined> {
    const r = (await this.pool.query<{ user_name: string; csrf: string; expires_at: string }>(`SELECT * FROM ${this.t("sessions")} WHERE id_hash = $1`, [idHash])).rows[0];
    return r && { user: r.user_name, csrf: r.csrf, expiresAt: Number(r.expires_at) };
  }

  async deleteSession(idHash: string): Promise<void> {
    await this.pool.query(`DELETE FROM ${this.t("sessions")} WHERE id_hash = $1`, [idHash]);
  }

  async purgeSessions(now: number): Promise<void> {
    await this.pool.query(`DELETE FROM ${this.t("sessions")} WHERE expires_at < $1`, [now]);
  }

  async secret(name: string, fresh: string): Promise<string> {
    await this.pool.query(`INSERT INTO ${this.t("server_secrets")} (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, [name, fresh]);
    return (await this.pool.query<{ value: string }>(`SELECT value FROM ${this.t("server_secrets")} WHERE name = $1`, [name])).rows[0]!.value;
  }
}

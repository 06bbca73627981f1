import type { Session, User } from "./types.ts";

/**
 * Users and sessions, kept in the campaign's database next to the event log (their own tables, not
 * part of the hash chain: a session is not a campaign fact; sign-ins and revocations are logged as events).
 */
export interface AccessStore {
  /** Fails with USER_EXISTS when the name is taken (a revoked name stays taken, so the log stays unambiguous). */
  addUser(user: User, tokenHash: string): Promise<void>;
  listUsers(): Promise<User[]>;
  getUser(name: string): Promise<User | undefined>;
  /** The active user holding this token, if any. */
  userByTokenHash(tokenHash: string): Promise<User | undefined>;
  /** Marks the user revoked and ends every session of theirs. */
  revokeUser(name: string, at: string): Promise<void>;
  createSession(idHash: string, session: Session): Promise<void>;
  getSession(idHash: string): Promise<Session | undefined>;
  deleteSession(idHash: string): Promise<void>;
  /** Drops sessions that ended before `now` (epoch ms). */
  purgeSessions(now: number): Promise<void>;
  /**
   * A server secret by name: `fresh` is stored if there is none yet, and whichever was stored first is
   * returned, so every server on one database (and every restart) signs with the same key.
   */
  secret(name: string, fresh: string): Promise<string>;
}

export type AccessDialect = "sqlite" | "postgres";

export function accessDdl(dialect: AccessDialect, q: (table: string) => string): string[] {
  const int8 = dialect === "postgres" ? "bigint" : "INTEGER";
  return [
    `CREATE TABLE IF NOT EXISTS ${q("users")} (
      name text PRIMARY KEY,
      unit text NOT NULL,
      role text NOT NULL CHECK (role IN ('unit', 'office', 'auditor')),
      token_hash text NOT NULL UNIQUE,
      created_at text NOT NULL,
      revoked_at text
    )`,
    `CREATE TABLE IF NOT EXISTS ${q("sessions")} (
      id_hash text PRIMARY KEY,
      user_name text NOT NULL REFERENCES ${q("users")} (name),
      csrf text NOT NULL,
      expires_at ${int8} NOT NULL
    )`,
    `CREATE TABLE IF NOT EXISTS ${q("server_secrets")} (
      name text PRIMARY KEY,
      value text NOT NULL
    )`,
  ];
}

export interface UserRow {
  name: string;
  unit: string;
  role: string;
  created_at: string;
  revoked_at: string | null;
}

export function rowToUser(r: UserRow): User {
  return { name: r.name, unit: r.unit, role: r.role as User["role"], createdAt: r.created_at, ...(r.revoked_at ? { revokedAt: r.revoked_at } : {}) };
}

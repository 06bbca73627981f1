import pg from "pg";
import { ChainVerifier, appendedEvent, chainEvents, checkExpected, headOf, rowToEvent, rowToOutbox, type EventRow, type OutboxRow } from "./chain.ts";
import { StoreError } from "./errors.ts";
import { canonicalJson } from "./hash.ts";
import { DEFAULT_BATCH, eventsPage, newestSnapshotKeySql, outboxList, pageFilter } from "./query.ts";
import { campaignDdl, newStoreId, OUTBOX_COLUMNS_V2, SCHEMA_VERSION, schemaDdl } from "./schema.ts";
import { allocate, checkCampaignId, checkPrefix, listed, recordOf, type RegistryRow } from "./registry.ts";
import { checkRetry, checkSettle, closesDigest, groupDigestRows, settleProgress } from "./settle.ts";
import type { DaemonPresence, EventStore, Lease } from "./store.ts";
import type {
  AppendOptions,
  CampaignRecord,
  ChainHead,
  ClaimOptions,
  DigestClaim,
  DigestGroup,
  DigestSettle,
  HeldClaim,
  MemberRef,
  NewEvent,
  NewOutboxItem,
  OutboxCounts,
  OutboxFilter,
  OutboxItem,
  ReadOptions,
  SentSettle,
  SettleOptions,
  SettleOutcome,
  Snapshot,
  StoredEvent,
  VerifyOptions,
  VerifyResult,
} from "./types.ts";
import { instantMs, positiveInt, prepareEvent, prepareOutboxItem, type PreparedEvent, type PreparedOutboxItem } from "./validate.ts";

export interface PostgresStoreOptions {
  /** Schema holding the tables; created if missing. Several campaigns can share a database. */
  schema?: string;
  /** Pool size. */
  max?: number;
}

const DEFAULT_LEASE_MS = 60_000;
// First key of the two-key advisory lock, so Duban's locks cannot collide with another application's.
const LOCK_NAMESPACE = 0x0d0ba2;
// Rows per multi-VALUES insert; 10 columns each keeps far below PostgreSQL's 65535 parameters.
const INSERT_CHUNK = 500;

const ph = (i: number) => `$${i}`;

// int8 columns arrive as strings; every Duban counter fits a double long before it matters.
const eventRow = (r: EventRow): EventRow => ({ ...r, seq: Number(r.seq), at_ms: Number(r.at_ms) });
const outboxRow = (r: OutboxRow): OutboxRow => ({ ...r, id: Number(r.id), attempts: Number(r.attempts), event_seq: Number(r.event_seq) });

/** A campaign's store shares its root's pool: one set of connections, however many campaigns the schema holds. */
interface Shared {
  root: PostgresStore;
  prefix: string;
}

export class PostgresStore implements EventStore {
  private readonly pool: pg.Pool;
  private readonly schema: string;
  private readonly ready: Promise<void>;
  private closed = false;
  private readonly prefix: string;
  private readonly root: PostgresStore | undefined;
  private readonly scoped = new Map<string, PostgresStore>();

  constructor(
    private readonly url: string,
    opts: PostgresStoreOptions = {},
    shared?: Shared,
  ) {
    this.prefix = shared?.prefix ?? "";
    this.root = shared?.root;
    if (shared) {
      this.schema = shared.root.schema;
      this.pool = shared.root.pool;
      this.ready = shared.root.ready.then(() =>
        this.withTx(async (c) => {
          for (const ddl of campaignDdl("postgres", (t) => this.t(t), this.prefix)) await c.query(ddl);
        }),
      );
      this.ready.catch(() => {});
      return;
    }
    this.schema = opts.schema ?? "duban";
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(this.schema)) {
      throw new StoreError("INVALID_ARGUMENT", `schema name must be a plain SQL identifier, got ${JSON.stringify(this.schema)}`);
    }
    // An acknowledged append must survive a server crash, whatever the server's default says.
    this.pool = new pg.Pool({ connectionString: url, max: opts.max ?? 10, options: "-c synchronous_commit=on" });
    // An idle client losing its connection must not crash the process; the next query reports it.
    this.pool.on("error", () => {});
    this.ready = this.migrate();
    // Reported by whichever call awaits it first; without this an unused store would crash on rejection.
    this.ready.catch(() => {});
  }

  /** Resolves once the schema exists; rejects if the server is unreachable or the schema is too new. */
  whenReady(): Promise<void> {
    return this.ready;
  }

  /**
   * The pool and table naming, for modules that keep their own tables beside the log in the same schema
   * (web users, sessions, attachments). Not part of EventStore: only those modules need it.
   */
  sidecar(): { pool: pg.Pool; table: (name: string) => string } {
    return { pool: this.pool, table: (name) => this.t(name) };
  }

  private t(table: string): string {
    return `"${this.schema}".${table}`;
  }

  /** A table of this campaign's own. */
  private ct(table: string): string {
    return this.t(this.prefix + table);
  }

  private get base(): PostgresStore {
    return this.root ?? this;
  }

  campaignLog(prefix: string): EventStore {
    const base = this.base;
    if (prefix === "") return base;
    checkPrefix(prefix);
    let s = base.scoped.get(prefix);
    if (!s) base.scoped.set(prefix, (s = new PostgresStore(base.url, {}, { root: base, prefix })));
    return s;
  }

  private async registryRows(c: pg.Pool | pg.PoolClient): Promise<CampaignRecord[]> {
    const { rows } = await c.query<RegistryRow>(`SELECT id, prefix, parent, created_at FROM ${this.t("campaigns")} ORDER BY created_at, prefix`);
    return rows.map(recordOf);
  }

  private async firstEvent(c: pg.Pool | pg.PoolClient): Promise<StoredEvent | undefined> {
    const { rows } = await c.query<EventRow>(`SELECT * FROM ${this.t("events")} WHERE seq = 1`);
    return rows[0] && rowToEvent(eventRow(rows[0]));
  }

  async campaigns(): Promise<CampaignRecord[]> {
    const pool = await this.client();
    return listed(await this.registryRows(pool), await this.firstEvent(pool));
  }

  async addCampaign(id: string, opts: { parent?: string } = {}): Promise<CampaignRecord> {
    checkCampaignId(id);
    await this.client();
    // Under the root's write lock: two inits at once must not take one prefix or one id.
    return this.base.withTx(async (c) => {
      const plan = allocate(await this.registryRows(c), await this.firstEvent(c), id, opts.parent, new Date().toISOString());
      for (const r of plan.insert) await c.query(`INSERT INTO ${this.t("campaigns")} (id, prefix, parent, created_at) VALUES ($1, $2, $3, $4)`, [r.id, r.prefix, r.parent ?? null, r.createdAt]);
      for (const ddl of campaignDdl("postgres", (t) => this.t(t), plan.record.prefix)) await c.query(ddl);
      return plan.record;
    });
  }

  async dropEmptyCampaign(id: string): Promise<void> {
    await this.client();
    await this.base.withTx(async (c) => {
      const row = (await this.registryRows(c)).find((r) => r.id === id);
      if (!row) return;
      const { rows } = await c.query(`SELECT 1 FROM ${this.t(row.prefix + "events")} LIMIT 1`);
      if (rows.length === 0) await c.query(`DELETE FROM ${this.t("campaigns")} WHERE id = $1`, [id]);
    });
  }

  private async migrate(): Promise<void> {
    await this.withTx(async (c) => {
      await c.query(`CREATE SCHEMA IF NOT EXISTS "${this.schema}"`);
      for (const ddl of schemaDdl("postgres", (t) => this.t(t))) await c.query(ddl);
      // A store written by version 1 has the outbox without the later columns.
      for (const [column, type] of OUTBOX_COLUMNS_V2) await c.query(`ALTER TABLE ${this.ct("outbox")} ADD COLUMN IF NOT EXISTS ${column} ${type}`);
      const { rows } = await c.query<{ v: number | null }>(`SELECT max(version) AS v FROM ${this.t("schema_version")}`);
      const version = rows[0]?.v ?? 0;
      if (version > SCHEMA_VERSION) {
        throw new StoreError("SCHEMA_TOO_NEW", `schema ${this.schema} has version ${version}; this build understands up to ${SCHEMA_VERSION}`);
      }
      if (version < SCHEMA_VERSION) {
        await c.query(`INSERT INTO ${this.t("schema_version")} (version, applied_at) VALUES ($1, $2)`, [SCHEMA_VERSION, new Date().toISOString()]);
      }
      await c.query(`INSERT INTO ${this.t("store_meta")} (key, value) VALUES ('store_id', $1) ON CONFLICT (key) DO NOTHING`, [newStoreId()]);
    });
  }

  private async client(): Promise<pg.Pool> {
    if (this.closed || this.root?.closed) throw new StoreError("CLOSED", "the store is closed");
    await this.ready;
    return this.pool;
  }

  /**
   * Runs fn in a transaction holding the store's write lock. One transaction-scoped advisory lock
   * per schema serialises every writer on every connection and process, so reading the head and
   * inserting after it cannot interleave; it is released by COMMIT/ROLLBACK even if the client dies.
   */
  private async withTx<T>(fn: (c: pg.PoolClient) => Promise<T>, locks: readonly string[] = [this.lockKey()]): Promise<T> {
    if (this.closed || this.root?.closed) throw new StoreError("CLOSED", "the store is closed");
    const c = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await c.query("BEGIN");
      // Always in one order, so two transactions over several campaigns' chains cannot deadlock.
      for (const key of [...new Set(locks)].sort()) await c.query("SELECT pg_advisory_xact_lock($1, hashtext($2))", [LOCK_NAMESPACE, key]);
      const result = await fn(c);
      await c.query("COMMIT");
      return result;
    } catch (err) {
      await c.query("ROLLBACK").catch((e: Error) => (broken = e));
      throw err;
    } finally {
      c.release(broken);
    }
  }

  /**
   * The write lock of this campaign's chain. Each campaign has a chain of its own, so its own lock: writers of
   * two campaigns never wait on each other. The first campaign keeps the schema's name as its key, as the
   * releases before the registry did.
   */
  private lockKey(): string {
    return this.prefix === "" ? this.schema : `${this.schema}:${this.prefix}`;
  }

  private async tx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    await this.client();
    return this.withTx(fn);
  }

  private async headIn(c: pg.Pool | pg.PoolClient): Promise<ChainHead> {
    const { rows } = await c.query<{ seq: string; hash: string; at: string }>(`SELECT seq, hash, at FROM ${this.ct("events")} ORDER BY seq DESC LIMIT 1`);
    const r = rows[0];
    return headOf(r && { seq: Number(r.seq), hash: r.hash, at: r.at });
  }

  private async appendIn(c: pg.PoolClient, events: PreparedEvent[], outbox: PreparedOutboxItem[], expectedSeq?: number): Promise<EventRow[]> {
    const head = await this.headIn(c);
    checkExpected(head, expectedSeq);
    const rows = chainEvents(head, events);
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      const chunk = rows.slice(i, i + INSERT_CHUNK);
      const params: unknown[] = [];
      const values = chunk.map((r) => {
        const base = params.length;
        params.push(r.seq, r.at, r.at_ms, r.actor, r.type, r.payload, r.plan_hash, r.assignment, r.prev_hash, r.hash);
        return `($${base + 1},$${base + 2},$${base + 3},$${base + 4},$${base + 5},$${base + 6},$${base + 7},$${base + 8},$${base + 9},$${base + 10})`;
      });
      await c.query(
        `INSERT INTO ${this.ct("events")} (seq, at, at_ms, actor, type, payload, plan_hash, assignment, prev_hash, hash) VALUES ${values.join(",")}`,
        params,
      );
    }
    const eventSeq = rows.at(-1)?.seq ?? head.seq;
    // One multi-row INSERT per chunk, not one round trip per row: a catch-up queues thousands of reminders.
    // Rows keep their order (ids rise as before), and ON CONFLICT DO NOTHING skips a key already queued,
    // whether by an earlier append or by an earlier row of the same statement.
    for (let i = 0; i < outbox.length; i += INSERT_CHUNK) {
      const chunk = outbox.slice(i, i + INSERT_CHUNK);
      const params: unknown[] = [];
      const values = chunk.map((o) => {
        const b = params.length;
        params.push(o.key, o.channel, o.dueAt, o.dueAtMs, o.payloadJson, o.afterEvents === undefined ? eventSeq : head.seq + o.afterEvents);
        return `($${b + 1},$${b + 2},$${b + 3},$${b + 4},$${b + 5},'pending',0,$${b + 3},$${b + 4},$${b + 6})`;
      });
      await c.query(
        `INSERT INTO ${this.ct("outbox")} (key, channel, due_at, due_at_ms, payload, status, attempts, next_attempt_at, next_attempt_ms, event_seq)
         VALUES ${values.join(",")} ON CONFLICT (key) DO NOTHING`,
        params,
      );
    }
    return rows;
  }

  async append(events: NewEvent[], outbox: NewOutboxItem[] = [], opts: AppendOptions = {}): Promise<StoredEvent[]> {
    const pe = events.map(prepareEvent);
    const po = outbox.map((o, i) => prepareOutboxItem(o, i, events.length));
    const rows = await this.tx((c) => this.appendIn(c, pe, po, opts.expectedSeq));
    return rows.map((r, i) => appendedEvent(r, pe[i]!));
  }

  async head(): Promise<ChainHead> {
    return this.headIn(await this.client());
  }

  async schemaVersion(): Promise<number> {
    const { rows } = await (await this.client()).query<{ v: number | null }>(`SELECT max(version) AS v FROM ${this.t("schema_version")}`);
    return rows[0]?.v ?? 0;
  }

  async lastSeqAt(at: string): Promise<number> {
    const ms = instantMs(at, "at");
    const c = await this.client();
    const { rows } = await c.query<{ seq: string }>(`SELECT seq FROM ${this.ct("events")} WHERE at_ms > $1 ORDER BY at_ms, seq LIMIT 1`, [ms]);
    return rows[0] ? Number(rows[0].seq) - 1 : (await this.headIn(c)).seq;
  }

  async *read(opts: ReadOptions = {}): AsyncIterable<StoredEvent> {
    const f = pageFilter(opts);
    let after = f.fromSeq - 1;
    for (;;) {
      const { sql, params } = eventsPage(this.ct("events"), after, f, ph);
      const { rows } = await (await this.client()).query<EventRow>(sql, params);
      for (const r of rows) yield rowToEvent(eventRow(r));
      const last = rows.at(-1);
      if (!last || rows.length < f.batchSize) return;
      after = Number(last.seq);
    }
  }

  async verify(opts: VerifyOptions = {}): Promise<VerifyResult> {
    const batchSize = positiveInt(opts.batchSize, "batchSize", DEFAULT_BATCH);
    const verifier = new ChainVerifier(opts);
    const pool = await this.client();
    let after = 0;
    let checked = 0;
    for (;;) {
      const { rows } = await pool.query<EventRow>(`SELECT * FROM ${this.ct("events")} WHERE seq > $1 ORDER BY seq LIMIT $2`, [after, batchSize]);
      for (const raw of rows) {
        const failure = verifier.feed(eventRow(raw));
        if (failure) return failure;
      }
      const last = rows.at(-1);
      checked += rows.length;
      if (!last || rows.length < batchSize) return verifier.finish();
      after = Number(last.seq);
      await opts.progress?.(checked);
    }
  }

  async putPlan(hash: string, text: string, meta?: object): Promise<void> {
    if (typeof hash !== "string" || hash.length === 0) throw new StoreError("INVALID_ARGUMENT", "plan hash must be a non-empty string");
    if (typeof text !== "string") throw new StoreError("INVALID_ARGUMENT", "plan text must be a string");
    const metaJson = meta === undefined ? null : canonicalJson(meta);
    await this.tx(async (c) => {
      const { rows } = await c.query<{ text: string; put_order: string }>(`SELECT text, put_order FROM ${this.ct("plans")} WHERE hash = $1`, [hash]);
      const max = Number((await c.query<{ m: string }>(`SELECT coalesce(max(put_order), 0) AS m FROM ${this.ct("plans")}`)).rows[0]?.m ?? 0);
      const existing = rows[0];
      if (!existing) {
        await c.query(`INSERT INTO ${this.ct("plans")} (hash, text, meta, put_order, stored_at) VALUES ($1, $2, $3, $4, $5)`, [
          hash,
          text,
          metaJson,
          max + 1,
          new Date().toISOString(),
        ]);
        return;
      }
      if (existing.text !== text) throw new StoreError("PLAN_CONFLICT", `plan ${hash} is already stored with a different text`);
      // Re-putting an older plan (a rollback) makes it the latest again.
      if (Number(existing.put_order) !== max) await c.query(`UPDATE ${this.ct("plans")} SET put_order = $1 WHERE hash = $2`, [max + 1, hash]);
    });
  }

  async getPlan(hash: string): Promise<string | undefined> {
    const { rows } = await (await this.client()).query<{ text: string }>(`SELECT text FROM ${this.ct("plans")} WHERE hash = $1`, [hash]);
    return rows[0]?.text;
  }

  async getPlanMeta(hash: string): Promise<Record<string, unknown> | undefined> {
    const { rows } = await (await this.client()).query<{ meta: string | null }>(`SELECT meta FROM ${this.ct("plans")} WHERE hash = $1`, [hash]);
    return rows[0]?.meta ? (JSON.parse(rows[0].meta) as Record<string, unknown>) : undefined;
  }

  async latestPlanHash(): Promise<string | undefined> {
    const { rows } = await (await this.client()).query<{ hash: string }>(`SELECT hash FROM ${this.ct("plans")} ORDER BY put_order DESC LIMIT 1`);
    return rows[0]?.hash;
  }

  async putSnapshot(seq: number, planHash: string, data: string): Promise<void> {
    if (!Number.isSafeInteger(seq) || seq < 0) throw new StoreError("INVALID_ARGUMENT", `snapshot seq must be a non-negative integer, got ${seq}`);
    await (await this.client()).query(
      `INSERT INTO ${this.ct("snapshots")} (seq, plan_hash, data, created_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (seq, plan_hash) DO UPDATE SET data = excluded.data, created_at = excluded.created_at`,
      [seq, planHash, data, new Date().toISOString()],
    );
  }

  async latestSnapshot(maxSeq?: number, planHash?: string): Promise<Snapshot | undefined> {
    const params: unknown[] = [];
    const where: string[] = [];
    if (maxSeq !== undefined) (params.push(maxSeq), where.push(`seq <= $${params.length}`));
    if (planHash !== undefined) (params.push(planHash), where.push(`plan_hash = $${params.length}`));
    const pool = await this.client();
    const { rows } = await pool.query<{ seq: string; plan_hash: string }>(newestSnapshotKeySql(this.ct("snapshots"), where, planHash !== undefined ? `plan_hash = $${params.length}` : undefined), params);
    const key = rows[0];
    if (!key) return undefined;
    const data = await pool.query<{ data: string }>(`SELECT data FROM ${this.ct("snapshots")} WHERE seq = $1 AND plan_hash = $2`, [key.seq, key.plan_hash]);
    // Dropped in between (snapshots are a cache): look again.
    if (!data.rows[0]) return this.latestSnapshot(maxSeq, planHash);
    return { seq: Number(key.seq), planHash: key.plan_hash, data: data.rows[0].data };
  }

  async claimOutbox(now: string, limit: number, opts: ClaimOptions = {}): Promise<OutboxItem[]> {
    const nowMs = instantMs(now, "now");
    const n = positiveInt(limit, "limit", 1);
    const until = new Date(nowMs + (opts.leaseMs ?? DEFAULT_LEASE_MS));
    // SKIP LOCKED lets several workers claim disjoint items without waiting on each other.
    const { rows } = await (await this.client()).query<OutboxRow & { due_at_ms: string }>(
      `UPDATE ${this.ct("outbox")} SET attempts = attempts + 1, next_attempt_at = $3, next_attempt_ms = $4
       WHERE id IN (SELECT id FROM ${this.ct("outbox")} o WHERE status = 'pending' AND next_attempt_ms <= $1
                      AND NOT EXISTS (SELECT 1 FROM ${this.t("digest_members")} d WHERE d.prefix = $5 AND d.outbox_id = o.id AND d.open = 1)
                    ORDER BY due_at_ms, id LIMIT $2 FOR UPDATE SKIP LOCKED)
       RETURNING *`,
      [nowMs, n, until.toISOString(), until.getTime(), this.prefix],
    );
    return rows
      .map((r) => ({ ms: Number(r.due_at_ms), row: outboxRow(r) }))
      .sort((a, b) => a.ms - b.ms || a.row.id - b.row.id)
      .map((x) => rowToOutbox(x.row));
  }

  async renewOutboxLease(claims: HeldClaim[], until: string): Promise<number[]> {
    const untilMs = instantMs(until, "until");
    if (claims.length === 0) return [];
    const { rows } = await (await this.client()).query<{ id: string }>(
      `UPDATE ${this.ct("outbox")} o SET next_attempt_at = $1, next_attempt_ms = $2
       FROM unnest($3::bigint[], $4::int[]) AS held(id, attempts)
       WHERE o.id = held.id AND o.attempts = held.attempts AND o.status = 'pending'
       RETURNING o.id`,
      [until, untilMs, claims.map((c) => c.id), claims.map((c) => c.attempts)],
    );
    return rows.map((r) => Number(r.id));
  }

  async keepDelivered(claim: HeldClaim, deliveredVia: string[]): Promise<boolean> {
    const progress = settleProgress({ deliveredVia });
    const { rowCount } = await (await this.client()).query(`UPDATE ${this.ct("outbox")} SET delivered_via = $1 WHERE id = $2 AND attempts = $3 AND status = 'pending'`, [
      progress!.deliveredVia,
      claim.id,
      claim.attempts,
    ]);
    return rowCount === 1;
  }

  private async settle(id: number, event: NewEvent | undefined, opts: SettleOptions, update: (c: pg.PoolClient) => Promise<unknown>): Promise<StoredEvent | undefined> {
    const pe = event === undefined ? [] : [prepareEvent(event, 0)];
    const progress = settleProgress(opts);
    const rows = await this.tx(async (c) => {
      const { rows } = await c.query<{ status: string; attempts: number }>(`SELECT status, attempts FROM ${this.ct("outbox")} WHERE id = $1 FOR UPDATE`, [id]);
      checkSettle(id, rows[0], opts);
      await update(c);
      if (progress)
        await c.query(`UPDATE ${this.ct("outbox")} SET delivered_via = coalesce($1, delivered_via), retry_until = coalesce($2, retry_until) WHERE id = $3`, [
          progress.deliveredVia,
          progress.retryUntil,
          id,
        ]);
      return this.appendIn(c, pe, []);
    });
    return rows[0] && appendedEvent(rows[0], pe[0]!);
  }

  async markSent(id: number, sentAt: string, event?: NewEvent, opts: SettleOptions = {}): Promise<StoredEvent | undefined> {
    instantMs(sentAt, "sentAt");
    return this.settle(id, event, opts, (c) => c.query(`UPDATE ${this.ct("outbox")} SET status = 'sent', sent_at = $1 WHERE id = $2`, [sentAt, id]));
  }

  async markSentMany(settles: SentSettle[]): Promise<SettleOutcome[]> {
    const prepared = settles.map((s, k) => {
      instantMs(s.sentAt, `settles[${k}].sentAt`);
      return { s, pe: prepareEvent(s.event, k), progress: settleProgress(s.opts ?? {}) };
    });
    if (settles.length === 0) return [];
    return this.tx(async (c) => {
      const { rows } = await c.query<{ id: string; status: string; attempts: number }>(`SELECT id, status, attempts FROM ${this.ct("outbox")} WHERE id = ANY($1::bigint[]) FOR UPDATE`, [settles.map((s) => s.id)]);
      const byId = new Map(rows.map((r) => [Number(r.id), r]));
      const out: SettleOutcome[] = new Array(settles.length);
      const ok: number[] = [];
      prepared.forEach(({ s }, k) => {
        try {
          checkSettle(s.id, byId.get(s.id), s.opts ?? {});
          ok.push(k);
        } catch (err) {
          if (!(err instanceof StoreError)) throw err;
          out[k] = { error: err };
        }
      });
      if (ok.length) {
        await c.query(`UPDATE ${this.ct("outbox")} AS o SET status = 'sent', sent_at = v.sent_at FROM unnest($1::bigint[], $2::text[]) AS v(id, sent_at) WHERE o.id = v.id`, [
          ok.map((k) => prepared[k]!.s.id),
          ok.map((k) => prepared[k]!.s.sentAt),
        ]);
      }
      for (const k of ok) {
        const { s, progress } = prepared[k]!;
        if (progress) await c.query(`UPDATE ${this.ct("outbox")} SET delivered_via = coalesce($1, delivered_via), retry_until = coalesce($2, retry_until) WHERE id = $3`, [progress.deliveredVia, progress.retryUntil, s.id]);
      }
      const appended = await this.appendIn(c, ok.map((k) => prepared[k]!.pe), []);
      ok.forEach((k, j) => (out[k] = { event: appendedEvent(appended[j]!, prepared[k]!.pe) }));
      return out;
    });
  }

  async markAttemptFailed(id: number, error: string, nextAttemptAt: string, final: boolean, event?: NewEvent, opts: SettleOptions = {}): Promise<StoredEvent | undefined> {
    const nextMs = instantMs(nextAttemptAt, "nextAttemptAt");
    return this.settle(id, event, opts, (c) =>
      c.query(`UPDATE ${this.ct("outbox")} SET status = $1, last_error = $2, next_attempt_at = $3, next_attempt_ms = $4 WHERE id = $5`, [
        final ? "failed" : "pending",
        String(error),
        nextAttemptAt,
        nextMs,
        id,
      ]),
    );
  }

  async retryOutbox(keys: string[], nextAttemptAt: string, event: NewEvent): Promise<StoredEvent> {
    const nextMs = instantMs(nextAttemptAt, "nextAttemptAt");
    const pe = [prepareEvent(event, 0)];
    const rows = await this.tx(async (c) => {
      for (const key of keys) {
        const { rows } = await c.query<{ id: string; status: string }>(`SELECT id, status FROM ${this.ct("outbox")} WHERE key = $1 FOR UPDATE`, [key]);
        const id = checkRetry(key, rows[0]);
        await c.query(`UPDATE ${this.ct("outbox")} SET status = 'pending', next_attempt_at = $1, next_attempt_ms = $2, retry_until = NULL WHERE id = $3`, [nextAttemptAt, nextMs, id]);
      }
      return this.appendIn(c, pe, []);
    });
    return appendedEvent(rows[0]!, pe[0]!);
  }

  private scopedStore(prefix: string): PostgresStore {
    return this.campaignLog(prefix) as PostgresStore;
  }

  async claimDigest(group: { key: string; members: MemberRef[] }, now: string, opts: ClaimOptions = {}): Promise<DigestClaim | undefined> {
    const nowMs = instantMs(now, "now");
    const until = new Date(nowMs + (opts.leaseMs ?? DEFAULT_LEASE_MS));
    const base = this.base;
    await this.client();
    const members = this.t("digest_members");
    // The store-wide digest lock: two daemons forming the same group at once record it once.
    return base.withTx(async (c): Promise<DigestClaim | undefined> => {
      const { rows: all } = await c.query<{ prefix: string; outbox_id: string; open: number }>(`SELECT prefix, outbox_id, open FROM ${members} WHERE digest = $1 ORDER BY prefix, outbox_id`, [group.key]);
      // A key names one set of members for good: once its group closed, the key is never claimed again.
      if (all.length > 0 && all.every((r) => Number(r.open) === 0)) return undefined;
      const recorded = all.filter((r) => Number(r.open) === 1);
      const rowOf = async (m: MemberRef) => {
        // SKIP LOCKED: a row another claimer is leasing right now reads as absent, so it is left out, not waited on.
        const { rows } = await c.query<OutboxRow & { next_attempt_ms: string }>(`SELECT * FROM ${this.scopedStore(m.prefix).ct("outbox")} WHERE id = $1 FOR UPDATE SKIP LOCKED`, [m.id]);
        const r = rows[0];
        return { m, row: r && { ...outboxRow(r), next_attempt_ms: Number(r.next_attempt_ms) } };
      };
      let rows: Awaited<ReturnType<typeof rowOf>>[] = [];
      if (recorded.length > 0) {
        for (const r of recorded) rows.push(await rowOf({ prefix: r.prefix, id: Number(r.outbox_id) }));
        if (rows.some((r) => r.row === undefined)) return undefined;
        // A member settled some other way (should not happen) frees the rest to go alone rather than never.
        if (rows.some((r) => r.row!.status !== "pending")) {
          await c.query(`UPDATE ${members} SET open = 0 WHERE digest = $1`, [group.key]);
          return undefined;
        }
        if (rows.some((r) => r.row!.next_attempt_ms > nowMs)) return undefined;
      } else {
        // All or none: the key (and so the Message-ID) stands for exactly these members.
        if (group.members.length < 2) return undefined;
        for (const m of group.members) {
          const r = await rowOf(m);
          if (!r.row || r.row.status !== "pending" || r.row.attempts !== 0 || r.row.next_attempt_ms > nowMs) return undefined;
          const { rows: taken } = await c.query(`SELECT 1 FROM ${members} WHERE prefix = $1 AND outbox_id = $2 AND open = 1`, [m.prefix, m.id]);
          if (taken.length > 0) return undefined;
          rows.push(r);
        }
        for (const r of rows) await c.query(`INSERT INTO ${members} (prefix, outbox_id, digest, item_key, open, created_at) VALUES ($1, $2, $3, $4, 1, $5)`, [r.m.prefix, r.m.id, group.key, r.row!.key, now]);
      }
      const out: DigestClaim["members"] = [];
      for (const { m, row } of rows) {
        await c.query(`UPDATE ${this.scopedStore(m.prefix).ct("outbox")} SET attempts = attempts + 1, next_attempt_at = $1, next_attempt_ms = $2 WHERE id = $3`, [until.toISOString(), until.getTime(), m.id]);
        out.push({ ...m, item: rowToOutbox({ ...row!, attempts: row!.attempts + 1, next_attempt_at: until.toISOString() }) });
      }
      return { key: group.key, retry: recorded.length > 0, members: out };
    }, [`${this.schema}:digest`]);
  }

  async openDigests(): Promise<DigestGroup[]> {
    const { rows } = await (await this.client()).query<{ digest: string; prefix: string; outbox_id: string; item_key: string }>(
      `SELECT digest, prefix, outbox_id, item_key FROM ${this.t("digest_members")} WHERE open = 1 ORDER BY digest, prefix, outbox_id`,
    );
    return groupDigestRows(rows);
  }

  async settleDigest(key: string, settles: DigestSettle[]): Promise<StoredEvent[]> {
    const prepared = settles.map((s, k) => {
      if ("sentAt" in s.outcome) instantMs(s.outcome.sentAt, `settles[${k}].sentAt`);
      else instantMs(s.outcome.nextAttemptAt, `settles[${k}].nextAttemptAt`);
      return { s, store: this.scopedStore(s.prefix), pe: prepareEvent(s.event, k), progress: settleProgress(s.opts ?? {}) };
    });
    await this.client();
    // Every member campaign's chain lock, and the digest lock, in one transaction.
    const locks = [`${this.schema}:digest`, ...prepared.map((p) => p.store.lockKey())];
    return this.base.withTx(async (c) => {
      const out: StoredEvent[] = [];
      for (const { s, store, pe, progress } of prepared) {
        const outbox = store.ct("outbox");
        const { rows } = await c.query<{ status: string; attempts: number }>(`SELECT status, attempts FROM ${outbox} WHERE id = $1 FOR UPDATE`, [s.id]);
        checkSettle(s.id, rows[0], { attempt: s.attempt });
        const o = s.outcome;
        if ("sentAt" in o) await c.query(`UPDATE ${outbox} SET status = 'sent', sent_at = $1 WHERE id = $2`, [o.sentAt, s.id]);
        else await c.query(`UPDATE ${outbox} SET status = $1, last_error = $2, next_attempt_at = $3, next_attempt_ms = $4 WHERE id = $5`, [o.final ? "failed" : "pending", String(o.error), o.nextAttemptAt, instantMs(o.nextAttemptAt, "nextAttemptAt"), s.id]);
        if (progress) await c.query(`UPDATE ${outbox} SET delivered_via = coalesce($1, delivered_via), retry_until = coalesce($2, retry_until) WHERE id = $3`, [progress.deliveredVia, progress.retryUntil, s.id]);
        out.push(rowToEvent((await store.appendIn(c, [pe], []))[0]!));
      }
      if (closesDigest(settles)) await c.query(`UPDATE ${this.t("digest_members")} SET open = 0 WHERE digest = $1`, [key]);
      return out;
    }, locks);
  }

  async outboxCounts(): Promise<OutboxCounts> {
    const { rows } = await (await this.client()).query<{ status: string; n: string }>(
      `SELECT status, count(*) AS n FROM ${this.ct("outbox")} GROUP BY status`,
    );
    const counts: OutboxCounts = { pending: 0, sent: 0, failed: 0 };
    for (const r of rows) counts[r.status as keyof OutboxCounts] = Number(r.n);
    return counts;
  }

  async nextOutboxAttemptMs(): Promise<number | undefined> {
    const { rows } = await (await this.client()).query<{ m: string | null }>(`SELECT min(next_attempt_ms) AS m FROM ${this.ct("outbox")} WHERE status = 'pending'`);
    return rows[0]?.m == null ? undefined : Number(rows[0].m);
  }

  async listOutbox(filter: OutboxFilter = {}): Promise<OutboxItem[]> {
    const { sql, params } = outboxList(this.ct("outbox"), filter, ph);
    const { rows } = await (await this.client()).query<OutboxRow>(sql, params);
    return rows.map((r) => rowToOutbox(outboxRow(r)));
  }

  /**
   * The one connection that holds this process's leases: a store daemon holds one lease per campaign, and a
   * connection each would run a server with a hundred campaigns out of connections. When it dies, every
   * lease on it is lost at once, as the locks are.
   */
  private leaseConn: Promise<{ client: pg.Client; lost: Promise<void> }> | undefined;
  private readonly leasesHeld = new Set<string>();

  private leaseClient(): Promise<{ client: pg.Client; lost: Promise<void> }> {
    const base = this.base;
    if (!base.leaseConn) {
      const opening = (async () => {
        const client = new pg.Client({ connectionString: base.url });
        const lost = new Promise<void>((resolve) => {
          client.once("end", () => resolve());
          client.on("error", () => resolve());
        });
        void lost.then(() => {
          if (base.leaseConn === opening) base.leaseConn = undefined;
          base.leasesHeld.clear();
        });
        await client.connect();
        return { client, lost };
      })();
      base.leaseConn = opening;
      opening.catch(() => {
        if (base.leaseConn === opening) base.leaseConn = undefined;
      });
    }
    return base.leaseConn;
  }

  /** A session-level advisory lock on the process's lease connection: it frees itself when the holder dies. */
  async tryLease(name: string): Promise<Lease | undefined> {
    await this.client();
    const base = this.base;
    const key = `${this.schema}:lease:${name}`;
    // Session locks are reentrant: within this process the set keeps a lease exclusive, as between processes.
    if (base.leasesHeld.has(key)) return undefined;
    const { client, lost } = await this.leaseClient();
    base.leasesHeld.add(key);
    let ok = false;
    try {
      const { rows } = await client.query<{ ok: boolean }>("SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok", [LOCK_NAMESPACE + 1, key]);
      ok = Boolean(rows[0]?.ok);
    } finally {
      if (!ok) base.leasesHeld.delete(key);
    }
    if (!ok) return undefined;
    let released = false;
    return {
      release: async () => {
        if (released) return;
        released = true;
        base.leasesHeld.delete(key);
        await client.query("SELECT pg_advisory_unlock($1, hashtext($2))", [LOCK_NAMESPACE + 1, key]).catch(() => {});
      },
      lost: new Promise<void>((resolve) => void lost.then(() => released || resolve())),
    };
  }

  async joinDaemons(): Promise<DaemonPresence> {
    await this.client();
    const client = new pg.Client({ connectionString: this.url });
    client.on("error", () => {});
    await client.connect();
    const key = `${this.schema}:daemons`;
    // Shared: every daemon holds it at once; pg_locks counts the holders, and a dead one's goes with its connection.
    await client.query("SELECT pg_advisory_lock_shared($1, hashtext($2))", [LOCK_NAMESPACE + 2, key]);
    return {
      count: async () => {
        const { rows } = await client.query<{ n: string }>(
          `SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 2 AND classid::bigint = $1
             AND objid::bigint = (hashtext($2)::bigint + 4294967296) % 4294967296 AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
          [LOCK_NAMESPACE + 2, key],
        );
        return Math.max(1, Number(rows[0]?.n ?? 1));
      },
      leave: () => client.end(),
    };
  }

  async storeId(): Promise<string> {
    const { rows } = await (await this.client()).query<{ value: string }>(`SELECT value FROM ${this.t("store_meta")} WHERE key = 'store_id'`);
    return rows[0]!.value;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.ready.catch(() => {});
    // A campaign's store borrows the root's pool: only the root ends it (and the lease connection).
    if (this.root) return;
    const leases = this.leaseConn;
    this.leaseConn = undefined;
    await leases?.then((l) => l.client.end()).catch(() => {});
    await this.pool.end();
  }
}

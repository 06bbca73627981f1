import Database from "better-sqlite3";
import { ChainVerifier, appendedEvent, chainEvents, checkExpected, headOf, rowToEvent, rowToOutbox, type EventRow, type OutboxRow } from "./chain.ts";
import { StoreError } from "./errors.ts";
import { canonicalJson } from "./hash.ts";
import { DEFAULT_BATCH, eventsPage, latestSnapshotQuery, outboxCountsQuery, outboxList, pageFilter } from "./query.ts";
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

export interface SqliteStoreOptions {
  /**
   * FULL (default) fsyncs the WAL on every commit, so an acknowledged append survives power loss.
   * NORMAL survives kill -9 of the process (the WAL is already in the OS cache) but may lose the
   * last commits on power loss or an OS crash.
   */
  synchronous?: "FULL" | "NORMAL";
  /** How long a writer waits for another process's transaction before failing with SQLITE_BUSY. */
  busyTimeoutMs?: number;
}

const DEFAULT_LEASE_MS = 60_000;

/** A scoped store shares its root's connection: one SQLite file, one handle, however many campaigns it holds. */
interface Shared {
  root: SqliteStore;
  prefix: string;
}

/** An object whose every value is made by its function when first read, then kept. */
function lazily<T extends Record<string, () => unknown>>(make: T): { readonly [K in keyof T]: ReturnType<T[K]> } {
  const out = {} as { [K in keyof T]: ReturnType<T[K]> };
  for (const k of Object.keys(make) as (keyof T & string)[])
    Object.defineProperty(out, k, {
      configurable: true,
      get() {
        const v = make[k]!() as ReturnType<T[typeof k]>;
        Object.defineProperty(out, k, { value: v });
        return v;
      },
    });
  return out;
}

export class SqliteStore implements EventStore {
  private readonly db: Database.Database;
  private closed = false;
  private readonly stmt;
  /** This campaign's table names. */
  private readonly tn: { events: string; outbox: string; plans: string; snapshots: string };
  private readonly root: SqliteStore | undefined;
  /** The other campaigns' stores opened through this root, one per prefix. */
  private readonly scoped = new Map<string, SqliteStore>();

  constructor(
    readonly path: string,
    opts: SqliteStoreOptions = {},
    shared?: Shared,
  ) {
    const prefix = shared?.prefix ?? "";
    this.tn = { events: `${prefix}events`, outbox: `${prefix}outbox`, plans: `${prefix}plans`, snapshots: `${prefix}snapshots` };
    this.root = shared?.root;
    if (shared) {
      this.db = shared.root.live();
      this.db.transaction(() => {
        for (const ddl of campaignDdl("sqlite", (t) => t, prefix)) this.db.exec(ddl);
      }).immediate();
    } else {
      const synchronous = opts.synchronous ?? "FULL";
      if (synchronous !== "FULL" && synchronous !== "NORMAL") throw new StoreError("INVALID_ARGUMENT", `synchronous must be FULL or NORMAL`);
      this.db = new Database(path, { timeout: opts.busyTimeoutMs ?? 10_000 });
      try {
        this.db.pragma("journal_mode = WAL");
        this.db.pragma(`synchronous = ${synchronous}`);
        this.migrate();
      } catch (err) {
        this.db.close();
        throw err;
      }
    }
    const db = this.db;
    // Prepared when first used: a command that reads a board runs three of these, and each prepare parses its SQL.
    this.stmt = lazily({
      head: () => db.prepare<[], { seq: number; hash: string; at: string }>(`SELECT seq, hash, at FROM ${this.tn.events} ORDER BY seq DESC LIMIT 1`),
      insertEvent: () => db.prepare(
        `INSERT INTO ${this.tn.events} (seq, at, at_ms, actor, type, payload, plan_hash, assignment, prev_hash, hash)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      insertOutbox: () => db.prepare(
        `INSERT INTO ${this.tn.outbox} (key, channel, due_at, due_at_ms, payload, status, attempts, next_attempt_at, next_attempt_ms, event_seq)
         VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?)
         ON CONFLICT (key) DO NOTHING`,
      ),
      outboxStatus: () => db.prepare<[number], { status: string; attempts: number }>(`SELECT status, attempts FROM ${this.tn.outbox} WHERE id = ?`),
      outboxByKey: () => db.prepare<[string], { id: number; status: string }>(`SELECT id, status FROM ${this.tn.outbox} WHERE key = ?`),
      renew: () => db.prepare(`UPDATE ${this.tn.outbox} SET next_attempt_at = ?, next_attempt_ms = ? WHERE id = ? AND attempts = ? AND status = 'pending'`),
      retry: () => db.prepare(`UPDATE ${this.tn.outbox} SET status = 'pending', next_attempt_at = ?, next_attempt_ms = ?, retry_until = NULL WHERE id = ?`),
      keepProgress: () => db.prepare(`UPDATE ${this.tn.outbox} SET delivered_via = coalesce(?, delivered_via), retry_until = coalesce(?, retry_until) WHERE id = ?`),
      // A row of an open digest group is claimed only with its group (claimDigest), never alone.
      claimable: () => db.prepare<[number, number], OutboxRow>(
        `SELECT * FROM ${this.tn.outbox} o WHERE status = 'pending' AND next_attempt_ms <= ?
           AND NOT EXISTS (SELECT 1 FROM digest_members d WHERE d.prefix = '${prefix}' AND d.outbox_id = o.id AND d.open = 1)
         ORDER BY due_at_ms, id LIMIT ?`,
      ),
      outboxRow: () => db.prepare<[number], OutboxRow & { next_attempt_ms: number }>(`SELECT * FROM ${this.tn.outbox} WHERE id = ?`),
      lease: () => db.prepare(`UPDATE ${this.tn.outbox} SET attempts = attempts + 1, next_attempt_at = ?, next_attempt_ms = ? WHERE id = ?`),
      sent: () => db.prepare(`UPDATE ${this.tn.outbox} SET status = 'sent', sent_at = ? WHERE id = ?`),
      failed: () => db.prepare(`UPDATE ${this.tn.outbox} SET status = ?, last_error = ?, next_attempt_at = ?, next_attempt_ms = ? WHERE id = ?`),
      nextAttempt: () => db.prepare<[], { m: number | null }>(`SELECT min(next_attempt_ms) AS m FROM ${this.tn.outbox} WHERE status = 'pending'`),
      counts: () => db.prepare<[], { total: number; pending: number; failed: number }>(outboxCountsQuery(this.tn.outbox)),
      plan: () => db.prepare<[string], { text: string; put_order: number }>(`SELECT text, put_order FROM ${this.tn.plans} WHERE hash = ?`),
      maxPlanOrder: () => db.prepare<[], { m: number }>(`SELECT coalesce(max(put_order), 0) AS m FROM ${this.tn.plans}`),
      insertPlan: () => db.prepare(`INSERT INTO ${this.tn.plans} (hash, text, meta, put_order, stored_at) VALUES (?, ?, ?, ?, ?)`),
      promotePlan: () => db.prepare(`UPDATE ${this.tn.plans} SET put_order = ? WHERE hash = ?`),
      latestPlan: () => db.prepare<[], { hash: string }>(`SELECT hash FROM ${this.tn.plans} ORDER BY put_order DESC LIMIT 1`),
      putSnapshot: () => db.prepare(
        `INSERT INTO ${this.tn.snapshots} (seq, plan_hash, data, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (seq, plan_hash) DO UPDATE SET data = excluded.data, created_at = excluded.created_at`,
      ),
    });
  }

  private migrate(): void {
    this.db
      .transaction(() => {
        for (const ddl of schemaDdl("sqlite", (t) => t)) this.db.exec(ddl);
        // A store written by version 1 has the outbox without the later columns; SQLite has no ADD COLUMN IF NOT EXISTS.
        const have = new Set(this.db.prepare<[], { name: string }>("SELECT name FROM pragma_table_info('outbox')").all().map((c) => c.name));
        for (const [column, type] of OUTBOX_COLUMNS_V2) if (!have.has(column)) this.db.exec(`ALTER TABLE outbox ADD COLUMN ${column} ${type}`);
        const row = this.db.prepare<[], { v: number | null }>("SELECT max(version) AS v FROM schema_version").get();
        const version = row?.v ?? 0;
        if (version > SCHEMA_VERSION) {
          throw new StoreError("SCHEMA_TOO_NEW", `${this.path} has schema version ${version}; this build understands up to ${SCHEMA_VERSION}`);
        }
        if (version < SCHEMA_VERSION) {
          this.db.prepare("INSERT INTO schema_version (version, applied_at) VALUES (?, ?)").run(SCHEMA_VERSION, new Date().toISOString());
        }
        this.db.prepare("INSERT INTO store_meta (key, value) VALUES ('store_id', ?) ON CONFLICT (key) DO NOTHING").run(newStoreId());
      })
      // IMMEDIATE: two processes opening a fresh file at once must not both try to create the schema.
      .immediate();
  }

  private live(): Database.Database {
    if (this.closed || this.root?.closed) throw new StoreError("CLOSED", "the store is closed");
    return this.db;
  }

  /** The root store: the one opened on the file, holding the registry. */
  private get base(): SqliteStore {
    return this.root ?? this;
  }

  campaignLog(prefix: string): EventStore {
    const base = this.base;
    if (prefix === "") return base;
    checkPrefix(prefix);
    let s = base.scoped.get(prefix);
    if (!s) base.scoped.set(prefix, (s = new SqliteStore(base.path, {}, { root: base, prefix })));
    return s;
  }

  async campaigns(): Promise<CampaignRecord[]> {
    const db = this.live();
    return listed(this.registryRows(db), this.base.firstEvent());
  }

  async addCampaign(id: string, opts: { parent?: string } = {}): Promise<CampaignRecord> {
    const db = this.live();
    checkCampaignId(id);
    const record = db
      .transaction(() => {
        const rows = this.registryRows(db);
        const plan = allocate(rows, this.base.firstEvent(), id, opts.parent, new Date().toISOString());
        for (const r of plan.insert) db.prepare("INSERT INTO campaigns (id, prefix, parent, created_at) VALUES (?, ?, ?, ?)").run(r.id, r.prefix, r.parent ?? null, r.createdAt);
        for (const ddl of campaignDdl("sqlite", (t) => t, plan.record.prefix)) db.exec(ddl);
        return plan.record;
      })
      .immediate();
    return record;
  }

  async dropEmptyCampaign(id: string): Promise<void> {
    const db = this.live();
    db.transaction(() => {
      const row = this.registryRows(db).find((r) => r.id === id);
      if (!row) return;
      const events = row.prefix === "" ? this.base.tn.events : `${row.prefix}events`;
      const any = db.prepare(`SELECT 1 FROM ${events} LIMIT 1`).get();
      if (!any) db.prepare("DELETE FROM campaigns WHERE id = ?").run(id);
    }).immediate();
  }

  private registryRows(db: Database.Database): CampaignRecord[] {
    return db.prepare<[], RegistryRow>("SELECT id, prefix, parent, created_at FROM campaigns ORDER BY created_at, prefix").all().map(recordOf);
  }

  /** The first event of the unprefixed log: names the campaign a release without the registry wrote there. */
  private firstEvent(): StoredEvent | undefined {
    const row = this.live().prepare<[], EventRow>("SELECT * FROM events WHERE seq = 1").get();
    return row && rowToEvent(row);
  }

  /** Must run inside a write transaction: the head read and the inserts are one atomic step. */
  private appendInTx(events: PreparedEvent[], outbox: PreparedOutboxItem[], expectedSeq?: number): EventRow[] {
    const head = headOf(this.stmt.head.get());
    checkExpected(head, expectedSeq);
    const rows = chainEvents(head, events);
    // Positional binding: measurably cheaper than named parameters on the append path.
    for (const r of rows) this.stmt.insertEvent.run(r.seq, r.at, r.at_ms, r.actor, r.type, r.payload, r.plan_hash, r.assignment, r.prev_hash, r.hash);
    const eventSeq = rows.at(-1)?.seq ?? head.seq;
    for (const o of outbox) this.stmt.insertOutbox.run(o.key, o.channel, o.dueAt, o.dueAtMs, o.payloadJson, o.dueAt, o.dueAtMs, o.afterEvents === undefined ? eventSeq : head.seq + o.afterEvents);
    return rows;
  }

  async append(events: NewEvent[], outbox: NewOutboxItem[] = [], opts: AppendOptions = {}): Promise<StoredEvent[]> {
    const db = this.live();
    const pe = events.map(prepareEvent);
    const po = outbox.map((o, i) => prepareOutboxItem(o, i, events.length));
    return db.transaction(() => this.appendInTx(pe, po, opts.expectedSeq)).immediate().map((r, i) => appendedEvent(r, pe[i]!));
  }

  async head(): Promise<ChainHead> {
    this.live();
    return headOf(this.stmt.head.get());
  }

  async lastSeqAt(at: string): Promise<number> {
    const ms = instantMs(at, "at");
    const next = this.live().prepare(`SELECT seq FROM ${this.tn.events} WHERE at_ms > ? ORDER BY at_ms, seq LIMIT 1`).get(ms) as { seq: number } | undefined;
    return next ? next.seq - 1 : headOf(this.stmt.head.get()).seq;
  }

  /** Read queries take a few shapes; preparing each once keeps a busy campaign's reads cheap. */
  private readonly statements = new Map<string, Database.Statement<unknown[], EventRow>>();
  private prepared(sql: string): Database.Statement<unknown[], EventRow> {
    let st = this.statements.get(sql);
    if (!st) this.statements.set(sql, (st = this.live().prepare<unknown[], EventRow>(sql)));
    return st;
  }

  async *read(opts: ReadOptions = {}): AsyncIterable<StoredEvent> {
    const f = pageFilter(opts);
    let after = f.fromSeq - 1;
    for (;;) {
      const { sql, params } = eventsPage(this.tn.events, after, f, () => "?");
      const rows = this.prepared(sql).all(...params);
      for (const r of rows) yield rowToEvent(r);
      const last = rows.at(-1);
      if (!last || rows.length < f.batchSize) return;
      after = last.seq;
    }
  }

  async verify(opts: VerifyOptions = {}): Promise<VerifyResult> {
    const batchSize = positiveInt(opts.batchSize, "batchSize", DEFAULT_BATCH);
    const verifier = new ChainVerifier(opts);
    const page = this.live().prepare<[number, number], EventRow>(`SELECT * FROM ${this.tn.events} WHERE seq > ? ORDER BY seq LIMIT ?`);
    let after = 0;
    let checked = 0;
    for (;;) {
      const rows = page.all(after, batchSize);
      for (const r of rows) {
        const failure = verifier.feed(r);
        if (failure) return failure;
      }
      const last = rows.at(-1);
      checked += rows.length;
      if (!last || rows.length < batchSize) return verifier.finish();
      after = last.seq;
      await opts.progress?.(checked);
      // Let other work run between batches of a long verification.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  async putPlan(hash: string, text: string, meta?: object): Promise<void> {
    const db = this.live();
    if (typeof hash !== "string" || hash.length === 0) throw new StoreError("INVALID_ARGUMENT", "plan hash must be a non-empty string");
    if (typeof text !== "string") throw new StoreError("INVALID_ARGUMENT", "plan text must be a string");
    const metaJson = meta === undefined ? null : canonicalJson(meta);
    db.transaction(() => {
      const existing = this.stmt.plan.get(hash);
      const max = this.stmt.maxPlanOrder.get()?.m ?? 0;
      if (!existing) {
        this.stmt.insertPlan.run(hash, text, metaJson, max + 1, new Date().toISOString());
        return;
      }
      if (existing.text !== text) throw new StoreError("PLAN_CONFLICT", `plan ${hash} is already stored with a different text`);
      // Re-putting an older plan (a rollback) makes it the latest again.
      if (existing.put_order !== max) this.stmt.promotePlan.run(max + 1, hash);
    }).immediate();
  }

  async getPlan(hash: string): Promise<string | undefined> {
    this.live();
    return this.stmt.plan.get(hash)?.text;
  }

  async getPlanMeta(hash: string): Promise<Record<string, unknown> | undefined> {
    const row = this.live().prepare(`SELECT meta FROM ${this.tn.plans} WHERE hash = ?`).get(hash) as { meta: string | null } | undefined;
    return row?.meta ? (JSON.parse(row.meta) as Record<string, unknown>) : undefined;
  }

  async latestPlanHash(): Promise<string | undefined> {
    this.live();
    return this.stmt.latestPlan.get()?.hash;
  }

  async putSnapshot(seq: number, planHash: string, data: string): Promise<void> {
    this.live();
    if (!Number.isSafeInteger(seq) || seq < 0) throw new StoreError("INVALID_ARGUMENT", `snapshot seq must be a non-negative integer, got ${seq}`);
    this.stmt.putSnapshot.run(seq, planHash, data, new Date().toISOString());
  }

  async latestSnapshot(maxSeq?: number, planHash?: string): Promise<Snapshot | undefined> {
    const { sql, params } = latestSnapshotQuery(this.tn.snapshots, maxSeq, planHash);
    const row = this.live().prepare<unknown[], { seq: number; plan_hash: string; data: string }>(sql).get(...params);
    return row && { seq: row.seq, planHash: row.plan_hash, data: row.data };
  }

  async claimOutbox(now: string, limit: number, opts: ClaimOptions = {}): Promise<OutboxItem[]> {
    const db = this.live();
    const nowMs = instantMs(now, "now");
    const n = positiveInt(limit, "limit", 1);
    const leaseMs = opts.leaseMs ?? DEFAULT_LEASE_MS;
    const until = new Date(nowMs + leaseMs);
    return db
      .transaction(() =>
        this.stmt.claimable.all(nowMs, n).map((r) => {
          this.stmt.lease.run(until.toISOString(), until.getTime(), r.id);
          return rowToOutbox({ ...r, attempts: r.attempts + 1, next_attempt_at: until.toISOString() });
        }),
      )
      .immediate();
  }

  async renewOutboxLease(claims: HeldClaim[], until: string): Promise<number[]> {
    const db = this.live();
    const untilMs = instantMs(until, "until");
    return db.transaction(() => claims.filter((c) => this.stmt.renew.run(until, untilMs, c.id, c.attempts).changes === 1).map((c) => c.id)).immediate();
  }

  async keepDelivered(claim: HeldClaim, deliveredVia: string[]): Promise<boolean> {
    const progress = settleProgress({ deliveredVia });
    return this.live().prepare(`UPDATE ${this.tn.outbox} SET delivered_via = ? WHERE id = ? AND attempts = ? AND status = 'pending'`).run(progress!.deliveredVia, claim.id, claim.attempts).changes === 1;
  }

  private settle(id: number, event: NewEvent | undefined, opts: SettleOptions, update: () => void): StoredEvent | undefined {
    const pe = event === undefined ? [] : [prepareEvent(event, 0)];
    const progress = settleProgress(opts);
    const rows = this.live()
      .transaction(() => {
        checkSettle(id, this.stmt.outboxStatus.get(id), opts);
        update();
        if (progress) this.stmt.keepProgress.run(progress.deliveredVia, progress.retryUntil, id);
        return this.appendInTx(pe, []);
      })
      .immediate();
    return rows[0] && appendedEvent(rows[0], pe[0]!);
  }

  async markSent(id: number, sentAt: string, event?: NewEvent, opts: SettleOptions = {}): Promise<StoredEvent | undefined> {
    instantMs(sentAt, "sentAt");
    return this.settle(id, event, opts, () => this.stmt.sent.run(sentAt, id));
  }

  async markSentMany(settles: SentSettle[]): Promise<SettleOutcome[]> {
    const db = this.live();
    const prepared = settles.map((s, k) => {
      instantMs(s.sentAt, `settles[${k}].sentAt`);
      return { s, pe: prepareEvent(s.event, k), progress: settleProgress(s.opts ?? {}) };
    });
    return db
      .transaction(() => {
        const out: SettleOutcome[] = new Array(settles.length);
        const ok: number[] = [];
        prepared.forEach(({ s, progress }, k) => {
          try {
            checkSettle(s.id, this.stmt.outboxStatus.get(s.id), s.opts ?? {});
          } catch (err) {
            if (!(err instanceof StoreError)) throw err;
            out[k] = { error: err };
            return;
          }
          this.stmt.sent.run(s.sentAt, s.id);
          if (progress) this.stmt.keepProgress.run(progress.deliveredVia, progress.retryUntil, s.id);
          ok.push(k);
        });
        const rows = this.appendInTx(ok.map((k) => prepared[k]!.pe), []);
        ok.forEach((k, j) => (out[k] = { event: appendedEvent(rows[j]!, prepared[k]!.pe) }));
        return out;
      })
      .immediate();
  }

  async markAttemptFailed(id: number, error: string, nextAttemptAt: string, final: boolean, event?: NewEvent, opts: SettleOptions = {}): Promise<StoredEvent | undefined> {
    const nextMs = instantMs(nextAttemptAt, "nextAttemptAt");
    return this.settle(id, event, opts, () => this.stmt.failed.run(final ? "failed" : "pending", String(error), nextAttemptAt, nextMs, id));
  }

  async retryOutbox(keys: string[], nextAttemptAt: string, event: NewEvent): Promise<StoredEvent> {
    const nextMs = instantMs(nextAttemptAt, "nextAttemptAt");
    const pe = [prepareEvent(event, 0)];
    const rows = this.live()
      .transaction(() => {
        for (const key of keys) this.stmt.retry.run(nextAttemptAt, nextMs, checkRetry(key, this.stmt.outboxByKey.get(key)));
        return this.appendInTx(pe, []);
      })
      .immediate();
    return appendedEvent(rows[0]!, pe[0]!);
  }

  /** The store of one campaign's prefix, sharing this handle: its statements name its own tables. */
  private scopedStore(prefix: string): SqliteStore {
    return this.campaignLog(prefix) as SqliteStore;
  }

  async claimDigest(group: { key: string; members: MemberRef[] }, now: string, opts: ClaimOptions = {}): Promise<DigestClaim | undefined> {
    const db = this.live();
    const nowMs = instantMs(now, "now");
    const until = new Date(nowMs + (opts.leaseMs ?? DEFAULT_LEASE_MS));
    const openOf = db.prepare<[string, number], { digest: string }>("SELECT digest FROM digest_members WHERE prefix = ? AND outbox_id = ? AND open = 1");
    return db
      .transaction((): DigestClaim | undefined => {
        const all = db.prepare<[string], { prefix: string; outbox_id: number; open: number }>("SELECT prefix, outbox_id, open FROM digest_members WHERE digest = ? ORDER BY prefix, outbox_id").all(group.key);
        // A key names one set of members for good: once its group closed, the key is never claimed again.
        if (all.length > 0 && all.every((r) => r.open === 0)) return undefined;
        const recorded = all.filter((r) => r.open === 1);
        const rowOf = (m: MemberRef) => ({ m, row: this.scopedStore(m.prefix).stmt.outboxRow.get(m.id) });
        let rows;
        if (recorded.length > 0) {
          rows = recorded.map((r) => rowOf({ prefix: r.prefix, id: Number(r.outbox_id) }));
          // A member settled some other way (should not happen) frees the rest to go alone rather than never.
          if (rows.some((r) => r.row?.status !== "pending")) {
            db.prepare("UPDATE digest_members SET open = 0 WHERE digest = ?").run(group.key);
            return undefined;
          }
          if (rows.some((r) => r.row!.next_attempt_ms > nowMs)) return undefined;
        } else {
          // All or none: the key (and so the Message-ID) stands for exactly these members.
          rows = group.members.map(rowOf);
          if (rows.length < 2 || !rows.every((r) => r.row && r.row.status === "pending" && r.row.attempts === 0 && r.row.next_attempt_ms <= nowMs && !openOf.get(r.m.prefix, r.m.id))) return undefined;
          const insert = db.prepare("INSERT INTO digest_members (prefix, outbox_id, digest, item_key, open, created_at) VALUES (?, ?, ?, ?, 1, ?)");
          for (const r of rows) insert.run(r.m.prefix, r.m.id, group.key, r.row!.key, now);
        }
        return {
          key: group.key,
          retry: recorded.length > 0,
          members: rows.map(({ m, row }) => {
            this.scopedStore(m.prefix).stmt.lease.run(until.toISOString(), until.getTime(), m.id);
            return { ...m, item: rowToOutbox({ ...row!, attempts: row!.attempts + 1, next_attempt_at: until.toISOString() }) };
          }),
        };
      })
      .immediate();
  }

  async openDigests(): Promise<DigestGroup[]> {
    const rows = this.live().prepare<[], { digest: string; prefix: string; outbox_id: number; item_key: string }>("SELECT digest, prefix, outbox_id, item_key FROM digest_members WHERE open = 1 ORDER BY digest, prefix, outbox_id").all();
    return groupDigestRows(rows);
  }

  async settleDigest(key: string, settles: DigestSettle[]): Promise<StoredEvent[]> {
    const db = this.live();
    const prepared = settles.map((s, k) => {
      if ("sentAt" in s.outcome) instantMs(s.outcome.sentAt, `settles[${k}].sentAt`);
      else instantMs(s.outcome.nextAttemptAt, `settles[${k}].nextAttemptAt`);
      return { s, store: this.scopedStore(s.prefix), pe: prepareEvent(s.event, k), progress: settleProgress(s.opts ?? {}) };
    });
    return db
      .transaction(() => {
        const out: StoredEvent[] = [];
        for (const { s, store, pe, progress } of prepared) {
          checkSettle(s.id, store.stmt.outboxStatus.get(s.id), { attempt: s.attempt });
          const o = s.outcome;
          if ("sentAt" in o) store.stmt.sent.run(o.sentAt, s.id);
          else store.stmt.failed.run(o.final ? "failed" : "pending", String(o.error), o.nextAttemptAt, instantMs(o.nextAttemptAt, "nextAttemptAt"), s.id);
          if (progress) store.stmt.keepProgress.run(progress.deliveredVia, progress.retryUntil, s.id);
          out.push(rowToEvent(store.appendInTx([pe], [])[0]!));
        }
        if (closesDigest(settles)) db.prepare("UPDATE digest_members SET open = 0 WHERE digest = ?").run(key);
        return out;
      })
      .immediate();
  }

  async outboxCounts(): Promise<OutboxCounts> {
    this.live();
    const { total, pending, failed } = this.stmt.counts.get()!;
    return { pending, sent: total - pending - failed, failed };
  }

  async nextOutboxAttemptMs(): Promise<number | undefined> {
    this.live();
    return this.stmt.nextAttempt.get()?.m ?? undefined;
  }

  async listOutbox(filter: OutboxFilter = {}): Promise<OutboxItem[]> {
    const { sql, params } = outboxList(this.tn.outbox, filter, () => "?");
    return this.live().prepare<unknown[], OutboxRow>(sql).all(...params).map(rowToOutbox);
  }

  /**
   * SQLite serves one host: several daemons there are already safe (compare-and-swap appends, leased
   * outbox claims), so the lease is granted to each. Shared deployments use PostgreSQL.
   */
  async schemaVersion(): Promise<number> {
    return this.live().prepare<[], { v: number | null }>("SELECT max(version) AS v FROM schema_version").get()?.v ?? 0;
  }

  async tryLease(_name: string): Promise<Lease | undefined> {
    this.live();
    return { release: async () => {} };
  }

  async joinDaemons(): Promise<DaemonPresence> {
    this.live();
    return { count: async () => 1, leave: async () => {} };
  }

  async storeId(): Promise<string> {
    return (this.live().prepare("SELECT value FROM store_meta WHERE key = 'store_id'").get() as { value: string }).value;
  }

  /**
   * A consistent copy of the store in `to` through SQLite's online backup API, while other processes
   * keep writing. After the first step everything left is copied in one step: a writer on another
   * connection restarts a backup that is still stepping, so small steps could restart forever.
   * `newId` gives the copy a store id of its own (a staging copy must not reuse production's Message-IDs).
   */
  async backup(to: string, opts: { newId?: boolean } = {}): Promise<void> {
    await this.live().backup(to, { progress: () => 0x7fffffff });
    if (!opts.newId) return;
    const copy = new Database(to);
    try {
      copy.prepare("UPDATE store_meta SET value = ? WHERE key = 'store_id'").run(newStoreId());
    } finally {
      copy.close();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // A campaign's store borrows the root's handle: only the root closes the file.
    if (!this.root) this.db.close();
  }
}

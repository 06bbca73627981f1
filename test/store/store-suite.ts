import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { StoreError } from "../../src/store/errors.ts";
import { GENESIS_HASH, eventHash } from "../../src/store/hash.ts";
import type { EventStore } from "../../src/store/store.ts";
import type { NewEvent, StoredEvent } from "../../src/store/types.ts";

/** One isolated store (a fresh SQLite file or PostgreSQL schema) plus back doors the tests need. */
export interface StoreHarness {
  /** openStore() spec of this store, for child processes. */
  spec: string;
  /** Opens another connection to the same store. */
  open(): Promise<EventStore>;
  /** Runs raw SQL behind the store's back; `{events}`-style placeholders name the store's tables. */
  exec(sql: string): Promise<void>;
  /** Makes every outbox insert with this channel fail inside the database (a trigger). */
  failOutboxChannel(channel: string): Promise<void>;
  dispose(): Promise<void>;
}

export interface SuiteOptions {
  skip?: boolean;
}

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const WRITER = fileURLToPath(new URL("./fixtures/writer.ts", import.meta.url));

const T0 = "2025-03-01T09:00:00+08:00";

function ev(i: number, extra: Partial<NewEvent> = {}): NewEvent {
  return {
    // Rises with i: the log's clock never runs back.
    at: `2025-03-01T09:${String(Math.floor(i / 60)).padStart(2, "0")}:${String(i % 60).padStart(2, "0")}.120+08:00`,
    actor: { kind: "unit", unit: `u${i}`, person: "p1" },
    type: "assignment.reported",
    payload: { v: `v${i}`, n: i, nested: { b: [1, { z: true, a: null }], a: "x" } },
    planHash: "plan-a",
    assignment: `as-${i % 3}`,
    ...extra,
  };
}

async function collect(it: AsyncIterable<StoredEvent>): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  for await (const e of it) out.push(e);
  return out;
}

async function rejectsWith(p: Promise<unknown>, code: string): Promise<void> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, `expected a StoreError ${code}`).toBeInstanceOf(StoreError);
  expect((err as StoreError).code).toBe(code);
}

function runWriter(spec: string, args: string[]): { child: ReturnType<typeof spawn>; lines: string[]; exited: Promise<{ code: number | null; signal: string | null; stderr: string }> } {
  const child = spawn(process.execPath, ["--import", "tsx", WRITER, spec, ...args], { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] });
  const lines: string[] = [];
  let buf = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (d: string) => {
    buf += d;
    const parts = buf.split("\n");
    buf = parts.pop()!;
    lines.push(...parts);
  });
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: string | null; stderr: string }>((resolve) =>
    // "close", not "exit": only then has everything the child printed been read.
    child.on("close", (code, signal) => resolve({ code, signal, stderr })),
  );
  return { child, lines, exited };
}

/** Polls until cond holds; fails fast if a writer dies first. */
async function waitFor(cond: () => boolean, writers: ReturnType<typeof runWriter>[]): Promise<void> {
  let dead: unknown;
  for (const w of writers) void w.exited.then((r) => (dead ??= r));
  while (!cond()) {
    if (dead) throw new Error(`writer exited early: ${JSON.stringify(dead)}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export function describeStoreSuite(name: string, factory: () => Promise<StoreHarness>, opts: SuiteOptions = {}): void {
  describe.skipIf(opts.skip)(name, () => {
    const cleanups: (() => Promise<void>)[] = [];

    afterEach(async () => {
      for (const c of cleanups.splice(0).reverse()) await c();
    });

    async function fresh(): Promise<{ h: StoreHarness; store: EventStore }> {
      const h = await factory();
      cleanups.push(() => h.dispose());
      const store = await h.open();
      cleanups.push(() => store.close());
      return { h, store };
    }

    async function reopen(h: StoreHarness): Promise<EventStore> {
      const s = await h.open();
      cleanups.push(() => s.close());
      return s;
    }

    it("starts empty: genesis head, nothing to read, verifies", async () => {
      const { store } = await fresh();
      expect(await store.head()).toEqual({ seq: 0, hash: GENESIS_HASH });
      expect(await collect(store.read())).toEqual([]);
      expect(await store.verify()).toEqual({ ok: true, count: 0, head: GENESIS_HASH });
      expect(await store.verify({ head: GENESIS_HASH })).toEqual({ ok: true, count: 0, head: GENESIS_HASH });
    });

    it("has a store id of its own, the same after a reopen and different from another store's", async () => {
      const { h, store } = await fresh();
      const id = await store.storeId();
      expect(id).toMatch(/^[0-9a-f]{16}$/);
      expect(await (await reopen(h)).storeId()).toBe(id);
      const other = await fresh();
      expect(await other.store.storeId()).not.toBe(id);
    });

    it("keeps the channels that took a message in flight, for the claim that holds it only", async () => {
      const { store } = await fresh();
      await store.append([ev(1)], [{ key: "k", channel: "reminder", dueAt: T0, payload: {} }]);
      const [item] = await store.claimOutbox(T0, 1);
      expect(await store.keepDelivered({ id: item!.id, attempts: item!.attempts }, ["email"])).toBe(true);
      expect((await store.listOutbox())[0]!.deliveredVia).toEqual(["email"]);
      // A claim that lost its lease (another took it since) changes nothing.
      expect(await store.keepDelivered({ id: item!.id, attempts: item!.attempts + 1 }, ["email", "robot:x"])).toBe(false);
      expect((await store.listOutbox())[0]!.deliveredVia).toEqual(["email"]);
      // Nor one of a message already settled.
      await store.markSent(item!.id, T0);
      expect(await store.keepDelivered({ id: item!.id, attempts: item!.attempts }, ["robot:x"])).toBe(false);
      expect(await store.head()).toMatchObject({ seq: 1 });
    });

    it("appends, reads back exactly what it returned, and moves the head", async () => {
      const { store } = await fresh();
      const noAssignment = ev(3);
      delete noAssignment.assignment;
      const stored = await store.append([ev(1), ev(2, { actor: { kind: "engine" } }), noAssignment]);
      expect(stored.map((e) => e.seq)).toEqual([1, 2, 3]);
      expect(stored[0]!.prevHash).toBe(GENESIS_HASH);
      expect(stored[1]!.prevHash).toBe(stored[0]!.hash);
      expect(stored[2]!.prevHash).toBe(stored[1]!.hash);
      // The raw instant is kept byte for byte, including the offset and the trailing zero.
      expect(stored[0]!.at).toBe("2025-03-01T09:00:01.120+08:00");
      expect(stored[2]).not.toHaveProperty("assignment");
      expect(stored[1]!.actor).toEqual({ kind: "engine" });
      expect(await collect(store.read())).toEqual(stored);
      expect(await store.head()).toEqual({ seq: 3, hash: stored[2]!.hash, at: stored[2]!.at });
      for (const e of stored) {
        expect(e.hash).toBe(eventHash(e.prevHash, e));
      }
    });

    it("chains across appends and connections, and verifies", async () => {
      const { h, store } = await fresh();
      const a = await store.append([ev(1), ev(2)]);
      const other = await reopen(h);
      const b = await other.append([ev(3)]);
      const c = await store.append([ev(4), ev(5)]);
      expect(b[0]!.seq).toBe(3);
      expect(b[0]!.prevHash).toBe(a[1]!.hash);
      expect(c[0]!.prevHash).toBe(b[0]!.hash);
      expect(await store.verify()).toEqual({ ok: true, count: 5, head: c[1]!.hash });
      expect(await other.verify({ head: c[1]!.hash })).toMatchObject({ ok: true, count: 5 });
    });

    it("tells a long verification's progress after each batch, and stops when the reader throws", async () => {
      const { store } = await fresh();
      await store.append([ev(1), ev(2), ev(3), ev(4), ev(5)]);
      const seen: number[] = [];
      expect(await store.verify({ batchSize: 2, progress: (n) => void seen.push(n) })).toMatchObject({ ok: true, count: 5 });
      expect(seen).toEqual([2, 4]);
      await expect(store.verify({ batchSize: 2, progress: () => Promise.reject(new Error("gone")) })).rejects.toThrow("gone");
    });

    it("appends only while the head is where the writer saw it (expectedSeq)", async () => {
      const { h, store } = await fresh();
      await store.append([ev(1)]);
      const other = await reopen(h);
      await other.append([ev(2)], [], { expectedSeq: 1 });
      await expect(store.append([ev(3)], [{ key: "k-cas", channel: "c", dueAt: "2025-03-01T09:00:00+08:00", payload: {} }], { expectedSeq: 1 })).rejects.toMatchObject({ code: "HEAD_MOVED" });
      expect((await store.head()).seq).toBe(2);
      expect(await store.listOutbox({ key: "k-cas" })).toEqual([]);
      await store.append([ev(3)], [], { expectedSeq: 2 });
      expect((await store.verify()).ok).toBe(true);
    });

    it("finds the last event at or before an instant by index (across offsets)", async () => {
      const { store } = await fresh();
      expect(await store.lastSeqAt("2025-03-01T09:00:00+08:00")).toBe(0);
      await store.append([ev(1), ev(2), ev(3), ev(3), ev(5)]);
      expect(await store.lastSeqAt("2025-03-01T09:00:00+08:00")).toBe(0);
      expect(await store.lastSeqAt("2025-03-01T09:00:03.120+08:00")).toBe(4);
      expect(await store.lastSeqAt("2025-03-01T01:00:04Z")).toBe(4);
      expect(await store.lastSeqAt("2026-01-01T00:00:00+08:00")).toBe(5);
    });

    it("filters reads by seq range, assignment and instant (across offsets)", async () => {
      const { store } = await fresh();
      await store.append(Array.from({ length: 10 }, (_, i) => ev(i + 1)));
      const seqs = async (o: Parameters<EventStore["read"]>[0]) => (await collect(store.read(o))).map((e) => e.seq);
      expect(await seqs({ fromSeq: 4, toSeq: 6 })).toEqual([4, 5, 6]);
      expect(await seqs({ assignment: "as-1", batchSize: 1 })).toEqual([1, 4, 7, 10]);
      // 01:00:05.12Z is 09:00:05.12+08:00.
      expect(await seqs({ untilAt: "2025-03-01T01:00:05.120Z" })).toEqual([1, 2, 3, 4, 5]);
      expect(await seqs({ untilAt: "2025-03-01T01:00:05.119Z", assignment: "as-1" })).toEqual([1, 4]);
      expect(await seqs({ fromSeq: 11 })).toEqual([]);
    });

    it("filters reads by event type, with the other filters and across pages", async () => {
      const { store } = await fresh();
      await store.append(Array.from({ length: 10 }, (_, i) => ev(i + 1, i % 4 === 0 ? { type: "lightMarked" } : i % 4 === 1 ? { type: "lightCleared" } : {})));
      const seqs = async (o: Parameters<EventStore["read"]>[0]) => (await collect(store.read(o))).map((e) => e.seq);
      expect(await seqs({ types: ["lightMarked"] })).toEqual([1, 5, 9]);
      expect(await seqs({ types: ["lightMarked", "lightCleared"], batchSize: 2 })).toEqual([1, 2, 5, 6, 9, 10]);
      expect(await seqs({ types: ["lightMarked", "lightCleared"], fromSeq: 2, toSeq: 9, assignment: "as-2" })).toEqual([2, 5]);
      expect(await seqs({ types: [] })).toEqual([]);
      expect((await collect(store.read({ types: ["lightCleared"] })))[0]).toEqual((await collect(store.read({ fromSeq: 2, toSeq: 2 })))[0]);
    });

    it("refuses malformed events without writing anything", async () => {
      const { store } = await fresh();
      await rejectsWith(store.append([ev(1), ev(2, { at: "2025-03-01T09:00:00" })]), "INVALID_EVENT");
      await rejectsWith(store.append([ev(1, { actor: { kind: "robot" } as never })]), "INVALID_EVENT");
      await rejectsWith(store.append([ev(1, { payload: { n: Number.NaN } })]), "INVALID_EVENT");
      await rejectsWith(store.append([ev(1, { type: "" })]), "INVALID_EVENT");
      await rejectsWith(store.append([ev(1)], [{ key: "k", channel: "sms", dueAt: "tomorrow", payload: {} }]), "INVALID_OUTBOX");
      expect(await store.head()).toEqual({ seq: 0, hash: GENESIS_HASH });
    });

    it("ignores outbox items whose key already exists", async () => {
      const { store } = await fresh();
      const due = "2025-03-02T09:00:00+08:00";
      await store.append([ev(1), ev(2)], [{ key: "remind:a1:1", channel: "sms", dueAt: due, payload: { first: true } }]);
      await store.append([ev(3)], [
        { key: "remind:a1:1", channel: "sms", dueAt: due, payload: { first: false } },
        { key: "remind:a1:2", channel: "email", dueAt: due, payload: {} },
      ]);
      await store.append([], [{ key: "remind:a1:3", channel: "email", dueAt: due, payload: [] }]);
      const items = await store.listOutbox();
      expect(items.map((o) => [o.key, o.eventSeq, o.status, o.attempts])).toEqual([
        ["remind:a1:1", 2, "pending", 0],
        ["remind:a1:2", 3, "pending", 0],
        ["remind:a1:3", 3, "pending", 0],
      ]);
      expect(items[0]!.payload).toEqual({ first: true });
      expect(items[0]!.nextAttemptAt).toBe(due);
      expect(await store.outboxCounts()).toEqual({ pending: 3, sent: 0, failed: 0 });
    });

    it("gives each outbox item the seq of the last event it follows (afterEvents), the append's last by default", async () => {
      const { store } = await fresh();
      const due = "2025-03-02T09:00:00+08:00";
      await store.append([ev(1)]);
      await store.append([ev(2), ev(3), ev(4)], [
        { key: "a", channel: "sms", dueAt: due, payload: {}, afterEvents: 0 },
        { key: "b", channel: "sms", dueAt: due, payload: {}, afterEvents: 2 },
        { key: "c", channel: "sms", dueAt: due, payload: {} },
        { key: "d", channel: "sms", dueAt: due, payload: {}, afterEvents: 3 },
      ]);
      expect((await store.listOutbox()).map((o) => [o.key, o.eventSeq])).toEqual([["a", 1], ["b", 3], ["c", 4], ["d", 4]]);
      for (const bad of [4, -1, 1.5]) await rejectsWith(store.append([ev(5), ev(6), ev(7)], [{ key: "x", channel: "sms", dueAt: due, payload: {}, afterEvents: bad }]), "INVALID_OUTBOX");
      expect((await store.head()).seq).toBe(4);
    });

    it("queues a large outbox in order, the first of a repeated key winning within one append too", async () => {
      const { store } = await fresh();
      const due = "2025-03-02T09:00:00+08:00";
      // More rows than one multi-row INSERT holds, a key repeated within a chunk and across chunks.
      const items = Array.from({ length: 1_203 }, (_, i) => ({ key: `k${i}`, channel: "email", dueAt: due, payload: { i } }));
      items.splice(3, 0, { key: "k1", channel: "email", dueAt: due, payload: { i: -1 } });
      items.splice(900, 0, { key: "k2", channel: "email", dueAt: due, payload: { i: -2 } });
      const appended = await store.append([ev(1), ev(2)], items);
      const listed = await store.listOutbox({ limit: 10_000 });
      expect(listed.map((o) => o.key)).toEqual(Array.from({ length: 1_203 }, (_, i) => `k${i}`));
      expect(listed.map((o) => (o.payload as { i: number }).i)).toEqual(Array.from({ length: 1_203 }, (_, i) => i));
      expect(new Set(listed.map((o) => o.eventSeq))).toEqual(new Set([2]));
      expect(listed.every((o, i) => i === 0 || o.id > listed[i - 1]!.id)).toBe(true);
      // What append returns is what a read gives back.
      expect(appended).toEqual(await collect(store.read()));
    });

    it("is atomic: a failure midway leaves neither events nor outbox rows", async () => {
      const { h, store } = await fresh();
      await store.append([ev(1)], [{ key: "k0", channel: "sms", dueAt: "2025-03-02T09:00:00+08:00", payload: {} }]);
      const before = await store.head();
      await h.failOutboxChannel("explode");
      const due = "2025-03-02T09:00:00+08:00";
      await expect(
        store.append([ev(2), ev(3)], [
          { key: "k1", channel: "sms", dueAt: due, payload: {} },
          { key: "k2", channel: "explode", dueAt: due, payload: {} },
        ]),
      ).rejects.toThrow();
      expect(await store.head()).toEqual(before);
      expect((await store.listOutbox()).map((o) => o.key)).toEqual(["k0"]);
      expect(await collect(store.read())).toHaveLength(1);
      // The store is still usable and the chain continues from the old head.
      const [next] = await store.append([ev(2)], [{ key: "k1", channel: "sms", dueAt: due, payload: {} }]);
      expect(next).toMatchObject({ seq: 2, prevHash: before.hash });
      expect(await store.verify()).toMatchObject({ ok: true, count: 2 });
    });

    describe("the log's clock never runs back", () => {
      it("refuses an event before the head's instant, compared as instants whatever the offsets, and writes nothing", async () => {
        const { store } = await fresh();
        const [head] = await store.append([ev(5, { at: "2025-03-01T09:00:05+08:00" })]);
        expect(await store.head()).toMatchObject({ seq: 1, at: "2025-03-01T09:00:05+08:00" });
        // Later as text, earlier as an instant (00:00Z against 01:00:05Z).
        const behind = store.append([ev(6, { at: "2025-03-01T10:00:00+10:00" })], [{ key: "k-behind", channel: "sms", dueAt: "2025-03-01T09:00:00+08:00", payload: {} }]);
        await expect(behind).rejects.toMatchObject({ code: "CLOCK_BEHIND", lastAt: "2025-03-01T09:00:05+08:00" });
        expect(await store.head()).toMatchObject({ seq: 1, hash: head!.hash });
        expect(await store.listOutbox({ key: "k-behind" })).toEqual([]);
        // Earlier as text, later as an instant; the same instant again is not going back.
        await store.append([ev(7, { at: "2025-03-01T01:30:00Z" })]);
        await store.append([ev(8, { at: "2025-03-01T09:30:00+08:00" })]);
        expect((await store.head()).seq).toBe(3);
      });

      it("refuses an append whose own events run back, and a settle that would record before the head", async () => {
        const { store } = await fresh();
        await expect(store.append([ev(3), ev(2)])).rejects.toMatchObject({ code: "CLOCK_BEHIND", lastAt: ev(3).at });
        expect((await store.head()).seq).toBe(0);
        await store.append([ev(1)], [{ key: "k1", channel: "sms", dueAt: ev(1).at, payload: {} }]);
        await store.append([ev(9)]);
        const [item] = await store.claimOutbox(ev(1).at, 1);
        await expect(store.markSent(item!.id, ev(2).at, ev(2))).rejects.toMatchObject({ code: "CLOCK_BEHIND" });
        expect(await store.listOutbox({ key: "k1" })).toMatchObject([{ status: "pending" }]);
        await store.markSent(item!.id, ev(9).at, ev(9));
        expect(await store.verify()).toMatchObject({ ok: true, count: 3 });
      });

      it("verify names the first event whose instant is before its predecessor's (a log written before the rule)", async () => {
        const { h, store } = await fresh();
        const stored = await store.append([ev(1), ev(2), ev(3), ev(4)]);
        // Rewrite seq 3 to an earlier instant and re-chain seq 3 and 4, as an old build would have written them.
        const earlier = "2025-02-01T09:00:00+08:00";
        const e3 = { ...stored[2]!, at: earlier };
        const h3 = eventHash(e3.prevHash, e3);
        const h4 = eventHash(h3, stored[3]!);
        await h.exec(`UPDATE {events} SET at = '${earlier}', at_ms = ${Date.parse(earlier)}, hash = '${h3}' WHERE seq = 3`);
        await h.exec(`UPDATE {events} SET prev_hash = '${h3}', hash = '${h4}' WHERE seq = 4`);
        const r = await store.verify();
        expect(r).toMatchObject({ ok: false, seq: 3, count: 2 });
        expect(r.ok === false && r.problem).toBe(`时刻倒退：${earlier} 早于第 2 条的 ${stored[1]!.at}；日志的时刻只能向前，按时刻回放会漏掉此后的记录`);
      });
    });

    describe("tamper evidence", () => {
      const cases = [
        ["payload", "UPDATE {events} SET payload = replace(payload, '\"v3\"', '\"v4\"') WHERE seq = 3"],
        ["actor", "UPDATE {events} SET actor = replace(actor, '\"u3\"', '\"u9\"') WHERE seq = 3"],
        ["instant", "UPDATE {events} SET at = replace(at, '09:00:03', '09:00:04') WHERE seq = 3"],
        ["type", "UPDATE {events} SET type = 'assignment.approved' WHERE seq = 3"],
        ["assignment", "UPDATE {events} SET assignment = 'as-9' WHERE seq = 3"],
      ] as const;
      for (const [field, sql] of cases) {
        it(`names the seq whose ${field} was edited through SQL`, async () => {
          const { h, store } = await fresh();
          await store.append([ev(1), ev(2), ev(3), ev(4), ev(5)]);
          expect(await store.verify()).toMatchObject({ ok: true, count: 5 });
          await h.exec(sql);
          expect(await store.verify()).toEqual({ ok: false, seq: 3, problem: expect.stringMatching(/^哈希不符：写入后内容、操作人、时刻/), count: 2 });
        });
      }

      it("catches a rewritten event whose own hash was recomputed, at the next seq", async () => {
        const { h, store } = await fresh();
        const stored = await store.append([ev(1), ev(2), ev(3), ev(4)]);
        const forged = { ...stored[1]!, payload: { v: "forged" } };
        const forgedHash = eventHash(forged.prevHash, forged);
        await h.exec(`UPDATE {events} SET payload = '{"v":"forged"}', hash = '${forgedHash}' WHERE seq = 2`);
        const r = await store.verify();
        expect(r).toMatchObject({ ok: false, seq: 3, count: 2 });
        expect(r.ok === false && r.problem).toMatch(/前一哈希（prevHash）与上一条不符/);
      });

      it("reports a deleted event as a sequence gap", async () => {
        const { h, store } = await fresh();
        await store.append([ev(1), ev(2), ev(3), ev(4)]);
        await h.exec("DELETE FROM {events} WHERE seq = 3");
        expect(await store.verify()).toEqual({ ok: false, seq: 3, problem: "序号不连续：应为第 3 条，实为第 4 条（其间的记录被删除）", count: 2 });
      });

      it("reports a non-canonical edit and a stale instant index even when the meaning is unchanged", async () => {
        const { h, store } = await fresh();
        await store.append([ev(1), ev(2), ev(3)]);
        await h.exec(`UPDATE {events} SET payload = replace(payload, '"n":2', '"n": 2') WHERE seq = 2`);
        expect(await store.verify()).toMatchObject({ ok: false, seq: 2, problem: expect.stringMatching(/内容文本被改动/) });
        await h.exec(`UPDATE {events} SET payload = replace(payload, '"n": 2', '"n":2') WHERE seq = 2`);
        await h.exec("UPDATE {events} SET at_ms = at_ms + 1 WHERE seq = 3");
        expect(await store.verify()).toMatchObject({ ok: false, seq: 3, problem: expect.stringMatching(/at_ms/) });
      });

      it("detects a deleted tail against a recorded head", async () => {
        const { h, store } = await fresh();
        await store.append(Array.from({ length: 7 }, (_, i) => ev(i + 1)));
        const older = await store.head();
        await store.append([ev(8), ev(9), ev(10)]);
        const recorded = await store.head();
        expect(await store.verify({ head: recorded.hash })).toMatchObject({ ok: true, count: 10 });
        // An older anchor is still in the chain but no longer its end.
        expect(await store.verify({ head: older.hash })).toMatchObject({ ok: false, seq: 8, problem: expect.stringMatching(/是第 7 条，但日志延续到第 10 条/) });
        expect(await store.verify({ head: older.hash, allowLater: true })).toMatchObject({ ok: true, count: 10 });

        await h.exec("DELETE FROM {events} WHERE seq > 7");
        // Without an anchor, a truncated chain is indistinguishable from a shorter one.
        expect(await store.verify()).toEqual({ ok: true, count: 7, head: older.hash });
        const r = await store.verify({ head: recorded.hash });
        expect(r).toMatchObject({ ok: false, seq: 8, count: 7 });
        expect(r.ok === false && r.problem).toMatch(/日志在第 7 条就结束了，没有到达该日志头；第 7 条之后的记录被删除/);
      });
    });

    it("stores plan versions idempotently and tracks the latest", async () => {
      const { store } = await fresh();
      expect(await store.latestPlanHash()).toBeUndefined();
      expect(await store.getPlan("h1")).toBeUndefined();
      await store.putPlan("h1", "plan: one\n", { file: "plan.yaml" });
      await store.putPlan("h1", "plan: one\n");
      await store.putPlan("h2", "plan: two\n");
      expect(await store.latestPlanHash()).toBe("h2");
      expect(await store.getPlan("h1")).toBe("plan: one\n");
      expect(await store.getPlanMeta("h1")).toEqual({ file: "plan.yaml" });
      expect(await store.getPlanMeta("h2")).toBeUndefined();
      await rejectsWith(store.putPlan("h1", "plan: other\n"), "PLAN_CONFLICT");
      // Rolling back to an earlier plan makes it the latest again.
      await store.putPlan("h1", "plan: one\n");
      expect(await store.latestPlanHash()).toBe("h1");
      await store.putPlan("h1", "plan: one\n");
      expect(await store.latestPlanHash()).toBe("h1");
    });

    it("keeps snapshots as a replaceable cache", async () => {
      const { h, store } = await fresh();
      expect(await store.latestSnapshot()).toBeUndefined();
      await store.putSnapshot(10, "h1", "{\"a\":10}");
      await store.putSnapshot(20, "h1", "{\"a\":20}");
      await store.putSnapshot(15, "h2", "{\"b\":15}");
      await store.putSnapshot(20, "h1", "{\"a\":\"20 again\"}");
      expect(await store.latestSnapshot()).toEqual({ seq: 20, planHash: "h1", data: "{\"a\":\"20 again\"}" });
      expect(await store.latestSnapshot(19)).toEqual({ seq: 15, planHash: "h2", data: "{\"b\":15}" });
      expect(await store.latestSnapshot(19, "h1")).toEqual({ seq: 10, planHash: "h1", data: "{\"a\":10}" });
      expect(await store.latestSnapshot(9)).toBeUndefined();
      // The plan condition picks the newest of that plan's, not the newest seq of any plan.
      expect(await store.latestSnapshot(undefined, "h2")).toEqual({ seq: 15, planHash: "h2", data: "{\"b\":15}" });
      expect(await store.latestSnapshot(14, "h2")).toBeUndefined();
      await h.exec("DELETE FROM {snapshots}");
      expect(await store.latestSnapshot()).toBeUndefined();
    });

    it("claims, leases, retries and settles outbox items, recording delivery in the chain", async () => {
      const { store } = await fresh();
      await store.append([ev(1)], [
        { key: "late", channel: "sms", dueAt: "2025-03-02T10:00:00+08:00", payload: { n: 3 } },
        // 01:30Z = 09:30+08:00: ordered by instant, not by text.
        { key: "early", channel: "email", dueAt: "2025-03-02T01:30:00Z", payload: { n: 2 } },
        { key: "earliest", channel: "sms", dueAt: "2025-03-02T09:00:00+08:00", payload: { n: 1 } },
        { key: "future", channel: "sms", dueAt: "2025-03-05T09:00:00+08:00", payload: { n: 4 } },
      ]);
      const now = "2025-03-02T11:00:00+08:00";
      const claimed = await store.claimOutbox(now, 10, { leaseMs: 60_000 });
      expect(claimed.map((o) => [o.key, o.attempts])).toEqual([["earliest", 1], ["early", 1], ["late", 1]]);
      // Leased items are invisible to a second claimer until the lease runs out.
      expect(await store.claimOutbox(now, 10)).toEqual([]);
      const [earliest, early, late] = claimed as [NonNullable<(typeof claimed)[0]>, NonNullable<(typeof claimed)[0]>, NonNullable<(typeof claimed)[0]>];

      const delivered = await store.markSent(earliest.id, "2025-03-02T11:00:01+08:00", {
        ...ev(2),
        type: "notification.sent",
        payload: { outbox: earliest.key },
      });
      expect(delivered).toMatchObject({ seq: 2, type: "notification.sent" });
      expect(await store.markSent(early.id, "2025-03-02T11:00:02+08:00")).toBeUndefined();
      await rejectsWith(store.markSent(earliest.id, "2025-03-02T11:00:03+08:00"), "OUTBOX_STATE");
      await rejectsWith(store.markSent(987654, "2025-03-02T11:00:03+08:00"), "OUTBOX_NOT_FOUND");

      await store.markAttemptFailed(late.id, "SMTP 451", "2025-03-02T11:05:00+08:00", false);
      expect(await store.claimOutbox("2025-03-02T11:04:59+08:00", 10)).toEqual([]);
      const retry = await store.claimOutbox("2025-03-02T11:05:00+08:00", 10);
      expect(retry.map((o) => [o.key, o.attempts, o.lastError])).toEqual([["late", 2, "SMTP 451"]]);
      const gaveUp = await store.markAttemptFailed(retry[0]!.id, "SMTP 550", "2025-03-02T11:10:00+08:00", true, {
        ...ev(3),
        type: "notification.failed",
        payload: { outbox: "late" },
      });
      expect(gaveUp).toMatchObject({ seq: 3 });

      expect(await store.outboxCounts()).toEqual({ pending: 1, sent: 2, failed: 1 });
      expect((await store.listOutbox({ status: "sent" })).map((o) => [o.key, o.sentAt])).toEqual([
        ["earliest", "2025-03-02T11:00:01+08:00"],
        ["early", "2025-03-02T11:00:02+08:00"],
      ]);
      expect(await store.listOutbox({ status: "failed" })).toMatchObject([{ key: "late", lastError: "SMTP 550", attempts: 2 }]);
      expect((await store.listOutbox({ channel: "sms", limit: 1 })).map((o) => o.key)).toEqual(["earliest"]);
      expect((await store.listOutbox({ key: "future" }))[0]).toMatchObject({ status: "pending", attempts: 0 });
      expect(await store.verify()).toMatchObject({ ok: true, count: 3 });
    });

    it("tells when its outbox next has a message to claim: due, leased, retried, none", async () => {
      const { store } = await fresh();
      expect(await store.nextOutboxAttemptMs()).toBeUndefined();
      await store.append([ev(1)], [
        { key: "a", channel: "sms", dueAt: "2025-03-02T10:00:00+08:00", payload: {} },
        { key: "b", channel: "sms", dueAt: "2025-03-03T10:00:00+08:00", payload: {} },
      ]);
      expect(await store.nextOutboxAttemptMs()).toBe(Date.parse("2025-03-02T02:00:00Z"));
      const [a] = await store.claimOutbox("2025-03-02T10:00:00+08:00", 1, { leaseMs: 60_000 });
      // Leased: not before the lease runs out.
      expect(await store.nextOutboxAttemptMs()).toBe(Date.parse("2025-03-02T02:01:00Z"));
      await store.markAttemptFailed(a!.id, "451", "2025-03-02T10:30:00+08:00", false);
      expect(await store.nextOutboxAttemptMs()).toBe(Date.parse("2025-03-02T02:30:00Z"));
      const [again] = await store.claimOutbox("2025-03-02T10:30:00+08:00", 1);
      await store.markSent(again!.id, "2025-03-02T10:30:01+08:00");
      expect(await store.nextOutboxAttemptMs()).toBe(Date.parse("2025-03-03T02:00:00Z"));
      const [b] = await store.claimOutbox("2025-03-03T10:00:00+08:00", 1);
      await store.markAttemptFailed(b!.id, "550", "2025-03-03T10:00:01+08:00", true);
      expect(await store.nextOutboxAttemptMs()).toBeUndefined();
    });

    it("renews a held lease, and refuses a settle by a claim whose lease was taken over (fencing)", async () => {
      const { store } = await fresh();
      await store.append([ev(1)], [{ key: "slow", channel: "email", dueAt: "2025-03-02T09:00:00+08:00", payload: null }]);
      const [first] = await store.claimOutbox("2025-03-02T09:00:00+08:00", 1, { leaseMs: 60_000 });
      // Renewed while its send is in flight: still hidden after the first lease would have run out.
      expect(await store.renewOutboxLease([{ id: first!.id, attempts: first!.attempts }], "2025-03-02T09:03:00+08:00")).toEqual([first!.id]);
      expect(await store.claimOutbox("2025-03-02T09:02:00+08:00", 1)).toEqual([]);
      // The lease runs out (the holder stalled): another dispatcher takes the item over.
      const [second] = await store.claimOutbox("2025-03-02T09:03:00+08:00", 1, { leaseMs: 60_000 });
      expect(second).toMatchObject({ id: first!.id, attempts: 2 });
      // The stale holder can neither renew nor settle; the current one settles.
      expect(await store.renewOutboxLease([{ id: first!.id, attempts: 1 }], "2025-03-02T09:10:00+08:00")).toEqual([]);
      await rejectsWith(store.markSent(first!.id, "2025-03-02T09:03:01+08:00", { ...ev(2), type: "delivered" }, { attempt: 1 }), "OUTBOX_LEASE_LOST");
      await rejectsWith(store.markAttemptFailed(first!.id, "x", "2025-03-02T09:05:00+08:00", false, undefined, { attempt: 1 }), "OUTBOX_LEASE_LOST");
      expect(await store.markSent(second!.id, "2025-03-02T09:03:02+08:00", { ...ev(3), type: "delivered" }, { attempt: 2 })).toMatchObject({ seq: 2 });
      expect(await store.renewOutboxLease([{ id: second!.id, attempts: 2 }], "2025-03-02T09:10:00+08:00")).toEqual([]);
      expect(await store.listOutbox({ key: "slow" })).toMatchObject([{ status: "sent", attempts: 2 }]);
      expect(await store.verify()).toMatchObject({ ok: true, count: 2 });
    });

    it("settles many claims in one transaction, each fenced by its own claim: a stale or settled one is refused alone", async () => {
      const { store } = await fresh();
      const due = "2025-03-02T09:00:00+08:00";
      await store.append([ev(1)], ["a", "b", "c", "d"].map((key) => ({ key, channel: "email", dueAt: due, payload: null })));
      const claims = await store.claimOutbox(due, 4, { leaseMs: 60_000 });
      const [a, b, c, d] = claims;
      // b's lease runs out and another dispatcher takes it over; c was settled already.
      await store.renewOutboxLease([a!, c!, d!].map((x) => ({ id: x.id, attempts: x.attempts })), "2025-03-02T09:10:00+08:00");
      const [b2] = await store.claimOutbox("2025-03-02T09:01:00+08:00", 1, { leaseMs: 60_000 });
      expect(b2).toMatchObject({ id: b!.id, attempts: 2 });
      await store.markSent(c!.id, "2025-03-02T09:01:30+08:00", { ...ev(2), type: "delivered" }, { attempt: c!.attempts });
      const at = "2025-03-02T09:02:00+08:00";
      const out = await store.markSentMany(claims.map((x, k) => ({ id: x.id, sentAt: at, event: { ...ev(10 + k), at, type: "delivered", payload: { key: x.key } }, opts: { attempt: x.attempts } })));
      expect(out.map((o) => ("event" in o ? o.event.seq : o.error.code))).toEqual([3, "OUTBOX_LEASE_LOST", "OUTBOX_STATE", 4]);
      expect(out[0]).toMatchObject({ event: { payload: { key: "a" } } });
      expect(out[3]).toMatchObject({ event: { payload: { key: "d" } } });
      expect((await store.listOutbox({ limit: 10 })).map((o) => [o.key, o.status, o.status === "sent" ? o.sentAt : null])).toEqual([
        ["a", "sent", at],
        ["b", "pending", null],
        ["c", "sent", "2025-03-02T09:01:30+08:00"],
        ["d", "sent", at],
      ]);
      // An append that cannot go in (before the log's last instant) writes none of the batch.
      const [b3] = [b2!];
      await rejectsWith(store.markSentMany([{ id: b3.id, sentAt: due, event: { ...ev(20), at: due, type: "delivered" }, opts: { attempt: b3.attempts } }]), "CLOCK_BEHIND");
      expect(await store.listOutbox({ key: "b" })).toMatchObject([{ status: "pending" }]);
      expect(await store.verify()).toMatchObject({ ok: true, count: 4 });
    });

    it("keeps the channels that took a message and its retry horizon across claims, and retries failed items on request", async () => {
      const { h, store } = await fresh();
      await store.append([ev(1)], [
        { key: "a", channel: "reminder", dueAt: "2025-03-03T09:00:00+08:00", payload: null },
        { key: "b", channel: "reminder", dueAt: "2025-03-03T09:00:00+08:00", payload: null },
      ]);
      const [a, b] = await store.claimOutbox("2025-03-03T09:00:00+08:00", 2);
      await store.markAttemptFailed(a!.id, "WEBHOOK: 130101", "2025-03-03T09:01:00+08:00", false, undefined, {
        attempt: 1,
        deliveredVia: ["email"],
        retryUntil: "2025-03-04T09:00:00+08:00",
      });
      await store.markAttemptFailed(b!.id, "SMTP 550", "2025-03-03T09:01:00+08:00", true, undefined, { attempt: 1 });
      // Another connection (a later `run --once` process) reads them back on claim.
      const other = await reopen(h);
      const [again] = await other.claimOutbox("2025-03-03T09:01:00+08:00", 5);
      expect(again).toMatchObject({ key: "a", attempts: 2, deliveredVia: ["email"], retryUntil: "2025-03-04T09:00:00+08:00" });
      // A settle without them keeps what is stored.
      await other.markAttemptFailed(again!.id, "WEBHOOK: 130101", "2025-03-03T09:03:00+08:00", true, undefined, { attempt: 2 });
      expect(await other.listOutbox({ status: "failed" })).toMatchObject([
        { key: "a", deliveredVia: ["email"], retryUntil: "2025-03-04T09:00:00+08:00" },
        { key: "b", attempts: 1 },
      ]);
      expect((await other.listOutbox({ key: "b" }))[0]!.deliveredVia).toBeUndefined();

      // All or nothing: one key that is not failed refuses the whole retry.
      const retried = { at: "2025-03-04T10:00:00+08:00", actor: { kind: "unit" as const, unit: "office" }, type: "outboxRetried", payload: { keys: ["a", "b"] }, planHash: "plan-a" };
      await store.append([ev(2)], [{ key: "c", channel: "reminder", dueAt: "2025-03-04T09:00:00+08:00", payload: null }]);
      await rejectsWith(store.retryOutbox(["a", "c"], "2025-03-04T10:00:00+08:00", retried), "OUTBOX_STATE");
      await rejectsWith(store.retryOutbox(["a", "nope"], "2025-03-04T10:00:00+08:00", retried), "OUTBOX_NOT_FOUND");
      expect((await store.head()).seq).toBe(2);
      expect(await store.outboxCounts()).toEqual({ pending: 1, sent: 0, failed: 2 });

      expect(await store.retryOutbox(["a", "b"], "2025-03-04T10:00:00+08:00", retried)).toMatchObject({ seq: 3, type: "outboxRetried", payload: { keys: ["a", "b"] } });
      const claimed = await store.claimOutbox("2025-03-04T10:00:00+08:00", 5);
      // Same items (same keys, so the same Message-IDs), attempts keep counting, a fresh horizon, the channels kept.
      expect(claimed.map((o) => [o.key, o.attempts, o.status, o.retryUntil, o.deliveredVia])).toEqual([
        ["a", 3, "pending", undefined, ["email"]],
        ["b", 2, "pending", undefined, undefined],
        ["c", 1, "pending", undefined, undefined],
      ]);
      expect(await store.verify()).toMatchObject({ ok: true, count: 3 });
    });

    it("serialises concurrent appends from several connections in one process", async () => {
      const { h, store } = await fresh();
      const other = await reopen(h);
      await Promise.all(
        // One instant for all: which connection wins the lock first is up to the scheduler.
        Array.from({ length: 40 }, (_, i) => (i % 2 ? store : other).append([ev(i, { at: T0 }), ev(i + 100, { at: T0 })])),
      );
      expect(await store.verify()).toMatchObject({ ok: true, count: 80 });
      const seqs = (await collect(store.read({ batchSize: 7 }))).map((e) => e.seq);
      expect(seqs).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
    });

    it("never forks the chain with two OS processes appending concurrently", async () => {
      const { h, store } = await fresh();
      const writers = ["A", "B"].map((tag) => runWriter(h.spec, ["batch", tag, "300"]));
      await waitFor(() => writers.every((w) => w.lines.includes("ready")), writers);
      for (const w of writers) w.child.stdin!.end("go\n");
      const results = await Promise.all(writers.map((w) => w.exited));
      for (const [i, r] of results.entries()) {
        expect(r, r.stderr).toMatchObject({ code: 0 });
        expect(writers[i]!.lines).toEqual(["ready", "done"]);
      }
      expect(await store.verify()).toMatchObject({ ok: true, count: 600 });
      const byWriter: Record<string, number[]> = { A: [], B: [] };
      let expected = 1;
      for await (const e of store.read({ batchSize: 128 })) {
        expect(e.seq).toBe(expected++);
        const p = e.payload as { writer: string; i: number };
        byWriter[p.writer]!.push(p.i);
      }
      const all = Array.from({ length: 300 }, (_, i) => i);
      expect(byWriter.A).toEqual(all);
      expect(byWriter.B).toEqual(all);
      // Both really ran at the same time: their transactions interleave somewhere in the log.
      const writersInOrder = (await collect(store.read())).map((e) => (e.payload as { writer: string }).writer);
      const switches = writersInOrder.filter((w, i) => i > 0 && w !== writersInOrder[i - 1]).length;
      expect(switches).toBeGreaterThan(1);
    });

    it("loses no acknowledged append when the writer is killed with SIGKILL", async () => {
      const { h } = await fresh();
      const w = runWriter(h.spec, ["loop", "K"]);
      await waitFor(() => w.lines.length >= 60, [w]);
      w.child.kill("SIGKILL");
      const exit = await w.exited;
      expect(exit.signal).toBe("SIGKILL");
      // Every seq the child printed was acknowledged before it died, including lines still in the pipe at kill time.
      const acked = w.lines.map((l) => l.split(" ").map(Number) as [number, number]);
      expect(acked.length).toBeGreaterThanOrEqual(60);

      const store = await reopen(h);
      const v = await store.verify();
      expect(v).toMatchObject({ ok: true });
      const events = new Map((await collect(store.read())).map((e) => [e.seq, e]));
      for (const [seq, i] of acked) {
        expect(events.get(seq)?.payload, `acknowledged seq ${seq}`).toEqual({ writer: "K", i });
      }
      // And the store takes new writes after the crash.
      const [next] = await store.append([ev(1)]);
      expect(next!.seq).toBe(events.size + 1);
    });

    it("streams 20,000 events in batches", async () => {
      const { store } = await fresh();
      for (let chunk = 0; chunk < 20; chunk++) {
        await store.append(
          Array.from({ length: 1000 }, (_, k) => {
            const i = chunk * 1000 + k;
            return { at: "2025-03-01T09:00:00+08:00", actor: { kind: "engine" }, type: "tick", payload: { i }, planHash: "p", assignment: `a${i % 50}` };
          }),
        );
      }
      let n = 0;
      for await (const e of store.read({ batchSize: 733 })) {
        expect(e.seq).toBe(++n);
      }
      expect(n).toBe(20_000);
      let m = 0;
      for await (const e of store.read({ assignment: "a7", fromSeq: 10_000, batchSize: 50 })) {
        expect((e.payload as { i: number }).i % 50).toBe(7);
        m++;
      }
      expect(m).toBe(200);
      // A reader that stops early does not hold anything open.
      for await (const e of store.read({ batchSize: 100 })) if (e.seq === 5) break;
      expect(await store.verify({ batchSize: 2500 })).toMatchObject({ ok: true, count: 20_000 });
    });

    it("refuses use after close", async () => {
      const { h } = await fresh();
      const s = await h.open();
      await s.close();
      await s.close();
      await rejectsWith(s.head(), "CLOSED");
      await rejectsWith(s.append([ev(1)]), "CLOSED");
    });
  });
}

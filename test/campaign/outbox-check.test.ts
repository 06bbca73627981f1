import Database from "better-sqlite3";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createNotifiers } from "../../notifiers/index.ts";
import { Campaign } from "../../src/campaign/campaign.ts";
import { checkOutbox } from "../../src/campaign/outbox-check.ts";
import { main } from "../../src/cli/main.ts";
import { Dispatcher } from "../../src/dispatch/dispatcher.ts";
import { openStore } from "../../src/store/open.ts";
import { captureIo, cst } from "../helpers.ts";
import { pgAdmin, pgSchema, pgSpec, pgUnavailable } from "../pg.ts";
import { tempDir } from "../delivery/support.ts";

const PLAN = "plans/chongqing-2021.yaml";
const YUZHONG_0517 = "cq-labour-intermediary-2021/yuzhong/2021-05-17T09:00:00+08:00";
const YUZHONG_0521 = "cq-labour-intermediary-2021/yuzhong/2021-05-21T09:00:00+08:00";

interface Backend {
  name: string;
  skip: boolean;
  /** A fresh store spec and a way to run SQL on its outbox table behind the store's back. */
  make(): { spec: string; sql(statement: string): Promise<void> };
}

const dir = tempDir("outbox-check");
let n = 0;
const backends: Backend[] = [
  {
    name: "SQLite",
    skip: false,
    make() {
      const spec = join(dir, `c${++n}.db`);
      return {
        spec,
        async sql(statement) {
          const db = new Database(spec);
          db.exec(statement.replace("{outbox}", "outbox"));
          db.close();
        },
      };
    },
  },
  {
    name: "PostgreSQL",
    skip: Boolean(pgUnavailable),
    make() {
      const schema = pgSchema();
      return { spec: pgSpec(schema), sql: (statement) => pgAdmin(async (c) => void (await c.query(statement.replace("{outbox}", `"${schema}".outbox`)))) };
    },
  },
];

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Reminders of 05-17 queued and sent (to .eml files), those of 05-21 queued and pending. */
async function campaignWithOutbox(b: Backend) {
  const h = b.make();
  const store = await openStore(h.spec);
  cleanups.push(() => store.close());
  const c = await Campaign.init(store, PLAN, cst("2021-04-28T10:00"));
  await c.tick(cst("2021-05-17T09:00"));
  const notifiers = createNotifiers({ emlDir: join(dir, `eml${++n}`) });
  cleanups.push(() => notifiers.close());
  expect((await new Dispatcher(c, notifiers).dispatchDue(cst("2021-05-17T09:00"))).sent).toBe(38);
  await c.tick(cst("2021-05-21T09:00"));
  return { ...h, store };
}

for (const b of backends) {
  describe.skipIf(b.skip)(`verify cross-checks the outbox against the log (${b.name})`, () => {
    it("passes on a store the daemon wrote", async () => {
      const { store } = await campaignWithOutbox(b);
      expect(await checkOutbox(store)).toEqual({ ok: true, rows: 38 + 39 });
    });

    it("names a pending reminder's row set to sent by hand: it has no delivered event", async () => {
      const { store, sql } = await campaignWithOutbox(b);
      expect((await store.verify()).ok).toBe(true);
      await sql(`UPDATE {outbox} SET status = 'sent', sent_at = '2021-05-21T09:00:01+08:00' WHERE key = '${YUZHONG_0521}'`);
      expect((await store.verify()).ok).toBe(true); // the chain alone cannot see it
      const r = await checkOutbox(store);
      expect(r).toMatchObject({ ok: false, key: YUZHONG_0521 });
      expect(!r.ok && r.problem).toContain(`发送记录 ${YUZHONG_0521} 标记为已发送，但日志中没有它的送达事件（delivered）`);
    });

    it("names a row set to failed by hand: it has no deliveryFailed event", async () => {
      const { store, sql } = await campaignWithOutbox(b);
      await sql(`UPDATE {outbox} SET status = 'failed' WHERE key = '${YUZHONG_0521}'`);
      expect(await checkOutbox(store)).toMatchObject({ ok: false, key: YUZHONG_0521 });
    });

    it("names the reminded event whose row was deleted, for an old (sent) and a new (pending) row", async () => {
      for (const key of [YUZHONG_0517, YUZHONG_0521]) {
        const { store, sql } = await campaignWithOutbox(b);
        await sql(`DELETE FROM {outbox} WHERE key = '${key}'`);
        const r = await checkOutbox(store);
        expect(r.ok, key).toBe(false);
        const seq = !r.ok ? r.seq! : 0;
        const e = await (async () => {
          for await (const x of store.read({ fromSeq: seq, toSeq: seq })) return x;
        })();
        // A reminder of yuzhong's that this message carries (the 05-21 tick also carries the 05-20 step, collapsed).
        expect(e).toMatchObject({ type: "reminded", payload: { recipients: ["yuzhong"] } });
        expect(Date.parse(e!.at)).toBeLessThanOrEqual(Date.parse(key.split("/")[2]!));
        expect(Date.parse(e!.at)).toBeGreaterThan(Date.parse(key.split("/")[2]!) - 4 * 86_400_000);
        expect(!r.ok && r.problem).toContain(`日志第 ${seq} 条记录了对 yuzhong 的提醒`);
      }
    });
  });
}

describe("duban verify", () => {
  it("says 完整 with the outbox checked, and fails naming the doctored row (SQLite)", async () => {
    const { spec, sql } = await campaignWithOutbox(backends[0]!);
    const ok = captureIo();
    expect(await main(["node", "duban", "--db", spec, "verify"], ok), ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^完整：\d+ 条事件，日志头 [0-9a-f]{64}；发送队列 77 条与日志一致/);
    await sql(`UPDATE {outbox} SET status = 'sent' WHERE key = '${YUZHONG_0521}'`);
    const bad = captureIo();
    expect(await main(["node", "duban", "--db", spec, "verify"], bad)).toBe(1);
    expect(bad.stderr).toBe(`校验失败：发送队列与日志不符：发送记录 ${YUZHONG_0521} 标记为已发送，但日志中没有它的送达事件（delivered）：该消息从未送出，记录可能被改动过\n`);
  });
});

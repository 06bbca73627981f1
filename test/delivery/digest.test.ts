import { describe, expect, it } from "vitest";
import { addCampaign, allCampaigns } from "../../src/campaign/campaigns.ts";
import { Campaign } from "../../src/campaign/campaign.ts";
import { runCycle } from "../../src/daemon/cycle.ts";
import { notifiersFor } from "../../src/daemon/host.ts";
import { Dispatcher } from "../../src/dispatch/dispatcher.ts";
import { SqliteStore } from "../../src/store/sqlite.ts";
import { startStoreDaemon, type StoreDaemonOptions } from "../../src/daemon/store-daemon.ts";
import { openStore } from "../../src/store/open.ts";
import type { EventStore } from "../../src/store/store.ts";
import { otherCampaignPlan } from "../campaign/plans.ts";
import { cst } from "../helpers.ts";
import { startSmtp, type SmtpFixture } from "../notifiers/fixtures.ts";
import { pgSchema, pgSpec, pgUnavailable } from "../pg.ts";
import { countById, deliveredIds, parseAll, runDuban, tempDir, until } from "./support.ts";

/**
 * Issue 14: a unit owing reminders in several campaigns of a store at one send time gets one message, with a
 * section per campaign; a crash between its send and its settle resends the same Message-ID with the same
 * sections and settles every member once. Real SMTP, both backends.
 */

const NOW = cst("2021-05-17T09:00");
const TITLES = ["重庆市劳务中介专项整治行动", "重庆市根治欠薪专项行动", "重庆市冬季根治欠薪行动"];

async function withCampaigns(store: EventStore, n: number): Promise<void> {
  await addCampaign(store, "plans/chongqing-2021.yaml", cst("2021-04-28T10:00"));
  if (n >= 2) await addCampaign(store, otherCampaignPlan("cq-wage-arrears-2021", TITLES[1]), cst("2021-04-28T10:00"));
  if (n >= 3) await addCampaign(store, otherCampaignPlan("cq-winter-2021", TITLES[2]), cst("2021-04-28T10:00"));
}

/** Runs the store daemon at `now` until every campaign's outbox has nothing pending that is due, then stops it. */
async function runDaemon(store: EventStore, smtp: SmtpFixture, now: number, opts: Partial<StoreDaemonOptions> = {}, done?: () => Promise<boolean>): Promise<string[]> {
  const notifiers = notifiersFor({ smtpUrl: smtp.url, emlDir: "" }, {});
  const lines: string[] = [];
  const daemon = startStoreDaemon(store, notifiers, { log: (line) => lines.push(line), now: () => now, watchMs: 60_000, ...opts });
  try {
    await until(
      "the campaigns to send",
      done ??
        (async () => {
          const all = await allCampaigns(store);
          if (daemon.leading().length < all.length) return false;
          for (const { log } of all) {
            const c = await log.outboxCounts();
            if (c.pending > 0 || c.sent === 0) return false;
          }
          return true;
        }),
      60_000,
    );
  } finally {
    await daemon.stop();
    await notifiers.close();
  }
  return lines;
}

type Backend = { name: string; open: () => Promise<EventStore>; skip?: boolean };
const backends: Backend[] = [
  { name: "SQLite", open: () => openStore(`${tempDir("digest")}/s.db`) },
  { name: "PostgreSQL", open: () => openStore(pgSpec(pgSchema())), skip: pgUnavailable !== undefined },
];

for (const b of backends) {
  describe.skipIf(b.skip)(`one message per recipient and send time across campaigns (${b.name})`, () => {
    for (const n of [2, 3]) {
      it(`${n} campaigns owing one unit at 09:00 give one message with a section each`, { timeout: 120_000 }, async () => {
        const store = await b.open();
        const smtp = await startSmtp();
        try {
          await withCampaigns(store, n);
          await runDaemon(store, smtp, NOW);
          const mails = await parseAll(smtp.received);
          // Every Message-ID reached the server once.
          for (const [id, k] of countById(smtp.received)) expect(k, id).toBe(1);
          const banan = mails.filter((m) => m.envelopeTo.includes("banan@example.gov.cn") && m.kind !== "summary");
          expect(banan.map((m) => m.key)).toHaveLength(1);
          const mail = banan[0]!;
          expect(mail.kind).toBe("digest");
          expect(mail.key).toMatch(/^digest\/banan\/2021-05-17T01:00:00.000Z\//);
          const text = mail.parsed.text ?? "";
          const headings = TITLES.slice(0, n).map((t, k) => `${["一", "二", "三"][k]}、${t}`);
          for (const h of headings) expect(text).toContain(`━━━━ ${h} ━━━━`);
          expect(text.match(/━━━━ /g)).toHaveLength(n);
          // Each section's links open its own campaign's pages: the items share their paths across campaigns.
          const ids = ["cq-labour-intermediary-2021", "cq-wage-arrears-2021", "cq-winter-2021"].slice(0, n);
          const sections = text.split(/━━━━ [一二三]、/).slice(1);
          expect(sections).toHaveLength(n);
          sections.forEach((sec, k) => {
            const named = [...sec.matchAll(/\?campaign=([\w-]+)/g)].map((m) => m[1]);
            expect(named.length, ids[k]).toBeGreaterThan(0);
            expect(new Set(named), ids[k]).toEqual(new Set([ids[k]]));
          });
          expect(mail.parsed.subject).toMatch(new RegExp(`${n}项专项行动共\\d+项事项待办理$`));
          expect(mail.parsed.html).toContain(`<h2 style="font-size: 16px; border-bottom: 1px solid #ccc;">${headings[n - 1]}</h2>`);
          // Each campaign's row of banan settled in its own chain with the group's Message-ID and key.
          const campaigns = await allCampaigns(store);
          expect(campaigns).toHaveLength(n);
          for (const { record, log } of campaigns) {
            const row = (await log.listOutbox({ limit: 1000 })).find((o) => o.key === `${record.id}/banan/2021-05-17T09:00:00+08:00`)!;
            expect(row.status, record.id).toBe("sent");
            const d = (await deliveredIds(log)).get(row.key)!;
            expect(d.messageId).toBe(mail.parsed.messageId);
            expect(d.digest).toBe(mail.key);
            expect((await log.verify()).ok).toBe(true);
          }
        } finally {
          await smtp.close();
          await store.close();
        }
      });
    }

    it("a crash between send and settle resends the same Message-ID with the same sections and settles every member once", { timeout: 120_000 }, async () => {
      const store = await b.open();
      const smtp = await startSmtp();
      try {
        await withCampaigns(store, 2);
        // The first daemon's store fails every group's settle, as a process killed right after the send would leave it.
        let refused = 0;
        const crashing = new Proxy(store, {
          get(target, prop, receiver) {
            if (prop === "settleDigest")
              return async () => {
                refused++;
                throw new Error("the process died before it recorded the group");
              };
            const v = Reflect.get(target, prop, receiver) as unknown;
            return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
          },
        });
        const leaseMs = 60_000;
        await runDaemon(crashing, smtp, NOW, { leaseMs }, async () => {
          // Done when every campaign sent what is not in a group, and every group went out once.
          if (refused === 0) return false;
          for (const { log } of await allCampaigns(store)) {
            const c = await log.outboxCounts();
            if (c.sent === 0) return false;
            const due = (await log.listOutbox({ status: "pending", limit: 1000 })).filter((o) => o.attempts === 0);
            if (due.length > 0) return false;
          }
          return true;
        });
        const first = await parseAll(smtp.received);
        const groups = first.filter((m) => m.kind === "digest");
        expect(groups.length).toBeGreaterThan(0);
        expect(refused).toBe(groups.length);
        // Nothing of a group was sent alone meanwhile: its rows wait, claimed, for the group's retry.
        for (const { log } of await allCampaigns(store)) {
          const delivered = await deliveredIds(log);
          for (const o of await log.listOutbox({ status: "pending", limit: 1000 })) expect(delivered.has(o.key), o.key).toBe(false);
        }
        const before = smtp.received.length;
        // Restarted after the leases ran out: the recorded groups go again, whole, under their Message-IDs.
        await runDaemon(store, smtp, NOW + 2 * leaseMs, { leaseMs });
        const again = (await parseAll(smtp.received.slice(before))).filter((m) => m.kind === "digest");
        expect(again.map((m) => m.parsed.messageId).sort()).toEqual(groups.map((m) => m.parsed.messageId).sort());
        for (const m of again) {
          const was = groups.find((g) => g.parsed.messageId === m.parsed.messageId)!;
          expect(m.parsed.text).toBe(was.parsed.text);
          expect(m.parsed.html).toBe(was.parsed.html);
          expect(m.parsed.headers.get("x-duban-members")).toBe(was.parsed.headers.get("x-duban-members"));
        }
        // Only the groups went twice (the receiver drops the duplicate by Message-ID); every member settled once.
        for (const [id, k] of countById(smtp.received)) expect(k, id).toBe(groups.some((g) => g.parsed.messageId === id) ? 2 : 1);
        for (const { record, log } of await allCampaigns(store)) {
          const outcomes = new Map<string, number>();
          for await (const e of log.read({ types: ["delivered", "deliveryRetry", "deliveryFailed"] })) {
            const key = (e.payload as { key: string }).key;
            outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
          }
          for (const o of await log.listOutbox({ limit: 1000 })) {
            expect(o.status, o.key).toBe("sent");
            expect(outcomes.get(o.key), `${record.id} ${o.key}`).toBe(1);
          }
          expect((await log.verify()).ok).toBe(true);
        }
        expect(await store.openDigests()).toEqual([]);
      } finally {
        await smtp.close();
        await store.close();
      }
    });
  });
}

describe("a store of one campaign", () => {
  it("sends through the store daemon exactly what its campaign's own dispatcher sends, byte for byte", { timeout: 120_000 }, async () => {
    const dir = tempDir("digest-single");
    const store = await openStore(`${dir}/a.db`);
    const viaDaemon = await startSmtp();
    const alone = await startSmtp();
    try {
      await withCampaigns(store, 1);
      // A copy keeps the store id, so both send the same Message-IDs.
      await (store as SqliteStore).backup(`${dir}/b.db`);
      await runDaemon(store, viaDaemon, NOW);
      const copy = await openStore(`${dir}/b.db`);
      const notifiers = notifiersFor({ smtpUrl: alone.url, emlDir: "" }, {});
      try {
        const c = await Campaign.open(copy);
        await runCycle(c, new Dispatcher(c, notifiers), NOW);
      } finally {
        await notifiers.close();
        await copy.close();
      }
      // The daily summary quotes the log's head, which hangs on the order the deliveries before it were
      // recorded in (concurrent sends), so two runs of the same code differ there: it is compared by id only.
      const bytes = (f: SmtpFixture) => new Map(f.received.map((r) => [r.messageId!, /^X-Duban-Kind: summary/m.test(r.raw.toString("utf8")) ? "summary" : r.raw.toString("utf8")]));
      const a = bytes(viaDaemon);
      const b = bytes(alone);
      expect(a.size).toBeGreaterThan(30);
      expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
      for (const [id, raw] of a) expect(raw, id).toBe(b.get(id));
      expect((await parseAll(viaDaemon.received)).some((m) => m.kind === "digest")).toBe(false);
    } finally {
      await viaDaemon.close();
      await alone.close();
      await store.close();
    }
  });
});

describe("duban run --once on a store of two campaigns", () => {
  it("ticks both first, then sends a unit's reminders of both as one message", { timeout: 120_000 }, async () => {
    const db = `${tempDir("digest-once")}/s.db`;
    const store = await openStore(db);
    const smtp = await startSmtp();
    try {
      await withCampaigns(store, 2);
      await store.close();
      const run = runDuban(["--db", db, "--now", "2021-05-17T09:00+08:00", "run", "--once"], { DUBAN_SMTP_URL: smtp.url });
      const exit = await run.exited;
      expect(exit.code, run.stderr()).toBe(0);
      const mails = await parseAll(smtp.received);
      for (const [id, k] of countById(smtp.received)) expect(k, id).toBe(1);
      const banan = mails.filter((m) => m.envelopeTo.includes("banan@example.gov.cn") && m.kind !== "summary");
      expect(banan.map((m) => m.kind)).toEqual(["digest"]);
      expect(banan[0]!.parsed.text).toContain(`━━━━ 二、${TITLES[1]} ━━━━`);
      // Each campaign's line counts the rows that went in groups as sent.
      expect(run.stderr()).toMatch(/once campaign=cq-wage-arrears-2021 .* sent=[1-9]/);
    } finally {
      await smtp.close();
      await store.close();
    }
  });
});

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openSidecar, type Sidecar } from "../../src/access/open.ts";
import { addUser } from "../../src/access/users.ts";
import { Campaign } from "../../src/campaign/campaign.ts";
import { main } from "../../src/cli/main.ts";
import { SqliteStore } from "../../src/store/sqlite.ts";
import type { StoredEvent } from "../../src/store/types.ts";
import { eventZh } from "../../src/text/labels.ts";
import { startServer, type RunningServer } from "../../src/web/server.ts";
import { captureIo, cst } from "../helpers.ts";
import { Client } from "./setup.ts";

/**
 * The CLI and the web once worded the same event differently (逾期 / 已逾期, 通过 / 审核通过). Both now
 * name an event through one table: an item's whole trail, read by `duban history` and on its web page.
 */
const ID = "implementation-plan/yuzhong";
let dir: string;
let db: string;
let store: SqliteStore;
let sidecar: Sidecar;
let server: RunningServer;
let trail: StoredEvent[];
let cli: string;
let page: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "duban-words-"));
  db = join(dir, "duban.db");
  store = new SqliteStore(db, { synchronous: "NORMAL" });
  const c = await Campaign.init(store, "plans/chongqing-2021.yaml", cst("2021-04-28T10:00"));
  const yuzhong = { kind: "unit" as const, unit: "yuzhong" };
  const office = { kind: "unit" as const, unit: "liu-qingqing" };
  await c.tick(cst("2021-05-18T10:00"));
  await c.step({ type: "submit", assignment: ID, actor: yuzhong, note: "见附件" }, cst("2021-05-18T11:00"));
  await c.step({ type: "return", assignment: ID, actor: office, note: "内容不全" }, cst("2021-05-19T15:00"));
  await c.tick(cst("2021-05-24T10:00"));
  await c.step({ type: "extend", assignment: ID, actor: office, until: cst("2021-06-04T18:00"), note: "汛期" }, cst("2021-05-24T11:00"));
  await c.step({ type: "submit", assignment: ID, actor: yuzhong }, cst("2021-05-25T09:00"));
  await c.step({ type: "accept", assignment: ID, actor: office }, cst("2021-05-25T15:00"));
  trail = await c.history(ID);
  sidecar = await openSidecar(store);
  const token = (await addUser(c, sidecar.access, { name: "liu", unit: "liu-qingqing", role: "office" }, cst("2021-05-25T16:00"))).token;
  server = await startServer({ campaign: c, sidecar, port: 0, host: "127.0.0.1", now: () => cst("2021-05-25T16:00"), wallNow: () => Date.now() });
  const client = new Client(server.url);
  expect((await client.signIn(token)).status).toBe(303);
  page = await (await client.fetch(`/items/${ID}`)).text();
  const io = captureIo();
  expect(await main(["node", "duban", "--db", db, "history", ID], io), io.stderr).toBe(0);
  cli = io.stdout;
});

afterAll(async () => {
  await server?.close();
  sidecar?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("an event reads the same in duban history and on the web item page", () => {
  it("the trail has the events worth comparing", () => {
    const types = new Set(trail.map((e) => e.type));
    for (const t of ["opened", "submitted", "returned", "overdue", "reminded", "extended", "accepted"]) expect(types, t).toContain(t);
  });

  it("each with the one name the label table gives it", () => {
    for (const e of trail) {
      const name = eventZh(e.type, e.payload);
      expect(name, e.type).not.toBe(e.type);
      expect(cli, e.type).toContain(`  ${name}`);
      // The page lists reminders in their own table, by level, not in the trail.
      expect(page, e.type).toContain(e.type === "reminded" ? `<td>${name}` : `<b>${name}</b>`);
    }
    expect(cli).toContain("  审核通过  ");
    expect(page).toContain("<b>审核通过</b>");
    expect(cli).toContain("  已逾期  ");
    expect(page).toContain("<b>已逾期</b>");
  });
});

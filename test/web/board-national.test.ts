import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openSidecar, type Sidecar } from "../../src/access/open.ts";
import { addUser } from "../../src/access/users.ts";
import { Campaign } from "../../src/campaign/campaign.ts";
import { generatePlan } from "../../src/scale/generate.ts";
import { SqliteStore } from "../../src/store/sqlite.ts";
import { MATRIX_MAX_ROWS } from "../../src/web/board-summary.ts";
import { startServer, type RunningServer } from "../../src/web/server.ts";
import { cst } from "../helpers.ts";
import { Client } from "./setup.ts";

// The office's board at national size (issue 16): a summary with drill-down, not a matrix of 30,000 cells.
let dir: string;
let store: SqliteStore;
let sidecar: Sidecar;
let server: RunningServer;
let office: Client;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "duban-national-"));
  const plan = join(dir, "national.yaml");
  writeFileSync(plan, generatePlan("30k").text);
  store = new SqliteStore(join(dir, "duban.db"), { synchronous: "NORMAL" });
  const now = cst("2025-06-16T10:00");
  const campaign = await Campaign.init(store, plan, cst("2024-12-30T10:00"));
  await campaign.tick(now);
  sidecar = await openSidecar(store);
  const { token } = await addUser(campaign, sidecar.access, { name: "office", unit: "lg-office", role: "office" }, now);
  server = await startServer({ campaign, sidecar, port: 0, host: "127.0.0.1", now: () => now });
  office = new Client(server.url);
  await office.signIn(token);
}, 300_000);
afterAll(async () => {
  await server?.close();
  sidecar?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const cells = (page: string) => (page.match(/class="cell /g) ?? []).length;

describe("the board at national size", () => {
  it("summarises by group of units and by deliverable, each line a link one level down, until a matrix fits", async () => {
    const top = await (await office.fetch("/")).text();
    expect(top).toContain('class="summary"');
    expect(cells(top)).toBe(0);
    expect(top).toContain("湖北省各县级人社部门");
    // One line per province's counties (and the provinces' own group), not one per county.
    const lines = [...top.matchAll(/<tr data-key="(@[^"]+)"/g)].map((m) => m[1]);
    expect(lines).toContain("@p17-counties");
    expect(lines).not.toContain("p17-c001");
    // The page stays a page: well under what 30,000 cells would weigh.
    expect(top.length).toBeLessThan(600_000);

    const group = await (await office.fetch("/?group=p17-counties")).text();
    expect(group).toContain("当前范围：湖北省各县级人社部门");
    expect(cells(group)).toBeGreaterThan(0);
    expect(cells(group)).toBeLessThanOrEqual(MATRIX_MAX_ROWS);
    expect(group).toContain('href="/units/p17-c001"');
    expect(group).not.toContain('href="/units/p01-c001"');

    const deliverable = await (await office.fetch("/?deliverable=county-self-inspection")).text();
    expect(cells(deliverable)).toBe(2850);
  });

  it("pages /api/board: 1000 rows a page, the counts over all of them", async () => {
    const first = (await (await office.fetch("/api/board")).json()) as { total: number; assignments: unknown[]; nextCursor: string | null; phases: { total: number }[] };
    expect(first.total).toBeGreaterThan(25_000);
    expect(first.assignments).toHaveLength(1000);
    expect(first.nextCursor).not.toBeNull();
    const second = (await (await office.fetch(`/api/board?cursor=${encodeURIComponent(first.nextCursor!)}`)).json()) as { assignments: { id: string }[] };
    expect(second.assignments).toHaveLength(1000);
  });
});

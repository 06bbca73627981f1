import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, startFixture, type Fixture } from "./setup.ts";
import { boardStory } from "./board-setup.ts";
import fc from "fast-check";
import { BOARD_PAGE_MAX, pageOf } from "../../src/web/routes-api.ts";

type Row = { id: string; unit: string; phase?: string; state: string; late: boolean; level: number; members?: string[] };
type Board = { phases: { phase: string; total: number; overdue: number }[]; assignments: Row[] };

let f: Fixture;
let office: Client;

beforeAll(async () => {
  f = await startFixture();
  await boardStory(f);
  office = new Client(f.server.url);
  await office.signIn(f.tokens.office);
});
afterAll(async () => f?.close());

const board = async (q: string) => (await (await office.fetch(`/api/board${q}`)).json()) as Board;
const owedLate = (r: Row) => r.late && ["waiting", "open", "returned"].includes(r.state);

describe("the office's board, by the API", () => {
  it("counts each phase over the rows the filter selects (单位=渝中区: the table adds up to the rows)", async () => {
    const b = await board("?unit=yuzhong");
    expect(b.assignments.length).toBeGreaterThan(0);
    expect(b.assignments.every((r) => r.unit === "yuzhong" || r.members?.includes("yuzhong"))).toBe(true);
    const inPhases = b.assignments.filter((r) => r.phase).length;
    expect(b.phases.reduce((n, p) => n + p.total, 0)).toBe(inPhases);
    const overdue = await board("?overdue=1");
    expect(overdue.phases.reduce((n, p) => n + p.total, 0)).toBe(overdue.assignments.filter((r) => r.phase).length);
  });

  it("filters by the ladder level: ?level=3 is the items still owed at 三级督办", async () => {
    const all = await board("");
    const three = await board("?level=3");
    const one = await board("?level=1");
    expect(three.assignments.length).toBeGreaterThan(0);
    expect(three.assignments.every((r) => r.level >= 3 && owedLate(r))).toBe(true);
    expect(three.assignments.length).toBe(all.assignments.filter((r) => r.level >= 3 && owedLate(r)).length);
    // 万州区 is one level up after its extension: in the 一级 view, not in the 三级 one.
    expect(one.assignments.map((r) => r.id)).toContain("implementation-plan/wanzhou");
    expect(three.assignments.map((r) => r.id)).not.toContain("implementation-plan/wanzhou");
  });

  it("finds units by a part of their name (the unit search box)", async () => {
    const b = await board(`?q=${encodeURIComponent("渝中")}`);
    expect(b.assignments.length).toBeGreaterThan(0);
    expect(new Set(b.assignments.map((r) => r.unit))).toEqual(new Set(["yuzhong"]));
    expect((await board(`?q=${encodeURIComponent("不存在的单位")}`)).assignments).toEqual([]);
  });

  it("serves an icon at /favicon.ico, not a 404 page", async () => {
    const res = await fetch(`${f.server.url}/favicon.ico`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^image\//);
    expect(await res.text()).toContain("<svg");
  });
});

describe("/api/board in pages", () => {
  it("pages through the filtered rows with a cursor; past the end is an empty page; a bad limit is a 400 in Chinese", async () => {
    const all = (await board("?overdue=1")).assignments.map((r) => r.id);
    expect(all.length).toBeGreaterThan(50);
    const seen: string[] = [];
    let cursor: string | null = "";
    let pages = 0;
    while (cursor !== null) {
      const res = (await (await office.fetch(`/api/board?overdue=1&limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`)).json()) as Board & { total: number; nextCursor: string | null };
      expect(res.total).toBe(all.length);
      expect(res.assignments.length).toBeLessThanOrEqual(20);
      seen.push(...res.assignments.map((r) => r.id));
      cursor = res.nextCursor;
      pages++;
    }
    expect(seen).toEqual(all);
    expect(pages).toBe(Math.ceil(all.length / 20));
    const past = (await (await office.fetch(`/api/board?overdue=1&limit=20&cursor=${encodeURIComponent(all.at(-1)!)}`)).json()) as Board & { nextCursor: string | null };
    expect([past.assignments, past.nextCursor]).toEqual([[], null]);
    const bad = await office.fetch("/api/board?limit=0");
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toContain("limit 应为");
    expect((await office.fetch("/api/board?cursor=nothing-like-this")).status).toBe(400);
  });

  it("never gives more than 1000 rows a page, and pages concatenate to the filtered rows for any filter and size", () => {
    const rows = Array.from({ length: 2500 }, (_, i) => ({ id: `d/${String(i).padStart(5, "0")}` }));
    const first = pageOf(rows, rows, undefined, "5000");
    expect("rows" in first && first.rows.length).toBe(BOARD_PAGE_MAX);
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 0, maxLength: 300 }), fc.integer({ min: 1, max: 40 }), (keep, size) => {
        const all = keep.map((_, i) => ({ id: `x/${i}` }));
        const shown = all.filter((_, i) => keep[i]);
        const out: string[] = [];
        let cursor: string | undefined;
        for (let guard = 0; guard <= shown.length + 1; guard++) {
          const p = pageOf(all, shown, cursor, String(size));
          if (!("rows" in p)) return false;
          out.push(...p.rows.map((r) => r.id));
          if (p.next === null) break;
          cursor = p.next;
        }
        return JSON.stringify(out) === JSON.stringify(shown.map((r) => r.id));
      }),
    );
  });
});

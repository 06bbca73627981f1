import Database from "better-sqlite3";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Campaign } from "../../src/campaign/campaign.ts";
import { buildStamp, fileResolvedPlanCache, type ResolvedPlanCache } from "../../src/campaign/resolved-cache.ts";
import { packPlan, unpackPlan } from "../../src/plan/compact.ts";
import { loadPlan, loadPlanText } from "../../src/plan/load.ts";
import type { ResolvedPlan } from "../../src/plan/types.ts";
import { generatePlan } from "../../src/scale/generate.ts";
import { openStore } from "../../src/store/open.ts";
import { cst } from "../helpers.ts";

const PLAN = "plans/chongqing-2021.yaml";
const MOVED = "test/fixtures/chongqing-moved.yaml";

/** Every key in order, Maps as entry lists: equal output of this means equal bytes from any view of the plan. */
function ordered(v: unknown): unknown {
  if (v instanceof Map) return { map: [...v].map(([k, x]) => [k, ordered(x)]) };
  if (Array.isArray(v)) return v.map(ordered);
  if (v && typeof v === "object") return Object.entries(v).map(([k, x]) => [k, x === undefined ? "(undefined)" : ordered(x)]);
  return typeof v === "number" && !Number.isFinite(v) ? String(v) : v;
}

async function campaignStore() {
  const dir = mkdtempSync(join(tmpdir(), "duban-resolved-"));
  const db = join(dir, "c.db");
  const store = await openStore(db);
  const c = await Campaign.init(store, PLAN, cst("2021-04-28T10:00"));
  await c.step({ type: "submit", assignment: "progress-report/yuzhong", actor: { kind: "unit", unit: "yuzhong" } }, cst("2021-06-08T10:00"));
  await store.close();
  return { dir, db, hash: c.plan.hash };
}

async function openWith(db: string, cache: ResolvedPlanCache) {
  const store = await openStore(db);
  try {
    const c = await Campaign.open(store, { resolvedPlans: cache });
    return { plan: c.plan, board: c.board(cst("2021-06-10T10:00")) };
  } finally {
    await store.close();
  }
}

/** The plan with one unit renamed: what a cache entry must never pass off as the stored version. */
function doctored(plan: ResolvedPlan): ResolvedPlan {
  const units = new Map(plan.units);
  units.set("yuzhong", { ...units.get("yuzhong")!, name: "篡改的单位名" });
  return { ...plan, units };
}

describe("packed resolved plans", () => {
  it("unpack to the packed plan, key for key and in the same order, for the Chongqing plan and a generated national one", () => {
    const plans = [loadPlan(PLAN).plan!, loadPlanText("national-3k.yaml", generatePlan("3k").text).plan!];
    for (const plan of plans) {
      const back = unpackPlan(packPlan(plan))!;
      expect(back).toStrictEqual(plan);
      expect(ordered(back)).toStrictEqual(ordered(plan));
    }
  });

  it("keep a row's own key named __proto__ as a key (never as the row's prototype), and keys that read as source text as they are", () => {
    const plan = loadPlan(PLAN).plan!;
    const odd = JSON.parse(`{ ${JSON.stringify(plan.assignments[0]!).slice(1, -1)}, "__proto__": "x", "a\\"}; throw 1; //": 1 }`) as (typeof plan.assignments)[number];
    const back = unpackPlan(packPlan({ ...plan, assignments: [odd, ...plan.assignments.slice(1)] }))!;
    const row = back.assignments[0]! as unknown as Record<string, unknown>;
    expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
    expect(Object.keys(row)).toStrictEqual(Object.keys(odd));
    expect(Object.getOwnPropertyDescriptor(row, "__proto__")?.value).toBe("x");
    expect(row['a\"}; throw 1; //']).toBe(1);
  });
});

describe("the resolved-plan cache", () => {
  it("is written on the first open and read on the next, which gives the same plan and board", async () => {
    const { dir, db, hash } = await campaignStore();
    const cache = fileResolvedPlanCache(join(dir, "plans"), "build-a");
    const cold = await openWith(db, cache);
    expect(readdirSync(join(dir, "plans"))).toEqual([`${hash}.plan`]);
    const warm = await openWith(db, cache);
    expect(ordered(warm.plan)).toStrictEqual(ordered(cold.plan));
    expect(warm.board).toStrictEqual(cold.board);
    // It is the entry that served: one written for this hash and build is taken as it is.
    cache.write(doctored(cold.plan));
    expect((await openWith(db, cache)).plan.units.get("yuzhong")!.name).toBe("篡改的单位名");
  });

  it("is not read by another build: an entry written under another build stamp is resolved again and replaced", async () => {
    const { dir, db } = await campaignStore();
    const a = fileResolvedPlanCache(join(dir, "plans"), "build-a");
    const truth = (await openWith(db, a)).plan;
    a.write(doctored(truth));
    const b = fileResolvedPlanCache(join(dir, "plans"), "build-b");
    expect((await openWith(db, b)).plan.units.get("yuzhong")!.name).toBe(truth.units.get("yuzhong")!.name);
    // Build b wrote its own entry over it; build a no longer finds one of its own.
    expect(a.read(truth.hash)).toBeUndefined();
  });

  it("is not read when its bytes differ from those its header's digest names", async () => {
    const { dir, db, hash } = await campaignStore();
    const cache = fileResolvedPlanCache(join(dir, "plans"), "build-a");
    const truth = (await openWith(db, cache)).plan;
    // Rename a unit inside the packed bytes (same length, still a valid structured clone), header untouched.
    const file = join(dir, "plans", `${hash}.plan`);
    const bytes = readFileSync(file);
    const name = Buffer.from(truth.units.get("yuzhong")!.name, "utf16le");
    const at = bytes.indexOf(name);
    expect(at).toBeGreaterThan(0);
    Buffer.from("篡".repeat(name.length / 2), "utf16le").copy(bytes, at);
    writeFileSync(file, bytes);
    expect((await openWith(db, cache)).plan.units.get("yuzhong")!.name).toBe(truth.units.get("yuzhong")!.name);
  });

  it("serves a new plan version only with an entry of that version: another version's entry under its name is not read", async () => {
    const { dir, db } = await campaignStore();
    const cache = fileResolvedPlanCache(join(dir, "plans"), "build-a");
    const first = (await openWith(db, cache)).plan;
    const store = await openStore(db);
    const c = await Campaign.open(store);
    await c.applyPlan(MOVED, cst("2021-06-10T10:00"), { reopenSubmitted: false });
    const next = c.plan;
    await store.close();
    expect(next.hash).not.toBe(first.hash);
    // The first version's entry, doctored, put where the new version's would be.
    cache.write(doctored(first));
    renameSync(join(dir, "plans", `${first.hash}.plan`), join(dir, "plans", `${next.hash}.plan`));
    const opened = (await openWith(db, cache)).plan;
    expect(opened.hash).toBe(next.hash);
    expect(opened.units.get("yuzhong")!.name).toBe(next.units.get("yuzhong")!.name);
    // As the store's text resolves without any cache.
    const plain = await openStore(db);
    expect(ordered(opened)).toStrictEqual(ordered((await Campaign.open(plain)).plan));
    await plain.close();
  });

  it("is never trusted over the store: a stored text that no longer hashes to the logged version is refused, entry or not", async () => {
    const { dir, db, hash } = await campaignStore();
    const cache = fileResolvedPlanCache(join(dir, "plans"), "build-a");
    await openWith(db, cache);
    expect(cache.read(hash)).toBeDefined();
    const raw = new Database(db);
    raw.prepare("UPDATE plans SET text = text || '\n# edited' WHERE hash = ?").run(hash);
    raw.close();
    await expect(openWith(db, cache)).rejects.toMatchObject({ code: "PLAN_MISSING" });
  });
});

describe("the build stamp", () => {
  it("changes when a file of the code that resolves plans changes, and only then", () => {
    const root = mkdtempSync(join(tmpdir(), "duban-stamp-"));
    for (const d of ["plan", "model", "engine", "campaign"]) mkdirSync(join(root, d));
    writeFileSync(join(root, "plan", "resolve.js"), "export const a = 1;\n");
    const first = buildStamp(root);
    expect(buildStamp(root)).toBe(first);
    writeFileSync(join(root, "plan", "resolve.js"), "export const a = 12;\n");
    const second = buildStamp(root);
    expect(second).not.toBe(first);
    writeFileSync(join(root, "model", "item.js"), "");
    expect(buildStamp(root)).not.toBe(second);
  });
});

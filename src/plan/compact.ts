import { deserialize, serialize } from "node:v8";
import type { Item, ResolvedPlan, Unit } from "./types.ts";

/**
 * A resolved plan as bytes that load an order of magnitude faster than its YAML resolves (the resolved-plan
 * cache beside a store keeps them; see src/campaign/resolved-cache.ts). The structured clone of the whole plan
 * is already lossless (Maps, undefined, Infinity, shared parts) but spends most of its time re-reading the
 * same strings: a national plan's items repeat a few titles, phases and policies hundreds of thousands of
 * times. So the item rows go as a table of cells into one pool of distinct values, and the rest of the plan as
 * it is. Unpacking gives a plan equal to the packed one key for key, in the same key order, so every view of
 * it prints the same bytes.
 */

/** Rows of flat objects as a table: each row a shape (its keys in order) and per key a cell. */
interface Table {
  shapes: string[][];
  /** Distinct primitive values (strings, numbers, booleans, null, undefined), shared by every cell. */
  pool: unknown[];
  /** Nested values (arrays, objects) one per occurrence, so no two rows come to share one. */
  nested: unknown[];
  /** Per row: its shape, then per key a cell: i >= 0 is pool[i], i < 0 is nested[-i - 1]. */
  cells: Int32Array;
}

interface Packed {
  format: typeof FORMAT;
  /** The plan's keys in order. */
  keys: string[];
  rest: Omit<ResolvedPlan, "assignments" | "units">;
  assignments: Table;
  unitIds: string[];
  units: Table;
}

/** Bumped when the layout below changes: bytes of another layout are never read as this one. */
const FORMAT = 1;

function toTable(rows: readonly object[]): Table {
  const shapes: string[][] = [];
  const shapeIds = new Map<string, number>();
  const pool: unknown[] = [];
  const poolIds = new Map<unknown, number>();
  const nested: unknown[] = [];
  let cells = new Int32Array(Math.max(16, rows.length * 14));
  let n = 0;
  const push = (v: number) => {
    if (n === cells.length) {
      const grown = new Int32Array(cells.length * 2);
      grown.set(cells);
      cells = grown;
    }
    cells[n++] = v;
  };
  for (const row of rows) {
    const keys = Object.keys(row);
    const sig = keys.join("\u0000");
    let shape = shapeIds.get(sig);
    if (shape === undefined) shapeIds.set(sig, (shape = shapes.push(keys) - 1));
    push(shape);
    for (const k of keys) {
      const v = (row as Record<string, unknown>)[k];
      // -0 is the one primitive a Map key would merge with another (0); it goes as a nested value.
      if ((v !== null && typeof v === "object") || typeof v === "function" || Object.is(v, -0)) {
        push(-nested.push(v));
        continue;
      }
      let id = poolIds.get(v);
      if (id === undefined) poolIds.set(v, (id = pool.push(v) - 1));
      push(id);
    }
  }
  return { shapes, pool, nested, cells: cells.slice(0, n) };
}

function fromTable<T>(t: Table): T[] {
  const { shapes, pool, nested, cells } = t;
  const makers = shapes.map(rowMaker);
  const rows = new Array<T>();
  for (let i = 0; i < cells.length; ) {
    const shape = cells[i++]!;
    rows.push(makers[shape]!(pool, nested, cells, i) as T);
    i += shapes[shape]!.length;
  }
  return rows;
}

type RowMaker = (pool: unknown[], nested: unknown[], cells: Int32Array, at: number) => object;

/**
 * Per shape, a function returning its row as one object literal: V8 allocates each row in its final shape
 * at once, where adding the keys one by one walked a shape transition per key (most of a national plan's
 * unpacking). The keys are quoted by JSON.stringify, so a key is only ever a property name; a shape with
 * `__proto__` (which a literal would take as the prototype) is built key by key instead.
 */
function rowMaker(keys: string[]): RowMaker {
  if (keys.includes("__proto__"))
    return (pool, nested, cells, at) => {
      const row: Record<string, unknown> = {};
      for (const k of keys) {
        const c = cells[at++]!;
        Object.defineProperty(row, k, { value: c >= 0 ? pool[c] : nested[-c - 1], enumerable: true, writable: true, configurable: true });
      }
      return row;
    };
  const fields = keys.map((k, j) => `${JSON.stringify(k)}: (c = cells[at + ${j}]) >= 0 ? pool[c] : nested[-c - 1]`);
  return new Function("pool", "nested", "cells", "at", `let c; return { ${fields.join(", ")} };`) as RowMaker;
}

/** The plan as bytes for {@link unpackPlan}. */
export function packPlan(plan: ResolvedPlan): Buffer {
  const { assignments, units, ...rest } = plan;
  const packed: Packed = { format: FORMAT, keys: Object.keys(plan), rest, assignments: toTable(assignments), unitIds: [...units.keys()], units: toTable([...units.values()]) };
  return serialize(packed);
}

/** The plan {@link packPlan} packed, or undefined for bytes of another layout. Throws on bytes that are no structured clone. */
export function unpackPlan(bytes: Uint8Array): ResolvedPlan | undefined {
  const p = deserialize(bytes) as Partial<Packed> | undefined;
  if (p?.format !== FORMAT || !p.keys || !p.rest || !p.assignments || !p.units || !p.unitIds) return undefined;
  const unitRows = fromTable<Unit>(p.units);
  const rest = p.rest as Record<string, unknown>;
  rest.assignments = fromTable<Item>(p.assignments);
  rest.units = new Map(p.unitIds.map((id, i) => [id, unitRows[i]!]));
  // The plan's own key order, so that a view printing it whole (plan --json) gives the same bytes.
  const plan: Record<string, unknown> = {};
  for (const k of p.keys) plan[k] = rest[k];
  return plan as unknown as ResolvedPlan;
}

import type { Item } from "../model/item.ts";

/**
 * Items opened at run time as a snapshot carries them (version 4): by column, not one JSON object per item.
 * An item is a nested record (its `opened` info, that info's `fields`); each leaf's key path is a column
 * holding the values of the items that have it, in item order, strings as numbers into one table of distinct
 * strings. Every item's keys come back in their own order (`shapes`), so a restored item is the item that
 * was persisted, key for key. At 10,000 items the objects cost ~450 bytes each in a snapshot, most of it
 * keys and repeated strings (units, the kind, a field's usual text), and an as-of replay parsed them all.
 */
export interface PersistedItems {
  /** Distinct string values, each once. */
  strings: string[];
  /** The leaf key paths, e.g. `["opened", "fields", "agency"]`. */
  paths: string[][];
  /** Distinct shapes: the paths (numbers into `paths`) an item has, in its key order. */
  shapes: number[][];
  /** Per item, its shape. */
  shape: number[];
  /**
   * Per path, the value of each item that has it, in item order. `s`: every value is a string, kept as its
   * number in `strings`; otherwise the values themselves (numbers, null, arrays, an empty object). `r`: in
   * runs, `v` holding each run's length and then its value (items opened together share most of their values).
   */
  columns: { s?: 1; r?: 1; v: unknown[] }[];
}

function isNested(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
  // An object with no key JSON would keep is a leaf: as a branch it would leave no path to bring its key back.
  for (const k in v) if ((v as Record<string, unknown>)[k] !== undefined) return true;
  return false;
}

export function encodeItems(items: readonly Item[]): PersistedItems {
  const paths: string[][] = [];
  const pathIds = new Map<string, number>();
  const values: unknown[][] = [];
  const shapes: number[][] = [];
  const shapeIds = new Map<string, number>();
  const shape: number[] = [];
  const walk = (o: Record<string, unknown>, prefix: string[], prefixKey: string, mine: number[]): void => {
    for (const k of Object.keys(o)) {
      const v = o[k];
      // As JSON.stringify: a key holding undefined is no key.
      if (v === undefined) continue;
      const key = `${prefixKey}${JSON.stringify(k)}`;
      if (isNested(v)) {
        walk(v, [...prefix, k], `${key}.`, mine);
        continue;
      }
      let id = pathIds.get(key);
      if (id === undefined) {
        id = paths.length;
        paths.push([...prefix, k]);
        values.push([]);
        pathIds.set(key, id);
      }
      mine.push(id);
      values[id]!.push(v);
    }
  };
  for (const item of items) {
    const mine: number[] = [];
    walk(item as unknown as Record<string, unknown>, [], "", mine);
    const key = mine.join(",");
    let id = shapeIds.get(key);
    if (id === undefined) {
      id = shapes.length;
      shapes.push(mine);
      shapeIds.set(key, id);
    }
    shape.push(id);
  }
  const strings: string[] = [];
  const stringIds = new Map<string, number>();
  const columns = values.map((v): PersistedItems["columns"][number] => {
    const s = v.every((x) => typeof x === "string");
    const col = !s
      ? v
      : (v as string[]).map((x) => {
          let id = stringIds.get(x);
          if (id === undefined) stringIds.set(x, (id = strings.push(x) - 1));
          return id;
        });
    const runs = runsOf(col);
    return { ...(s ? { s: 1 as const } : {}), ...(runs ? { r: 1 as const, v: runs } : { v: col }) };
  });
  return { strings, paths, shapes, shape, columns };
}

/**
 * The values as runs (length, value, length, value, …), when that halves them at least. Only numbers, strings
 * and null are compared: an array or an object is never one run with another.
 */
function runsOf(v: readonly unknown[]): unknown[] | undefined {
  const out: unknown[] = [];
  for (let i = 0; i < v.length; ) {
    const x = v[i];
    let j = i + 1;
    if (x === null || typeof x !== "object") while (j < v.length && v[j] === x) j++;
    out.push(j - i, x);
    if (out.length * 2 > v.length) return undefined;
    i = j;
  }
  return out;
}

function expand(runs: readonly unknown[]): unknown[] {
  const out: unknown[] = [];
  for (let k = 0; k < runs.length; k += 2) for (let n = runs[k] as number; n > 0; n--) out.push(runs[k + 1]);
  return out;
}

/** One step of building an item of a shape: open a nested object in slot `slot`, or set a leaf of column `column`. */
interface Op {
  parent: number;
  key: string;
  /** The nested object's slot; -1: a leaf. */
  slot: number;
  column: number;
}

/** A shape's steps, worked out once per shape rather than walking every leaf's path for every item. */
function opsOf(p: PersistedItems, shape: readonly number[]): Op[] {
  const ops: Op[] = [];
  // The slots of the nested objects open along the current path: a shape lists its paths depth first.
  const open: { key: string; slot: number }[] = [];
  let slots = 1;
  for (const id of shape) {
    const path = p.paths[id]!;
    let d = 0;
    while (d < open.length && d < path.length - 1 && open[d]!.key === path[d]) d++;
    open.length = d;
    for (; d < path.length - 1; d++) {
      const slot = slots++;
      ops.push({ parent: d === 0 ? 0 : open[d - 1]!.slot, key: path[d]!, slot, column: -1 });
      open.push({ key: path[d]!, slot });
    }
    ops.push({ parent: d === 0 ? 0 : open[d - 1]!.slot, key: path[d]!, slot: -1, column: id });
  }
  return ops;
}

export function decodeItems(p: PersistedItems): Item[] {
  const columns = p.columns.map((c) => {
    const v = c.r ? expand(c.v) : c.v;
    return c.s === 1 ? v.map((x) => p.strings[x as number]) : v;
  });
  const shapes = p.shapes.map((s) => opsOf(p, s));
  const next = new Int32Array(p.paths.length);
  const out = new Array<Item>(p.shape.length);
  const objs: Record<string, unknown>[] = [];
  for (let i = 0; i < p.shape.length; i++) {
    const item: Record<string, unknown> = {};
    objs[0] = item;
    for (const op of shapes[p.shape[i]!]!) {
      if (op.slot >= 0) objs[op.parent]![op.key] = objs[op.slot] = {};
      else objs[op.parent]![op.key] = columns[op.column]![next[op.column]!++];
    }
    out[i] = item as unknown as Item;
  }
  return out;
}

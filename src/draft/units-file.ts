import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { directoryPath } from "../plan/directory.ts";
import type { UnitKind } from "../plan/types.ts";
import { UnitRegistry } from "./units.ts";

export type UnitsFileResult = { ok: true; registry: UnitRegistry } | { ok: false; message: string };

const KINDS = new Set<UnitKind>(["department", "district", "external", "person"]);

/**
 * The office's organisation, written as a plan's `units:` and `groups:` (a plan of an earlier campaign does).
 * Only the shape needed for matching is checked here; the draft is validated as a whole afterwards.
 */
export function readUnitsFile(file: string): UnitsFileResult {
  let data: unknown;
  try {
    data = parse(readFileSync(file, "utf8"), { maxAliasCount: 200 });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { ok: false, message: code ? `单位清单 ${file} 无法读取（${code}）` : `单位清单 ${file} 不是有效的 YAML：${String((err as Error).message).split("\n")[0]}` };
  }
  const d = data as { units?: unknown; groups?: unknown } | null;
  // A plan that imports its organisation (units: { from: … }): the directory's units and groups, and the plan's add:.
  if (d && isImport(d.units)) {
    const { from, add } = d.units as { from: string | string[]; add?: unknown[] };
    const files = typeof from === "string" ? [from] : from;
    const read = files.map((f) => readUnitsFile(directoryPath(file, f)));
    const failed = read.find((r) => !r.ok);
    if (failed) return failed;
    const units = read.flatMap((r) => (r.ok ? r.registry.units : []));
    const groups = isImport(d.groups) ? read.flatMap((r) => (r.ok ? r.registry.groups : [])) : [];
    const own = readUnitsData(file, { units: add ?? [], groups: isImport(d.groups) ? (d.groups as { add?: unknown }).add : d.groups });
    if (!own.ok) return own;
    return { ok: true, registry: new UnitRegistry({ units: [...units, ...own.registry.units], groups: [...groups, ...own.registry.groups] }) };
  }
  return readUnitsData(file, d);
}

const isImport = (v: unknown): boolean => typeof v === "object" && v !== null && !Array.isArray(v) && (typeof (v as { from?: unknown }).from === "string" || Array.isArray((v as { from?: unknown }).from));

function readUnitsData(file: string, d: { units?: unknown; groups?: unknown } | null): UnitsFileResult {
  if (!d || !Array.isArray(d.units)) return { ok: false, message: `单位清单 ${file} 中没有 units 列表；请按计划文件的格式写 units:（和可选的 groups:）` };
  const units = [];
  for (const [i, u] of d.units.entries()) {
    const x = u as Record<string, unknown>;
    if (typeof x?.id !== "string" || typeof x.name !== "string" || !KINDS.has(x.kind as UnitKind))
      return { ok: false, message: `单位清单 ${file} 的第 ${i + 1} 个单位缺少 id、name 或有效的 kind` };
    units.push({
      id: x.id,
      name: x.name,
      kind: x.kind as UnitKind,
      ...(typeof x.short === "string" ? { short: x.short } : {}),
      ...(typeof x.parent === "string" ? { parent: x.parent } : {}),
      ...(typeof x.title === "string" ? { title: x.title } : {}),
      ...(x.contacts !== undefined ? { contacts: x.contacts } : {}),
    });
  }
  const groups = Object.entries((d.groups ?? {}) as Record<string, { name?: unknown; members?: unknown }>)
    .filter(([, g]) => typeof g?.name === "string" && Array.isArray(g.members))
    .map(([id, g]) => ({ id, name: g.name as string, members: (g.members as unknown[]).map(String) }));
  return { ok: true, registry: new UnitRegistry({ units, groups }) };
}

import { statSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import type { DiagnosticSink, SourcePosition } from "./diagnostics.ts";
import { checkDirectorySchema } from "./schema.ts";
import { parsePlanText, readPlanSource, toData, type PathSegment, type PlanSource } from "./source.ts";
import type { PlanInput, UnitInput } from "./types.ts";

/**
 * An organisation directory (schemas/directory.schema.json): the office's units, people, contacts and
 * groups in one file that several plans import with `units: { from: <file> }` and `groups: { from: <file> }`.
 */
export interface DirectoryInput {
  duban: 1;
  directory: { id: string; name: string; updated?: string };
  units: UnitInput[];
  groups?: Record<string, GroupInput>;
}

type GroupInput = { name?: string; members: string[] };
type Files = string | string[];

/** The plan as written, before its directories are read in: `units` and `groups` may name files. */
export type PlanFileInput = Omit<PlanInput, "units" | "groups"> & {
  units: UnitInput[] | { from: Files; add?: UnitInput[] };
  groups?: Record<string, GroupInput> | { from: Files; add?: Record<string, GroupInput> };
};

/** Where a value of the merged plan is written: which file, and its path in that file. */
interface Origin {
  source: PlanSource;
  path: PathSegment[];
}

/** Answers "where is this value written?" for the plan with its directories read in (see ResolveContext). */
export interface Positions {
  readonly file: string;
  position(path: readonly PathSegment[], opts?: { key?: boolean }): SourcePosition;
}

/**
 * Positions in the merged plan mapped back to the text that wrote them: `units[i]` and `groups.<name>`
 * may come from a directory file (a diagnostic then names that file) or from the plan's `add:`.
 */
export class PlanPositions implements Positions {
  constructor(
    private readonly plan: PlanSource,
    private readonly units: Origin[] | undefined,
    private readonly groups: Map<string, Origin> | undefined,
  ) {}

  get file(): string {
    return this.plan.file;
  }

  position(path: readonly PathSegment[], opts: { key?: boolean } = {}): SourcePosition {
    const [top, at] = path;
    const origin = top === "units" && typeof at === "number" ? this.units?.[at] : top === "groups" && typeof at === "string" ? this.groups?.get(at) : undefined;
    if (origin) return origin.source.position([...origin.path, ...path.slice(2)], opts);
    return this.plan.position(path, opts);
  }
}

export interface DirectoryResult {
  input: PlanInput;
  positions: Positions;
  /** Each directory's text by the name the plan gives it (`from:` as written): stored and hashed with the plan. */
  imports: Record<string, string>;
}

export interface DirectoryOptions {
  /**
   * The directories' texts by the names the plan gives them, instead of the files: a stored plan version
   * resolves with the directory it ran on, whatever the file says today.
   */
  imports?: Record<string, string>;
}

const asList = (f: Files): string[] => (typeof f === "string" ? [f] : f);

/** Where a directory named in `planFile` is read: a relative path from the plan file's folder. */
export function directoryPath(planFile: string, from: string): string {
  return isAbsolute(from) ? from : join(dirname(planFile), from);
}

/**
 * Reads the directories a plan imports and merges their units and groups with the plan's own. Every
 * problem of every file is reported (in the file that has it); returns undefined when a file could not
 * be used, so resolution does not report the same missing units again.
 */
export function readDirectories(data: PlanFileInput, plan: PlanSource, sink: DiagnosticSink, opts: DirectoryOptions = {}): DirectoryResult | undefined {
  // Also called for a plan with schema errors (to report its directories' own): only well-formed imports are read.
  if (!isObject(data)) return undefined;
  const unitsImport = isImport(data.units) ? (data.units as { from: Files; add?: UnitInput[] }) : undefined;
  const groupsImport = isImport(data.groups) ? (data.groups as { from: Files; add?: Record<string, GroupInput> }) : undefined;
  if (!unitsImport && !groupsImport) return { input: data as PlanInput, positions: plan, imports: {} };

  const imports: Record<string, string> = {};
  const read = new Map<string, { source: PlanSource; dir: DirectoryInput } | null>();
  const directory = (from: string, at: PathSegment[]) => {
    if (!read.has(from)) read.set(from, readOne(from, at));
    return read.get(from) ?? undefined;
  };
  const readOne = (from: string, at: PathSegment[]): { source: PlanSource; dir: DirectoryInput } | null => {
    const file = directoryPath(plan.file, from);
    const errorCount = () => sink.items.filter((d) => d.severity === "error").length;
    const errorsBefore = errorCount();
    let source: PlanSource;
    if (opts.imports) {
      const text = opts.imports[from];
      if (text === undefined) {
        sink.error("FILE_UNREADABLE", `存储的计划版本中缺少单位目录“${from}”的原文，无法还原；请从备份恢复存储`, plan.position(at));
        return null;
      }
      source = parsePlanText(file, text, sink);
    } else {
      try {
        if (!statSync(file).isFile()) throw Object.assign(new Error("not a file"), { code: "EISDIR" });
      } catch (err) {
        sink.error("FILE_UNREADABLE", `无法读取单位目录文件“${from}”（${(err as NodeJS.ErrnoException).code ?? String(err)}，查找位置 ${file}）；相对路径从计划文件所在的目录算起`, plan.position(at));
        return null;
      }
      source = readPlanSource(file, sink);
    }
    if (!source.doc || errorCount() > errorsBefore) return null;
    const value = toData(source, sink);
    if (value === undefined || errorCount() > errorsBefore) return null;
    if (!checkDirectorySchema(value, source, sink)) return null;
    imports[from] = source.text;
    return { source, dir: value as DirectoryInput };
  };

  let ok = true;
  let units = data.units as UnitInput[];
  let unitOrigins: Origin[] | undefined;
  if (unitsImport) {
    units = [];
    unitOrigins = [];
    for (const [i, from] of asList(unitsImport.from).entries()) {
      const d = directory(from, ["units", "from", ...(typeof unitsImport.from === "string" ? [] : [i])]);
      if (!d) {
        ok = false;
        continue;
      }
      for (const [j, u] of d.dir.units.entries()) {
        units.push(u);
        unitOrigins.push({ source: d.source, path: ["units", j] });
      }
    }
    for (const [k, u] of (Array.isArray(unitsImport.add) ? unitsImport.add : []).entries()) {
      units.push(u);
      unitOrigins.push({ source: plan, path: ["units", "add", k] });
    }
  }

  let groups = data.groups as Record<string, GroupInput> | undefined;
  let groupOrigins: Map<string, Origin> | undefined;
  if (groupsImport) {
    groups = {};
    groupOrigins = new Map();
    const put = (name: string, g: GroupInput, origin: Origin) => {
      const prev = groupOrigins!.get(name);
      if (prev) {
        const p = prev.source.position(prev.path, { key: true });
        sink.error("DUPLICATE_ID", `组“${name}”已在 ${p.file}:${p.line} 定义；同名的组只能有一个，请换一个组名`, origin.source.position(origin.path, { key: true }));
        ok = false;
        return;
      }
      groups![name] = g;
      groupOrigins!.set(name, origin);
    };
    for (const [i, from] of asList(groupsImport.from).entries()) {
      const d = directory(from, ["groups", "from", ...(typeof groupsImport.from === "string" ? [] : [i])]);
      if (!d) {
        ok = false;
        continue;
      }
      for (const [name, g] of Object.entries(isObject(d.dir.groups) ? d.dir.groups : {})) put(name, g, { source: d.source, path: ["groups", name] });
    }
    for (const [name, g] of Object.entries(isObject(groupsImport.add) ? groupsImport.add : {})) put(name, g, { source: plan, path: ["groups", "add", name] });
  }
  if (!ok) return undefined;
  const input = { ...data, units, ...(groups !== undefined ? { groups } : {}) } as PlanInput;
  return { input, positions: new PlanPositions(plan, unitOrigins, groupOrigins), imports };
}

const isObject = (v: unknown): v is Record<string, any> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * `units: { from: … }` or `groups: { from: … }`: a file name or a list of them under `from`. A group's
 * body is a mapping, so a group named "from" is not mistaken for an import.
 */
function isImport(v: unknown): boolean {
  if (!isObject(v)) return false;
  const from = v.from;
  return (typeof from === "string" && from !== "") || (Array.isArray(from) && from.length > 0 && from.every((f) => typeof f === "string" && f !== ""));
}

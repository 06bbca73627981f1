import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { packPlan, unpackPlan } from "../plan/compact.ts";
import type { ResolvedPlan } from "../plan/types.ts";
import { packagePath } from "../package-path.ts";

/**
 * Resolved plan versions kept between processes, so that a command opening a campaign does not parse,
 * check and resolve the stored YAML again (half of a `duban status` on a national plan). Only a cache: the
 * store's plan text stays the record. Campaign asks it for a version only after the store's text and its
 * meta hash to the version the log names, and an entry is used only when it was written for that very hash
 * by this build of Duban and its bytes are those its header's digest names; anything else is resolved from
 * the text again and written over.
 */
export interface ResolvedPlanCache {
  /** The version `hash` as this cache holds it, or undefined (missing, of another build, damaged). */
  read(hash: string): ResolvedPlan | undefined;
  /** Keeps the version for the next process; a cache that cannot be written is no error. */
  write(plan: ResolvedPlan): void;
}

/** What an entry's first line says about the bytes after it. */
interface EntryHeader {
  duban: "resolved-plan";
  hash: string;
  build: string;
  sha256: string;
}

/**
 * What the cached bytes depend on besides the plan: the package version, the Node release (the structured
 * clone's format) and the code that resolves a plan (size and time of each of its files, which every build
 * rewrites). A new build or an edited source therefore never reads what an older one resolved. `codeRoot`:
 * the folder holding plan/, model/, engine/ and campaign/ (src/, or dist/src/ for the build).
 */
export function buildStamp(codeRoot: string = join(dirname(fileURLToPath(import.meta.url)), "..")): string {
  const h = createHash("sha256");
  let version = "";
  try {
    version = (JSON.parse(readFileSync(packagePath("package.json"), "utf8")) as { version?: string }).version ?? "";
  } catch {
    // No package.json above the code: the files' own stamps still tell builds apart.
  }
  h.update(`${version}\n${process.version}\n`);
  for (const dir of ["plan", "model", "engine", "campaign"]) {
    const full = join(codeRoot, dir);
    let names: string[] = [];
    try {
      names = readdirSync(full).sort();
    } catch {
      continue;
    }
    for (const name of names) {
      try {
        const s = statSync(join(full, name));
        h.update(`${dir}/${name} ${s.size} ${s.mtimeMs}\n`);
      } catch {
        h.update(`${dir}/${name} ?\n`);
      }
    }
  }
  return h.digest("hex").slice(0, 32);
}

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

/**
 * Where the command line keeps the resolved versions of a store's plans: a folder beside a SQLite file
 * (`duban.db` → `duban.db.plans/`), which goes with the store when it is moved or removed. None for a
 * PostgreSQL store (no folder of its own) or one in memory.
 */
export function resolvedPlansBeside(spec: string): ResolvedPlanCache | undefined {
  if (/^postgres(ql)?:\/\//i.test(spec)) return undefined;
  const path = spec.replace(/^sqlite:/i, "");
  if (path === "" || path === ":memory:") return undefined;
  return fileResolvedPlanCache(`${path}.plans`);
}

/**
 * Entries as files `<hash>.plan` in `dir` (created on first write), each a header line and the packed plan.
 * `build` defaults to {@link buildStamp}, taken at the first read or write.
 */
export function fileResolvedPlanCache(dir: string, build?: string): ResolvedPlanCache {
  const file = (hash: string) => join(dir, `${hash}.plan`);
  const stamp = () => (build ??= buildStamp());
  return {
    read(hash) {
      if (!/^[0-9a-f]{64}$/.test(hash)) return undefined;
      let bytes: Buffer;
      try {
        bytes = readFileSync(file(hash));
      } catch {
        return undefined;
      }
      const nl = bytes.indexOf(0x0a);
      if (nl < 0) return undefined;
      let header: Partial<EntryHeader>;
      try {
        header = JSON.parse(bytes.subarray(0, nl).toString("utf8")) as Partial<EntryHeader>;
      } catch {
        return undefined;
      }
      if (header.duban !== "resolved-plan" || header.hash !== hash || header.build !== stamp()) return undefined;
      const body = bytes.subarray(nl + 1);
      if (sha256(body) !== header.sha256) return undefined;
      try {
        const plan = unpackPlan(body);
        return plan?.hash === hash ? plan : undefined;
      } catch {
        return undefined;
      }
    },
    write(plan) {
      try {
        const body = packPlan(plan);
        const header: EntryHeader = { duban: "resolved-plan", hash: plan.hash, build: stamp(), sha256: sha256(body) };
        mkdirSync(dir, { recursive: true });
        // Written aside and renamed: a reader at the same moment sees the old entry or the new one, never half.
        const tmp = `${file(plan.hash)}.${process.pid}.tmp`;
        writeFileSync(tmp, Buffer.concat([Buffer.from(JSON.stringify(header) + "\n"), body]));
        renameSync(tmp, file(plan.hash));
      } catch {
        // A read-only folder or a full disk: the next process resolves the text again.
      }
    },
  };
}

import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadPlan } from "../src/plan/load.ts";
import type { ResolvedPlan } from "../src/plan/types.ts";
import type { Io } from "../src/cli/io.ts";

let seed: ResolvedPlan | undefined;

/** The Chongqing plan, loaded once per test file. */
export function chongqing(): ResolvedPlan {
  if (!seed) {
    const r = loadPlan("plans/chongqing-2021.yaml");
    if (!r.plan) throw new Error(r.diagnostics.map((d) => d.message).join("\n"));
    seed = r.plan;
  }
  return seed;
}

/**
 * The Chongqing plan's text with its organisation directory (plans/org/chongqing-hrss.yaml) written in, as
 * the plan read before the directory was extracted: for tests that edit the units' lines or copy the plan
 * to a folder where the directory's relative path does not lead.
 */
export function chongqingInlined(): string {
  const plan = readFileSync("plans/chongqing-2021.yaml", "utf8");
  const dir = readFileSync("plans/org/chongqing-hrss.yaml", "utf8");
  const org = dir.slice(dir.indexOf("\nunits:\n") + 1).trimEnd();
  const imports = "units: { from: org/chongqing-hrss.yaml }\ngroups: { from: org/chongqing-hrss.yaml }";
  if (!plan.includes(imports)) throw new Error("plans/chongqing-2021.yaml no longer imports its directory as chongqingInlined expects");
  return plan.replace(imports, org);
}

/** An instant in Asia/Shanghai, written the way people write it. */
export function cst(local: string): number {
  const ms = Date.parse(`${local.length === 10 ? `${local}T00:00` : local}:00+08:00`);
  if (Number.isNaN(ms)) throw new Error(`bad instant ${local}`);
  return ms;
}

export function captureIo(): Io & { stdout: string; stderr: string } {
  const io = {
    stdout: "",
    stderr: "",
    tty: false,
    out(t: string) {
      io.stdout += t.endsWith("\n") ? t : `${t}\n`;
    },
    err(t: string) {
      io.stderr += t.endsWith("\n") ? t : `${t}\n`;
    },
  };
  return io;
}

/** Writes `text` to a new file in a fresh temporary folder and returns its path. */
export function tempFile(name: string, text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "duban-")), name);
  writeFileSync(file, text);
  return file;
}

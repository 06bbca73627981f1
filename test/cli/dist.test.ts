import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * The shipped build: `npm run build` (which `npm ci` runs through `prepare`) compiles src/ into dist/, and
 * bin/duban.js runs it. This file builds it afresh (the other tests run the sources) and checks that it
 * finds the files shipped beside the code and that light commands leave the heavy modules unloaded.
 */
const HEAVY = ["hono", "@hono/node-server", "pg", "nodemailer", "node-cron", "better-sqlite3", "yaml", "ajv", "xstate", "pino", "pino-pretty", "prom-client"];
const dir = mkdtempSync(join(tmpdir(), "duban-dist-"));
const db = join(dir, "duban.db");

// Records every module the ESM loader resolves, one URL a line, on stderr, prefixed so it is easy to pick out.
const hook = `data:text/javascript,${encodeURIComponent(
  `import { register } from "node:module"; register("data:text/javascript," + encodeURIComponent("export async function resolve(s, c, next) { const r = await next(s, c); process.stderr.write('RESOLVED ' + r.url + '\\\\n'); return r; }"));`,
)}`;

function duban(args: string[], trace = false) {
  const r = spawnSync(process.execPath, [...(trace ? ["--import", hook] : []), "bin/duban.js", "--db", db, ...args], {
    encoding: "utf8",
    env: { ...process.env, DUBAN_FROM_SOURCE: "" },
  });
  const resolved = r.stderr.split("\n").filter((l) => l.startsWith("RESOLVED ")).map((l) => l.slice(9));
  const packages = new Set(resolved.flatMap((u) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u)?.[1] ?? []));
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.split("\n").filter((l) => !l.startsWith("RESOLVED ")).join("\n"), resolved, packages };
}

beforeAll(() => {
  execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"], { stdio: "pipe" });
  execFileSync(process.execPath, ["scripts/build-validator.mjs"], { stdio: "pipe" });
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the compiled build", () => {
  it("runs from dist/, not from the sources, and --help loads none of the heavy modules", () => {
    const r = duban(["--help"], true);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("用法：duban");
    expect(r.resolved.some((u) => u.endsWith("/dist/src/cli/main.js"))).toBe(true);
    expect(r.resolved.some((u) => u.includes("/src/") && u.endsWith(".ts"))).toBe(false);
    expect(HEAVY.filter((p) => r.packages.has(p))).toEqual([]);
  });

  it("finds the schema and the templates from dist/ and validates with the validator compiled by the build", async () => {
    const v = duban(["validate", "plans/chongqing-2021.yaml"], true);
    expect(v.status).toBe(0);
    expect(v.stdout).toContain("重庆市劳务中介专项整治行动");
    const schema = (await import(pathToFileURL("dist/src/plan/schema.js").href)) as typeof import("../../src/plan/schema.ts");
    expect(schema.PLAN_SCHEMA_PATH).toBe(join(process.cwd(), "schemas", "plan.schema.json"));
    const { readFileSync } = await import("node:fs");
    expect(schema.loadPrecompiled(schema.PRECOMPILED_VALIDATOR_PATH, readFileSync(schema.PLAN_SCHEMA_PATH, "utf8"))).toBeTypeOf("function");
    const templates = (await import(pathToFileURL("dist/src/reminders/templates.js").href)) as typeof import("../../src/reminders/templates.ts");
    expect(templates.DEFAULT_TEMPLATE_DIR).toBe(join(process.cwd(), "templates", "zh-CN/"));
    expect(Object.keys(templates.loadTemplates())).toHaveLength(templates.TEMPLATE_NAMES.length);
  });

  it("status on a SQLite store loads neither the web server, the PostgreSQL driver nor the mailer", () => {
    expect(duban(["--now", "2021-06-16T10:00:00+08:00", "init", "plans/chongqing-2021.yaml"]).status).toBe(0);
    const r = duban(["status"], true);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("渝中区人力社保局");
    expect(["hono", "@hono/node-server", "pg", "nodemailer", "node-cron"].filter((p) => r.packages.has(p))).toEqual([]);
    expect(r.packages.has("better-sqlite3")).toBe(true);
  });
});

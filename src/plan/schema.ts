import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { ErrorObject, ValidateFunction } from "ajv";
import type { DiagnosticSink } from "./diagnostics.ts";
import type { PathSegment, PlanSource } from "./source.ts";

const require = createRequire(import.meta.url);

export const PLAN_SCHEMA_PATH = new URL("../../schemas/plan.schema.json", import.meta.url);

let compiled: ValidateFunction | undefined;

/** The schema is compiled once per process; the same file is what editors use through the modeline. */
function validator(): ValidateFunction {
  if (!compiled) {
    const Ajv2020 = require("ajv/dist/2020.js") as typeof import("ajv/dist/2020.js").default;
    const addFormats = require("ajv-formats") as typeof import("ajv-formats").default;
    const ajv = new Ajv2020({ allErrors: true, verbose: true, strict: true, strictRequired: false, allowUnionTypes: true });
    addFormats(ajv, ["email"]);
    compiled = ajv.compile(JSON.parse(readFileSync(PLAN_SCHEMA_PATH, "utf8")));
  }
  return compiled;
}

function pathOf(instancePath: string): PathSegment[] {
  if (!instancePath) return [];
  return instancePath
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function where(path: PathSegment[]): string {
  return path.length ? path.map((p) => (typeof p === "number" ? `[${p}]` : `.${p}`)).join("").replace(/^\./, "") : "the plan";
}

function describeType(value: unknown): string {
  if (value === null || value === undefined) return "nothing";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return `a ${typeof value}`;
}

function valueAt(data: unknown, path: PathSegment[]): unknown {
  let v: any = data;
  for (const p of path) v = v?.[p];
  return v;
}

/** Edit distance counting a swap of two adjacent letters as one edit (optimal string alignment), for "did you mean" on misspelt keys. */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

export function suggest(word: string, candidates: Iterable<string>): string {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = distance(word, c);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best !== undefined && bestD <= Math.max(1, Math.floor(word.length / 3)) ? ` (did you mean "${best}"?)` : "";
}

/** Validates plain data against the plan schema; each error points at its YAML node. Returns true when valid. */
export function checkSchema(data: unknown, source: PlanSource, sink: DiagnosticSink): boolean {
  const validate = validator();
  if (validate(data)) return true;
  // A failed oneOf also reports each branch's own failure; the oneOf message says it better.
  for (const e of validate.errors ?? []) if (!e.schemaPath.includes("/oneOf/")) report(e, data, source, sink);
  return false;
}

function report(e: ErrorObject, data: unknown, source: PlanSource, sink: DiagnosticSink): void {
  const path = pathOf(e.instancePath);
  // A bad key under propertyNames (a group or policy name): the inner error names the key; the
  // propertyNames error that wraps it only repeats "property name must be valid".
  if (e.keyword === "propertyNames") return;
  const name = e.propertyName;
  const at = name !== undefined ? source.position([...path, name], { key: true }) : source.position(path);
  const here = where(path);
  switch (e.keyword) {
    case "required": {
      const missing = (e.params as { missingProperty: string }).missingProperty;
      sink.error("SCHEMA_REQUIRED", `${here} is missing the required key "${missing}"`, at);
      return;
    }
    case "additionalProperties": {
      const key = (e.params as { additionalProperty: string }).additionalProperty;
      const allowed = Object.keys((e.parentSchema as { properties?: object }).properties ?? {});
      sink.error(
        "SCHEMA_UNKNOWN_KEY",
        `unknown key "${key}" in ${here}${suggest(key, allowed)}; allowed: ${allowed.join(", ")}`,
        source.position([...path, key], { key: true }),
      );
      return;
    }
    case "type": {
      const value = valueAt(data, path);
      if (path.length === 3 && path[0] === "tasks" && path[2] === "lead" && Array.isArray(value)) {
        sink.error("TASK_LEAD", `a task has exactly one lead unit (牵头部门); list the others under "support"`, at);
      return;
      }
      const expected = (e.params as { type: string | string[] }).type;
      sink.error("SCHEMA_TYPE", `${here} must be ${article(expected)}, found ${describeType(value)}`, at);
      return;
    }
    case "oneOf":
      sink.error("SCHEMA_REQUIRED", `${here} needs exactly one of "due" (a one-off deadline) or "recurring" (a schedule)`, at);
      return;
    case "pattern": {
      const value = name ?? String(valueAt(data, path));
      const hint = patternHint((e.params as { pattern: string }).pattern);
      sink.error("SCHEMA_VALUE", `${here}: "${value}" ${hint}`, at);
      return;
    }
    case "enum":
      sink.error(
        "SCHEMA_VALUE",
        `${here}: "${String(valueAt(data, path))}" is not one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => `"${v}"`).join(", ")}`,
        at,
      );
      return;
    case "const":
      sink.error("SCHEMA_VALUE", `${here} must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`, at);
      return;
    case "format":
      sink.error("SCHEMA_VALUE", `${here}: "${String(valueAt(data, path))}" is not a valid ${(e.params as { format: string }).format} address`, at);
      return;
    default:
      sink.error("SCHEMA_VALUE", `${here} ${e.message ?? "is not valid"}`, at);
      return;
  }
}

function article(type: string | string[]): string {
  const names: Record<string, string> = { string: "a string", integer: "a whole number", number: "a number", array: "a list", object: "a mapping", boolean: "true or false" };
  return (Array.isArray(type) ? type : [type]).map((t) => names[t] ?? t).join(" or ");
}

function patternHint(pattern: string): string {
  if (pattern.includes("\\d{4}-\\d{2}-\\d{2}")) return "is not a date: write YYYY-MM-DD, e.g. 2021-05-20";
  if (pattern.includes("[01]\\d|2[0-3]")) return "is not a local time: write HH:MM, e.g. 09:00";
  if (pattern.includes("(wd|h)")) return "is not an offset: write e.g. -3wd, 0wd, +1wd (working days) or -4h (hours)";
  if (pattern.startsWith("^@?")) return "is not a unit reference: a unit id, or @group";
  return "is not a valid id: use lower-case ASCII letters, digits, - and _ (names in Chinese go in \"name\")";
}

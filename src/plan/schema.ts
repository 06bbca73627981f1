import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { ErrorObject, ValidateFunction } from "ajv";
import { packagePath } from "../package-path.ts";
import type { DiagnosticSink } from "./diagnostics.ts";
import type { PathSegment, PlanSource } from "./source.ts";

const require = createRequire(import.meta.url);

export const PLAN_SCHEMA_PATH = packagePath("schemas/plan.schema.json");
/** The organisation directory's schema; it takes its units and groups from the plan schema's definitions. */
export const DIRECTORY_SCHEMA_PATH = packagePath("schemas/directory.schema.json");

/**
 * Where the build (scripts/build-validator.mjs) writes the validator compiled ahead of time: compiling the
 * schema costs more CPU than everything else `duban status` does. It records the SHA-256 of the schema it
 * was compiled from and is used only while that matches, so an edited schema is never checked by a stale one.
 */
export const PRECOMPILED_VALIDATOR_PATH = packagePath("dist/plan-schema-validator.cjs");
/** The same for the directory schema: `duban status` of a plan that imports a directory validates it at every open. */
export const PRECOMPILED_DIRECTORY_VALIDATOR_PATH = packagePath("dist/directory-schema-validator.cjs");

/** The validator's options: one set for the ahead-of-time build and for compiling at run time. */
function newAjv(extra: { code?: object } = {}) {
  const Ajv2020 = require("ajv/dist/2020.js") as typeof import("ajv/dist/2020.js").default;
  const addFormats = require("ajv-formats") as typeof import("ajv-formats").default;
  const ajv = new Ajv2020({ allErrors: true, verbose: true, strict: true, strictRequired: false, allowUnionTypes: true, ...extra });
  addFormats(ajv, ["email"]);
  return ajv;
}

/** The hash a precompiled validator is stamped with: its schema's text, then those of the schemas it refers to. */
function schemaSha256(text: string, refs: readonly string[]): string {
  const h = createHash("sha256").update(text);
  for (const r of refs) h.update("\n#ref\n").update(r);
  return h.digest("hex");
}

let compiled: ValidateFunction | undefined;

/** The validator of `schemaText`, compiled now; `refs` are the texts of the schemas it refers to by $ref. */
export function compileSchema(schemaText: string, refs: readonly string[] = []): ValidateFunction {
  const ajv = newAjv();
  for (const r of refs) ajv.addSchema(JSON.parse(r));
  return ajv.compile(JSON.parse(schemaText));
}

/** The validator of `schemaText` as a CommonJS module (ajv's standalone code), stamped with the schemas' hash. */
export function standaloneValidator(schemaText: string, refs: readonly string[] = []): string {
  const { _ } = require("ajv") as typeof import("ajv");
  const standaloneCode = (require("ajv/dist/standalone/index.js") as typeof import("ajv/dist/standalone/index.js")).default;
  const ajv = newAjv({ code: { source: true, formats: _`require("ajv-formats/dist/formats").fullFormats` } });
  for (const r of refs) ajv.addSchema(JSON.parse(r));
  const code = standaloneCode(ajv, ajv.compile(JSON.parse(schemaText)));
  return `${code}\nmodule.exports.validate = module.exports;\nmodule.exports.schemaSha256 = ${JSON.stringify(schemaSha256(schemaText, refs))};\n`;
}

/** A validator compiled ahead of time, if `file` holds one compiled from exactly `schemaText` and `refs`. */
export function loadPrecompiled(file: string, schemaText: string, refs: readonly string[] = []): ValidateFunction | undefined {
  if (!existsSync(file)) return undefined;
  const m = require(file) as { schemaSha256: string; validate: ValidateFunction };
  return m.schemaSha256 === schemaSha256(schemaText, refs) ? m.validate : undefined;
}

/** The schema is compiled once per process; the same file is what editors use through the modeline. */
function validator(): ValidateFunction {
  if (!compiled) {
    const text = readFileSync(PLAN_SCHEMA_PATH, "utf8");
    compiled = loadPrecompiled(PRECOMPILED_VALIDATOR_PATH, text) ?? compileSchema(text);
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

function where(path: PathSegment[], top: string): string {
  return path.length ? path.map((p) => (typeof p === "number" ? `[${p}]` : `.${p}`)).join("").replace(/^\./, "") : top;
}

/** A location as the subject of a Chinese sentence: a space after an ASCII path, none after Chinese. */
function subject(here: string): string {
  return /[\x21-\x7e]$/.test(here) ? `${here} ` : here;
}

function describeType(value: unknown): string {
  if (value === null || value === undefined) return "空值";
  if (Array.isArray(value)) return "列表";
  if (typeof value === "object") return "映射";
  const names: Record<string, string> = { string: "字符串", number: "数字", boolean: "布尔值" };
  return names[typeof value] ?? typeof value;
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

/** The candidate closest to a misspelt word, when it is close enough to be what was meant. */
export function nearest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = distance(word, c);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best !== undefined && bestD <= Math.max(1, Math.floor(word.length / 3)) ? best : undefined;
}

export function suggest(word: string, candidates: Iterable<string>): string {
  const best = nearest(word, candidates);
  return best !== undefined ? `（是否应为“${best}”？）` : "";
}

let directoryValidator: ValidateFunction | undefined;

/** Loaded only when a plan imports a directory: most plans never need it. */
function directoryValidate(): ValidateFunction {
  if (!directoryValidator) {
    const text = readFileSync(DIRECTORY_SCHEMA_PATH, "utf8");
    const refs = [readFileSync(PLAN_SCHEMA_PATH, "utf8")];
    directoryValidator = loadPrecompiled(PRECOMPILED_DIRECTORY_VALIDATOR_PATH, text, refs) ?? compileSchema(text, refs);
  }
  return directoryValidator;
}

/** Validates an organisation directory file; each error points at its node in that file. */
export function checkDirectorySchema(data: unknown, source: PlanSource, sink: DiagnosticSink): boolean {
  const validate = directoryValidate();
  if (validate(data)) return true;
  for (const e of validate.errors ?? []) reportSchemaError(e, data, source, sink, "单位目录顶层");
  return false;
}

/** Validates plain data against the plan schema; each error points at its YAML node. Returns true when valid. */
export function checkSchema(data: unknown, source: PlanSource, sink: DiagnosticSink): boolean {
  const validate = validator();
  if (validate(data)) return true;
  // A failed oneOf also reports each branch's own failure; the oneOf message says it better.
  for (const e of validate.errors ?? []) if (!e.schemaPath.includes("/oneOf/")) reportSchemaError(e, data, source, sink);
  return false;
}

/**
 * One ajv error as a diagnostic at its YAML node. Also used for other YAML files validated by a schema
 * (the host's duban.config.yaml), which name their top level with `top`.
 */
export function reportSchemaError(e: ErrorObject, data: unknown, source: PlanSource, sink: DiagnosticSink, top = "计划顶层"): void {
  const path = pathOf(e.instancePath);
  // A bad key under propertyNames (a group or policy name): the inner error names the key; the
  // propertyNames error that wraps it only repeats "property name must be valid".
  if (e.keyword === "propertyNames") return;
  // `if`/`then` picks the form of units and groups (a list or map, or an import); the branch's own errors say what is wrong.
  if (e.keyword === "if") return;
  const name = e.propertyName;
  const at = name !== undefined ? source.position([...path, name], { key: true }) : source.position(path);
  const here = where(path, top);
  switch (e.keyword) {
    case "required": {
      const missing = (e.params as { missingProperty: string }).missingProperty;
      sink.error("SCHEMA_REQUIRED", `${subject(here)}缺少必填键“${missing}”，请补上`, at);
      return;
    }
    case "additionalProperties": {
      const key = (e.params as { additionalProperty: string }).additionalProperty;
      const allowed = Object.keys((e.parentSchema as { properties?: object }).properties ?? {});
      sink.error(
        "SCHEMA_UNKNOWN_KEY",
        `${subject(here)}中有未知键“${key}”${suggest(key, allowed)}；可用的键：${allowed.join("、")}`,
        source.position([...path, key], { key: true }),
      );
      return;
    }
    case "type": {
      const value = valueAt(data, path);
      if (path.length === 3 && path[0] === "tasks" && path[2] === "lead" && Array.isArray(value)) {
        sink.error("TASK_LEAD", "每项任务只能有一个牵头部门；其他单位请列在 support（配合部门）中", at);
      return;
      }
      // units and groups take a list (a map) or an import; the branch ajv reports names only one of the two.
      if (path.length === 1 && (path[0] === "units" || path[0] === "groups")) {
        sink.error("SCHEMA_TYPE", `${path[0]} 应为${path[0] === "units" ? "单位列表" : "组的映射"}，或 { from: 单位目录文件 }，但这里是${describeType(value)}`, at);
        return;
      }
      if (path.length === 2 && path[0] === "groups" && path[1] === "from") {
        sink.error("SCHEMA_TYPE", `groups.from 应为单位目录文件名（或文件名列表），但这里是${describeType(value)}`, at);
        return;
      }
      const expected = (e.params as { type: string | string[] }).type;
      sink.error("SCHEMA_TYPE", `${subject(here)}应为${article(expected)}，但这里是${describeType(value)}`, at);
      return;
    }
    case "oneOf":
      sink.error("SCHEMA_REQUIRED", `${subject(here)}须写 due（一次性截止日期）或 recurring（周期安排），且只能写其中一个`, at);
      return;
    case "pattern": {
      const value = name ?? String(valueAt(data, path));
      const hint = patternHint((e.params as { pattern: string }).pattern);
      sink.error("SCHEMA_VALUE", `${here}：“${value}”${hint}`, at);
      return;
    }
    case "enum":
      sink.error(
        "SCHEMA_VALUE",
        `${here}：“${String(valueAt(data, path))}”不是可选值；请改为以下之一：${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => `“${v}”`).join("、")}`,
        at,
      );
      return;
    case "const":
      sink.error("SCHEMA_VALUE", `${subject(here)}必须为 ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`, at);
      return;
    case "format":
      sink.error("SCHEMA_VALUE", `${here}：“${String(valueAt(data, path))}”不是有效的${formatName((e.params as { format: string }).format)}，请检查拼写`, at);
      return;
    case "minItems":
      sink.error("SCHEMA_VALUE", `${subject(here)}至少要列出 ${(e.params as { limit: number }).limit} 项`, at);
      return;
    case "minLength":
      sink.error("SCHEMA_VALUE", `${subject(here)}不能为空，请填写内容`, at);
      return;
    case "minimum":
      sink.error("SCHEMA_VALUE", `${subject(here)}不能小于 ${(e.params as { limit: number }).limit}`, at);
      return;
    case "exclusiveMinimum":
      sink.error("SCHEMA_VALUE", `${subject(here)}必须大于 ${(e.params as { limit: number }).limit}`, at);
      return;
    case "maximum":
      sink.error("SCHEMA_VALUE", `${subject(here)}不能大于 ${(e.params as { limit: number }).limit}`, at);
      return;
    default:
      // ajv's own wording (English) for a rule this switch does not know, kept after a Chinese lead-in.
      sink.error("SCHEMA_VALUE", `${subject(here)}的值不符合要求：${e.message ?? "is not valid"}`, at);
      return;
  }
}

function article(type: string | string[]): string {
  const names: Record<string, string> = { string: "字符串", integer: "整数", number: "数字", array: "列表", object: "映射（键: 值）", boolean: "true 或 false" };
  return (Array.isArray(type) ? type : [type]).map((t) => names[t] ?? t).join("或");
}

function formatName(format: string): string {
  return format === "email" ? "电子邮件地址" : `${format} 格式`;
}

function patternHint(pattern: string): string {
  if (pattern.includes("\\d{4}-\\d{2}-\\d{2}")) return "不是日期，请写成 YYYY-MM-DD，例如 2021-05-20";
  if (pattern.includes("[01]\\d|2[0-3]")) return "不是时刻，请写成 HH:MM，例如 09:00";
  if (pattern.includes("(wd|d|h)")) return "不是有效的期限，请写成 +5wd（工作日）、+3d（自然日）或 +24h（小时）这样的形式，从开启时起算";
  if (pattern.includes("(wd|h)")) return "不是有效的时间偏移，请写成 -3wd、0wd、+1wd（工作日）或 -4h（小时）这样的形式";
  if (pattern.startsWith("^@?")) return "不是有效的单位引用，请写单位 id，或 @组名";
  if (pattern === "^last$") return "不是每月的日期；请写 1 至 31 的数字，每月最后一天请写 last";
  return "不是有效的 id，只能使用小写英文字母、数字、- 和 _（中文名称请写在 name 中）";
}

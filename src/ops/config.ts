import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, isAbsolute, resolve } from "node:path";
import type { ErrorObject, ValidateFunction } from "ajv";
import type { WebhookEndpoint, WebhookKind } from "../../notifiers/index.ts";
import { packagePath } from "../package-path.ts";
import { DiagnosticSink, hasErrors, sortDiagnostics, type Diagnostic, type SourcePosition } from "../plan/diagnostics.ts";
import { reportSchemaError } from "../plan/schema.ts";
import { parsePlanText, toData, type PathSegment, type PlanSource } from "../plan/source.ts";
import { LOG_LEVELS, type LogFormat, type LogLevel } from "./log-level.ts";
import { DEFAULT_MAX_OUTBOX_AGE_MS } from "./health.ts";

const require = createRequire(import.meta.url);

export const CONFIG_SCHEMA_PATH = packagePath("schemas/duban.config.schema.json");
/** Read when neither --config nor DUBAN_CONFIG names a file, if it exists. */
export const DEFAULT_CONFIG_FILE = "duban.config.yaml";
const MAX_CONFIG_BYTES = 1024 * 1024;

/** A robot as the host runs it: the endpoint the notifier takes, plus its own send limit when set. */
export type RobotEndpoint = WebhookEndpoint & { perMinute?: number };

/** Everything a host (run, serve) takes from the configuration file and the environment. */
export interface HostSettings {
  /** The file that was read, if any. */
  file?: string;
  db?: string;
  publicUrl?: string;
  emlDir?: string;
  logLevel: LogLevel;
  logFormat: LogFormat;
  serve: { host?: string; port?: number };
  metrics: { host?: string; port?: number };
  maxOutboxAgeMs: number;
  smtp?: { url: string; from?: string };
  /** Robots with their secrets read in (from the environment or files named by the configuration). */
  robots?: RobotEndpoint[];
  /** DUBAN_WEBHOOKS: the older JSON list of robots; it wins over `robots` as every variable wins. */
  webhooksFile?: string;
}

interface ConfigInput {
  db?: string;
  publicUrl?: string;
  emlDir?: string;
  log?: { level?: LogLevel; format?: LogFormat };
  serve?: { host?: string; port?: number };
  metrics?: { host?: string; port?: number };
  readiness?: { maxOutboxAgeMinutes?: number };
  smtp?: { url?: string; urlEnv?: string; urlFile?: string; from?: string };
  robots?: { id: string; kind: WebhookKind | "feishu"; url?: string; urlEnv?: string; urlFile?: string; secretEnv?: string; secretFile?: string; perMinute?: number }[];
}

export interface SettingsResult {
  /** Present only when there were no errors. */
  settings?: HostSettings;
  diagnostics: Diagnostic[];
}

let compiled: ValidateFunction | undefined;
function validator(): ValidateFunction {
  if (!compiled) {
    const Ajv2020 = require("ajv/dist/2020.js") as typeof import("ajv/dist/2020.js").default;
    compiled = new Ajv2020({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true }).compile(JSON.parse(readFileSync(CONFIG_SCHEMA_PATH, "utf8")));
  }
  return compiled;
}

/** Which file to read: --config, else DUBAN_CONFIG, else ./duban.config.yaml when it exists. */
export function configFileOf(explicit: string | undefined, env: NodeJS.ProcessEnv, cwd = process.cwd()): { file?: string; required: boolean } {
  const named = explicit ?? env.DUBAN_CONFIG;
  if (named) return { file: named, required: true };
  const fallback = resolve(cwd, DEFAULT_CONFIG_FILE);
  return existsSync(fallback) ? { file: fallback, required: false } : { required: false };
}

/**
 * Reads the host's configuration: the file (validated against schemas/duban.config.schema.json, every
 * problem as file:line:col), then the environment, whose variables win. Secrets named by the file
 * (urlEnv, urlFile, secretEnv, secretFile) are read now, so a missing one stops the start, not the
 * first send. Never throws for a user mistake; never puts a secret's value in a message.
 */
export function loadHostSettings(opts: { file?: string; env?: NodeJS.ProcessEnv; cwd?: string; /** false: only the file's shape (commands that send nothing). */ secrets?: boolean } = {}): SettingsResult {
  const env = opts.env ?? process.env;
  const sink = new DiagnosticSink();
  const { file } = configFileOf(opts.file, env, opts.cwd);
  let input: ConfigInput = {};
  let source: PlanSource | undefined;
  if (file) {
    const read = readConfigFile(file, sink);
    if (read) {
      source = read;
      const data = toData(read, sink);
      if (!hasErrors(sink.items)) {
        const validate = validator();
        if (data === null || data === undefined) input = {};
        else if (!validate(data)) for (const e of validate.errors ?? []) reportConfigError(e, data, read, sink);
        else input = data as ConfigInput;
      }
    }
  }
  if (hasErrors(sink.items)) return { diagnostics: sortDiagnostics(sink.items) };

  const base = file ? dirname(resolve(file)) : (opts.cwd ?? process.cwd());
  const at = (path: PathSegment[]): SourcePosition => source?.position(path) ?? { file: file ?? "duban.config.yaml", line: 1, col: 1 };
  const secret = (path: PathSegment[], via: { env?: string; file?: string }, what: string): string | undefined => {
    if (opts.secrets === false) return undefined;
    if (via.env !== undefined) {
      const v = env[via.env];
      if (v === undefined || v.trim() === "") {
        sink.error("SECRET_MISSING", `${what}应从环境变量 ${via.env} 读取，但该变量未设置或为空；请在服务的 EnvironmentFile 中设置它`, at([...path.slice(0, -1), `${path.at(-1)}Env`]));
        return undefined;
      }
      return v.trim();
    }
    if (via.file !== undefined) {
      const f = isAbsolute(via.file) ? via.file : resolve(base, via.file);
      try {
        const v = readFileSync(f, "utf8").trim();
        if (v === "") throw Object.assign(new Error("empty"), { code: "空文件" });
        return v;
      } catch (err) {
        sink.error("SECRET_MISSING", `${what}应从文件 ${f} 读取，但无法读取（${(err as NodeJS.ErrnoException).code ?? "错误"}）；请检查文件是否存在、运行服务的用户能否读取`, at([...path.slice(0, -1), `${path.at(-1)}File`]));
        return undefined;
      }
    }
    return undefined;
  };

  const smtpUrl = env.DUBAN_SMTP_URL || input.smtp?.url || secret(["smtp", "url"], { env: input.smtp?.urlEnv, file: input.smtp?.urlFile }, "SMTP 服务器地址");
  const smtpFrom = env.DUBAN_SMTP_FROM || input.smtp?.from;
  let robots: RobotEndpoint[] | undefined;
  if (input.robots && !env.DUBAN_WEBHOOKS && opts.secrets !== false) {
    robots = [];
    input.robots.forEach((r, i) => {
      const url = r.url ?? secret(["robots", i, "url"], { env: r.urlEnv, file: r.urlFile }, `群机器人 ${r.id} 的地址`);
      if (url === undefined && r.urlEnv === undefined && r.urlFile === undefined) sink.error("SCHEMA_REQUIRED", `robots[${i}]（${r.id}）缺少地址：请写 url、urlEnv 或 urlFile 之一（地址含令牌，建议用 urlFile）`, at(["robots", i]));
      const s = secret(["robots", i, "secret"], { env: r.secretEnv, file: r.secretFile }, `群机器人 ${r.id} 的加签密钥`);
      if (url !== undefined) robots!.push({ id: r.id, kind: r.kind as WebhookKind, url, ...(s !== undefined ? { secret: s } : {}), ...(r.perMinute !== undefined ? { perMinute: r.perMinute } : {}) });
    });
  }

  const level = envEnum(env, "DUBAN_LOG_LEVEL", LOG_LEVELS, sink) ?? input.log?.level ?? "info";
  const format = envEnum(env, "DUBAN_LOG_FORMAT", ["auto", "json", "pretty"] as const, sink) ?? input.log?.format ?? "auto";
  const servePort = envPort(env, "DUBAN_PORT", sink) ?? input.serve?.port;
  const metricsPort = envPort(env, "DUBAN_METRICS_PORT", sink) ?? input.metrics?.port;
  const ageMin = input.readiness?.maxOutboxAgeMinutes;
  if (hasErrors(sink.items)) return { diagnostics: sortDiagnostics(sink.items) };
  const settings: HostSettings = {
    ...(file ? { file } : {}),
    ...pick("db", env.DUBAN_DB || input.db),
    ...pick("publicUrl", env.DUBAN_BASE_URL || input.publicUrl),
    ...pick("emlDir", env.DUBAN_EML_DIR || (input.emlDir !== undefined ? resolve(base, input.emlDir) : undefined)),
    logLevel: level,
    logFormat: format,
    serve: { ...pick("host", env.DUBAN_HOST || input.serve?.host), ...pick("port", servePort) },
    metrics: { ...pick("host", input.metrics?.host), ...pick("port", metricsPort) },
    maxOutboxAgeMs: ageMin !== undefined ? ageMin * 60_000 : DEFAULT_MAX_OUTBOX_AGE_MS,
    ...(smtpUrl ? { smtp: { url: smtpUrl, ...pick("from", smtpFrom) } } : {}),
    ...(robots ? { robots } : {}),
    ...pick("webhooksFile", env.DUBAN_WEBHOOKS),
  };
  return { settings, diagnostics: sortDiagnostics(sink.items) };
}

function pick<K extends string, V>(key: K, value: V | undefined | ""): { [P in K]?: V } {
  return (value === undefined || value === "" ? {} : { [key]: value }) as { [P in K]?: V };
}

function envAt(name: string): SourcePosition {
  return { file: `环境变量 ${name}`, line: 1, col: 1 };
}

function envEnum<T extends string>(env: NodeJS.ProcessEnv, name: string, allowed: readonly T[], sink: DiagnosticSink): T | undefined {
  const v = env[name];
  if (!v) return undefined;
  if ((allowed as readonly string[]).includes(v)) return v as T;
  sink.error("SCHEMA_VALUE", `“${v}”不是可选值；请改为以下之一：${allowed.join("、")}`, envAt(name));
  return undefined;
}

function envPort(env: NodeJS.ProcessEnv, name: string, sink: DiagnosticSink): number | undefined {
  const v = env[name];
  if (!v) return undefined;
  const n = Number(v);
  if (Number.isInteger(n) && n >= 0 && n <= 65535) return n;
  sink.error("SCHEMA_VALUE", `“${v}”不是端口号；请写 0 至 65535 的整数`, envAt(name));
  return undefined;
}

function readConfigFile(file: string, sink: DiagnosticSink): PlanSource | undefined {
  const top = { file, line: 1, col: 1 };
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    sink.error("FILE_UNREADABLE", `无法读取配置文件（${(err as NodeJS.ErrnoException).code ?? String(err)}）；请检查 --config 或 DUBAN_CONFIG 指向的路径和读取权限`, top);
    return undefined;
  }
  if (bytes.length > MAX_CONFIG_BYTES || bytes.subarray(0, 8192).includes(0)) {
    sink.error("BINARY_FILE", "这不是 YAML 配置文件；请确认选对了文件", top);
    return undefined;
  }
  return parsePlanText(file, bytes.toString("utf8"), sink);
}

/** Patterns of this schema say what they expect in words; the rest is the plan's wording. */
function reportConfigError(e: ErrorObject, data: unknown, source: PlanSource, sink: DiagnosticSink): void {
  if (e.keyword === "pattern") {
    const pattern = (e.params as { pattern: string }).pattern;
    const hint = pattern.startsWith("^https?") ? "应以 http:// 或 https:// 开头" : pattern.startsWith("^smtp") ? "应以 smtp:// 或 smtps:// 开头" : pattern.startsWith("^[A-Z_]") ? "不是环境变量名（大写字母、数字和 _）" : "不是有效的 id，只能使用小写英文字母、数字、- 和 _";
    const path = e.instancePath.slice(1).split("/").map((s) => (/^\d+$/.test(s) ? Number(s) : s));
    const here = path.map((p) => (typeof p === "number" ? `[${p}]` : `.${p}`)).join("").replace(/^\./, "");
    sink.error("SCHEMA_VALUE", `${here}：${hint}`, source.position(path));
    return;
  }
  reportSchemaError(e, data, source, sink, "配置文件顶层");
}

/** Every diagnostic as `file:line:col: error[CODE]: message`, then a closing line, as for plans. */
export function settingsErrorText(result: SettingsResult, formatDiagnostic: (d: Diagnostic) => string): string[] {
  const lines = result.diagnostics.map(formatDiagnostic);
  const n = result.diagnostics.filter((d) => d.severity === "error").length;
  if (!result.settings) lines.push(`配置有 ${n} 个错误，未启动；请按以上提示修改后重试`);
  return lines;
}

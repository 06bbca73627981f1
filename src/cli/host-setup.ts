import type { NotifierSet } from "../../notifiers/index.ts";
import type { HostConfig } from "../daemon/host.ts";
import type { HostSettings } from "../ops/config.ts";
import type { HostLogger } from "../ops/logger.ts";
import type { HostMetrics } from "../ops/metrics.ts";
import { LOG_LEVELS, type LogLevel } from "../ops/log-level.ts";
import { processIo, UsageError, type Io } from "./io.ts";

export interface HostRuntime {
  settings: HostSettings;
  cfg: HostConfig;
  logger: HostLogger;
  metrics: HostMetrics;
  notifiers: NotifierSet;
}

/** `--log-level`: checked before anything is loaded, so a typo is one line. */
export function logLevelOption(value: string | undefined): LogLevel | undefined {
  if (value === undefined) return undefined;
  if ((LOG_LEVELS as readonly string[]).includes(value)) return value as LogLevel;
  throw new UsageError(`--log-level ${value}：只能是 ${LOG_LEVELS.join("、")} 之一`, "BAD_OPTION");
}

/**
 * What `run` and `serve` start with: the configuration (file, then environment; every problem as
 * file:line:col, nothing started), the log, the metrics and the channels. A robot or SMTP setting
 * that cannot work is refused here, at start, not at the first send.
 */
export async function startHostRuntime(o: { configFile?: string; logLevel?: LogLevel; io: Io; overrides?: Partial<HostConfig> }): Promise<HostRuntime> {
  const [{ loadHostSettings, settingsErrorText }, { formatDiagnostic }, { createHostLogger, secretsOf }, { HostMetrics }, host, { NotifierConfigError }] = await Promise.all([
    import("../ops/config.ts"),
    import("../plan/diagnostics.ts"),
    import("../ops/logger.ts"),
    import("../ops/metrics.ts"),
    import("../daemon/host.ts"),
    import("../../notifiers/index.ts"),
  ]);
  const result = loadHostSettings({ ...(o.configFile ? { file: o.configFile } : {}) });
  if (!result.settings) {
    const lines = settingsErrorText(result, formatDiagnostic);
    for (const l of lines.slice(0, -1)) o.io.err(l);
    throw new UsageError(lines.at(-1)!, "CONFIG", 1);
  }
  const s = result.settings;
  const cfg: HostConfig = {
    ...(s.smtp ? { smtpUrl: s.smtp.url, ...(s.smtp.from ? { smtpFrom: s.smtp.from } : {}) } : {}),
    emlDir: s.emlDir ?? "./outbox-eml",
    ...(s.webhooksFile ? { webhooksFile: s.webhooksFile } : {}),
    ...(s.robots ? { webhooks: s.robots } : {}),
    ...(s.publicUrl ? { baseUrl: s.publicUrl } : {}),
    ...o.overrides,
  };
  let robots;
  try {
    robots = host.robotsOf(cfg);
  } catch (err) {
    // Never the parser's message: it quotes the file, and the file holds the robots' tokens.
    const why = err instanceof SyntaxError ? "不是有效的 JSON" : ((err as NodeJS.ErrnoException).code ?? "无法读取");
    throw new UsageError(`无法读取群机器人列表 ${cfg.webhooksFile}（DUBAN_WEBHOOKS）：${why}；未启动`, "CONFIG", 1);
  }
  const stderrTty = o.io === processIo && Boolean(process.stderr.isTTY);
  const logger = createHostLogger({ level: o.logLevel ?? s.logLevel, format: s.logFormat, write: (line) => o.io.err(line), tty: stderrTty, secrets: secretsOf({ ...(cfg.smtpUrl ? { smtpUrl: cfg.smtpUrl } : {}), ...(robots ? { webhooks: robots } : {}) }) });
  let notifiers: NotifierSet;
  try {
    notifiers = host.notifiersFor({ ...cfg, ...(robots ? { webhooks: robots, webhooksFile: undefined } : {}) });
  } catch (err) {
    if (err instanceof NotifierConfigError) throw new UsageError(`通道配置有误，未启动：${err.message}`, "CONFIG", 1);
    throw err;
  }
  return { settings: s, cfg, logger, metrics: new HostMetrics(), notifiers };
}

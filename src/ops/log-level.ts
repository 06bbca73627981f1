/** pino's levels, named here so that reading the configuration does not load the logger. */
export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
/** auto: pretty lines on a terminal, JSON lines otherwise (journald, files, log shippers). */
export type LogFormat = "auto" | "json" | "pretty";

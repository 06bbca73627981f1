/**
 * The facts of a log line, beside its text: what an operator filters and alerts on. Hosts write them as
 * JSON fields; the text (`msg`) is what a person reads. Only type imports here: the daemon and the
 * dispatcher name these without loading the logger.
 */
export interface LogFields {
  /** @default "info" */
  level?: "trace" | "debug" | "info" | "warn" | "error" | "fatal";
  /** A stable name for the kind of line (leader, standby, cycle, sent, retry, failed, …). */
  event?: string;
  campaign?: string;
  /** The event sequence number (head of the log) the line is about. */
  seq?: number;
  /** An outbox key or assignment id. */
  item?: string;
  messageId?: string;
  channel?: string;
  durationMs?: number;
  /** The error code of a failure (SMTP_REJECTED, WEBHOOK_HTTP, CLOCK_BEHIND, …). */
  code?: string;
  [key: string]: unknown;
}

/** A host's log: one line of text, with its facts. A plain `(line) => void` is one too. */
export type LogFn = (line: string, fields?: LogFields) => void;

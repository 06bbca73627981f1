export type StoreErrorCode =
  | "INVALID_EVENT"
  | "INVALID_OUTBOX"
  | "INVALID_ARGUMENT"
  | "PLAN_CONFLICT"
  | "OUTBOX_NOT_FOUND"
  | "OUTBOX_STATE"
  | "OUTBOX_LEASE_LOST"
  | "SCHEMA_TOO_NEW"
  | "CLOSED"
  | "HEAD_MOVED"
  | "CLOCK_BEHIND"
  | "CAMPAIGN_EXISTS";

export class StoreError extends Error {
  override readonly name = "StoreError";
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    /** CLOCK_BEHIND: the log's last instant, which the refused event came before. */
    readonly lastAt?: string,
  ) {
    super(message);
  }
}

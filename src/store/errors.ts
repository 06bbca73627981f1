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
  | "HEAD_MOVED";

export class StoreError extends Error {
  override readonly name = "StoreError";
  constructor(
    readonly code: StoreErrorCode,
    message: string,
  ) {
    super(message);
  }
}

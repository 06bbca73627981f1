/** Thrown only while building notifiers from configuration; delivery failures are never thrown. */
export class NotifierConfigError extends Error {
  readonly code = "NOTIFIER_CONFIG";
  constructor(message: string) {
    super(message);
    this.name = "NotifierConfigError";
  }
}

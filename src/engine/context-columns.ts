import type { AssignmentContext } from "./assignment-machine.ts";

/** The per-item contexts as the persisted state carries them: one array per field, `null` for absent. */
export interface PersistedColumns {
  dueAt: (number | null)[];
  level: number[];
  late: (0 | 1)[];
  submittedAt: (number | null)[];
  reminders: number[];
  returns: number[];
  extensions: number[];
  /** null: not acknowledged (the field is absent from the context). */
  acknowledgedAt: (number | null)[];
  /** null: no interim report yet (the field is absent from the context). */
  reports: (number | null)[];
  /** null: never urged (催办). Absent in columns persisted before 催办 existed. */
  urgedAt?: (number | null)[];
}

/**
 * Every item's context in typed arrays, one per field, instead of one object per item: a national
 * campaign holds a few hundred thousand of them, and objects that live until their item's next event are
 * promoted and collected as old garbage, which is what made a replay's peak memory grow with the log.
 * A context object is built only when one is asked for (a transition, a view) and dropped after it.
 * NaN marks a null or absent instant; -1 an absent report count.
 */
export class ContextColumns {
  private dueAt: Float64Array;
  private submittedAt: Float64Array;
  private acknowledgedAt: Float64Array;
  private urgedAt: Float64Array;
  private level: Int32Array;
  private reminders: Int32Array;
  private returns: Int32Array;
  private extensions: Int32Array;
  private reports: Int32Array;
  private late: Uint8Array;

  constructor(capacity: number) {
    const n = Math.max(16, capacity);
    this.dueAt = new Float64Array(n);
    this.submittedAt = new Float64Array(n);
    this.acknowledgedAt = new Float64Array(n);
    this.urgedAt = new Float64Array(n);
    this.level = new Int32Array(n);
    this.reminders = new Int32Array(n);
    this.returns = new Int32Array(n);
    this.extensions = new Int32Array(n);
    this.reports = new Int32Array(n);
    this.late = new Uint8Array(n);
  }

  get capacity(): number {
    return this.late.length;
  }

  /** Room for at least `n` items, keeping what is there. */
  ensure(n: number): void {
    if (n <= this.capacity) return;
    const size = Math.max(n, this.capacity * 2);
    const grow = <T extends Float64Array | Int32Array | Uint8Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(size);
      b.set(a);
      return b;
    };
    this.dueAt = grow(this.dueAt);
    this.submittedAt = grow(this.submittedAt);
    this.acknowledgedAt = grow(this.acknowledgedAt);
    this.urgedAt = grow(this.urgedAt);
    this.level = grow(this.level);
    this.reminders = grow(this.reminders);
    this.returns = grow(this.returns);
    this.extensions = grow(this.extensions);
    this.reports = grow(this.reports);
    this.late = grow(this.late);
  }

  set(i: number, c: AssignmentContext): void {
    this.dueAt[i] = c.dueAt ?? Number.NaN;
    this.submittedAt[i] = c.submittedAt ?? Number.NaN;
    // A store written before may hold null for "not acknowledged": it reads back as absent, equally falsy.
    this.acknowledgedAt[i] = c.acknowledgedAt ?? Number.NaN;
    this.urgedAt[i] = c.urgedAt ?? Number.NaN;
    this.level[i] = c.level;
    this.reminders[i] = c.reminders;
    this.returns[i] = c.returns;
    this.extensions[i] = c.extensions;
    this.reports[i] = c.reports ?? -1;
    this.late[i] = c.late ? 1 : 0;
  }

  /** A fresh context object, with the optional fields only when set (as the machine's `assign` leaves them). */
  get(i: number): AssignmentContext {
    const c: AssignmentContext = {
      dueAt: nullable(this.dueAt[i]!),
      level: this.level[i]!,
      late: this.late[i] === 1,
      submittedAt: nullable(this.submittedAt[i]!),
      reminders: this.reminders[i]!,
      returns: this.returns[i]!,
      extensions: this.extensions[i]!,
    };
    const ack = this.acknowledgedAt[i]!;
    if (!Number.isNaN(ack)) c.acknowledgedAt = ack;
    const reports = this.reports[i]!;
    if (reports >= 0) c.reports = reports;
    const urged = this.urgedAt[i]!;
    if (!Number.isNaN(urged)) c.urgedAt = urged;
    return c;
  }

  /** Item i's whole context as a string: equal strings, equal contexts (every field, absent ones too). */
  key(i: number): string {
    return `${this.dueAt[i]}|${this.level[i]}|${this.late[i]}|${this.submittedAt[i]}|${this.reminders[i]}|${this.returns[i]}|${this.extensions[i]}|${this.acknowledgedAt[i]}|${this.reports[i]}|${this.urgedAt[i]}`;
  }

  dueAtOf(i: number): number | null {
    return nullable(this.dueAt[i]!);
  }

  lateOf(i: number): boolean {
    return this.late[i] === 1;
  }

  acknowledged(i: number): boolean {
    // As `!!context.acknowledgedAt`: an instant of 0 counts as not acknowledged there too.
    const a = this.acknowledgedAt[i]!;
    return !Number.isNaN(a) && a !== 0;
  }

  extensionsOf(i: number): number {
    return this.extensions[i]!;
  }

  /** The first `n` items' contexts as plain arrays (JSON-safe). */
  persist(n: number): PersistedColumns {
    const times = (a: Float64Array) => Array.from(a.subarray(0, n), nullable);
    return {
      dueAt: times(this.dueAt),
      level: Array.from(this.level.subarray(0, n)),
      late: Array.from(this.late.subarray(0, n)) as (0 | 1)[],
      submittedAt: times(this.submittedAt),
      reminders: Array.from(this.reminders.subarray(0, n)),
      returns: Array.from(this.returns.subarray(0, n)),
      extensions: Array.from(this.extensions.subarray(0, n)),
      acknowledgedAt: times(this.acknowledgedAt),
      reports: Array.from(this.reports.subarray(0, n), (r) => (r < 0 ? null : r)),
      urgedAt: times(this.urgedAt),
    };
  }

  /** Item i's context from persisted columns, without building an object. */
  restore(i: number, p: PersistedColumns): void {
    this.dueAt[i] = p.dueAt[i] ?? Number.NaN;
    this.submittedAt[i] = p.submittedAt[i] ?? Number.NaN;
    this.acknowledgedAt[i] = p.acknowledgedAt[i] ?? Number.NaN;
    this.urgedAt[i] = p.urgedAt?.[i] ?? Number.NaN;
    this.level[i] = p.level[i]!;
    this.reminders[i] = p.reminders[i]!;
    this.returns[i] = p.returns[i]!;
    this.extensions[i] = p.extensions[i]!;
    this.reports[i] = p.reports[i] ?? -1;
    this.late[i] = p.late[i] ? 1 : 0;
  }
}

function nullable(x: number): number | null {
  return Number.isNaN(x) ? null : x;
}

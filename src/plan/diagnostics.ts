/** Every problem a plan can have, as a closed set of codes (tests and tools match on these). */
export const DiagnosticCode = {
  FILE_UNREADABLE: "FILE_UNREADABLE",
  FILE_TOO_LARGE: "FILE_TOO_LARGE",
  BINARY_FILE: "BINARY_FILE",
  YAML_SYNTAX: "YAML_SYNTAX",
  ALIAS_LIMIT: "ALIAS_LIMIT",
  SCHEMA_REQUIRED: "SCHEMA_REQUIRED",
  SCHEMA_UNKNOWN_KEY: "SCHEMA_UNKNOWN_KEY",
  SCHEMA_TYPE: "SCHEMA_TYPE",
  SCHEMA_VALUE: "SCHEMA_VALUE",
  DUPLICATE_ID: "DUPLICATE_ID",
  RESERVED_ID: "RESERVED_ID",
  UNKNOWN_REF: "UNKNOWN_REF",
  WRONG_KIND: "WRONG_KIND",
  TASK_LEAD: "TASK_LEAD",
  BAD_DATE: "BAD_DATE",
  BAD_TIME_EXPR: "BAD_TIME_EXPR",
  BAD_ZONE: "BAD_ZONE",
  DATE_OUTSIDE_CAMPAIGN: "DATE_OUTSIDE_CAMPAIGN",
  DATE_OUTSIDE_PHASE: "DATE_OUTSIDE_PHASE",
  PHASE_ORDER: "PHASE_ORDER",
  DUE_BEFORE_OPEN: "DUE_BEFORE_OPEN",
  CYCLE: "CYCLE",
  EMPTY_ASSIGNEES: "EMPTY_ASSIGNEES",
  BAD_RECURRENCE: "BAD_RECURRENCE",
  UNRESOLVED_TODO: "UNRESOLVED_TODO",
  DUE_ON_REST_DAY: "DUE_ON_REST_DAY",
  NO_CALENDAR_DATA: "NO_CALENDAR_DATA",
  NO_CONTACT: "NO_CONTACT",
  DEPRECATED_KEY: "DEPRECATED_KEY",
  ASSUMED_DATE: "ASSUMED_DATE",
  SELF_RECIPIENT: "SELF_RECIPIENT",
  BAD_OFFSET: "BAD_OFFSET",
  DUE_BOUNDS: "DUE_BOUNDS",
  BAD_FIELD: "BAD_FIELD",
  KIND_CONFLICT: "KIND_CONFLICT",
  /** A sub-plan's parent campaign or item is not there (src/plan/parent.ts). */
  PARENT_MISSING: "PARENT_MISSING",
  /** A sub-plan's parent item is owed by a unit that is not the sub-plan's own. */
  PARENT_UNIT: "PARENT_UNIT",
  /** A sub-plan's deadline outside its parent item's window (or the parent campaign's). */
  PARENT_WINDOW: "PARENT_WINDOW",
  /** duban.config.yaml: a secret it names (environment variable, file) is not there. */
  SECRET_MISSING: "SECRET_MISSING",
} as const;
export type DiagnosticCode = (typeof DiagnosticCode)[keyof typeof DiagnosticCode];

export type Severity = "error" | "warning";

export interface SourcePosition {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  col: number;
}

export interface Diagnostic extends SourcePosition {
  severity: Severity;
  code: DiagnosticCode;
  message: string;
}

/** `file:line:col: error[CODE]: message`, the form editors and terminals link to. */
export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.col}: ${d.severity}[${d.code}]: ${d.message}`;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}

/** Sorted by position so a clerk can fix them top to bottom. */
export function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  return diagnostics.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col);
}

/** Collects problems instead of throwing, as eemeli/yaml does: every check runs, all problems are reported. */
export class DiagnosticSink {
  readonly items: Diagnostic[] = [];
  error(code: DiagnosticCode, message: string, at: SourcePosition): void {
    this.items.push({ severity: "error", code, message, ...at });
  }
  warning(code: DiagnosticCode, message: string, at: SourcePosition): void {
    this.items.push({ severity: "warning", code, message, ...at });
  }
}

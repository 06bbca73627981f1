import type { FieldProblemCode } from "../model/fields.ts";
import type { Problem } from "../model/problem.ts";

/**
 * What an import can find wrong besides a field's value (those keep their FIELD_* codes, so a sheet's
 * cell and the 交办 form say the same thing about the same value).
 *
 * - File: `IMPORT_UNREADABLE`, `IMPORT_TOO_LARGE` (refused by its size, before it is read),
 *   `IMPORT_NOT_TABLE` (neither xlsx nor csv, by its first bytes), `IMPORT_NO_SHEET`, `IMPORT_EMPTY`
 *   (no header), `IMPORT_NO_ROWS` (a header and nothing under it), `IMPORT_TOO_MANY_ROWS`.
 * - Header: `IMPORT_UNKNOWN_COLUMN`, `IMPORT_DUPLICATE_COLUMN`, `IMPORT_MISSING_COLUMN`,
 *   `IMPORT_UNNAMED_COLUMN` (values under an empty header cell).
 * - Row: `IMPORT_UNKNOWN_UNIT`, `IMPORT_AMBIGUOUS_UNIT`, `IMPORT_TOO_MANY_UNITS`, `IMPORT_DUE_FIXED` (a
 *   date where the plan sets the deadline), `IMPORT_DUPLICATE_KEY`.
 */
export type ImportProblemCode =
  | "IMPORT_UNREADABLE"
  | "IMPORT_TOO_LARGE"
  | "IMPORT_NOT_TABLE"
  | "IMPORT_NO_SHEET"
  | "IMPORT_EMPTY"
  | "IMPORT_NO_ROWS"
  | "IMPORT_TOO_MANY_ROWS"
  | "IMPORT_UNKNOWN_COLUMN"
  | "IMPORT_DUPLICATE_COLUMN"
  | "IMPORT_MISSING_COLUMN"
  | "IMPORT_UNNAMED_COLUMN"
  | "IMPORT_UNKNOWN_UNIT"
  | "IMPORT_AMBIGUOUS_UNIT"
  | "IMPORT_TOO_MANY_UNITS"
  | "IMPORT_DUE_FIXED"
  | "IMPORT_DUPLICATE_KEY";

/**
 * A problem of an import file and where it is: the file as the user named it, the sheet (xlsx only),
 * the cell as Excel names it (`C7`) and its row. File-level problems have neither cell nor row; header
 * problems have the header's cell (a missing column has only the sheet).
 */
export type ImportProblem = Problem<ImportProblemCode | FieldProblemCode> & {
  file: string;
  sheet?: string;
  cell?: string;
  row?: number;
};

/** What a file looks like when it is not a table: named in the refusal, so the user knows what to save instead. */
export type NotTableLooks = "xls" | "html" | "pdf" | "image" | "archive" | "utf16" | "binary" | "xlsxName";

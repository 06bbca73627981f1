import type { LoadResult } from "../../src/plan/load.ts";

/** 1-based column of `needle` in `line` (the needle must occur in it). */
export function col(line: string, needle: string): number {
  const i = line.indexOf(needle);
  if (i < 0) throw new Error(`"${needle}" is not in "${line}"`);
  return i + 1;
}

export type Row = [severity: string, code: string, line: number, col: number];

/** Each diagnostic as severity, code, line and column, for exact comparison. */
export const rows = (r: LoadResult): Row[] => r.diagnostics.map((d) => [d.severity, d.code, d.line, d.col]);

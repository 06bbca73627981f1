/**
 * What a page computes from the board's rows, kept as long as those rows are: Campaign.board and the
 * lights hand out the same array until the log, the clock's window or the marks move, so every request
 * in between reads its filters, summaries and rankings instead of folding hundreds of thousands of rows.
 * Results are shared between requests: callers copy before they sort or change one.
 */
const memos = new WeakMap<object, Map<string, unknown>>();

/** Different filters of one board kept at most (a crawler walking every drill-down must not hold them all). */
const MAX_PER_ROWS = 64;

export function memoOn<R>(rows: object, key: string, fn: () => R): R {
  let m = memos.get(rows);
  if (!m) memos.set(rows, (m = new Map()));
  if (m.has(key)) return m.get(key) as R;
  const v = fn();
  if (m.size >= MAX_PER_ROWS) m.delete(m.keys().next().value!);
  m.set(key, v);
  return v;
}

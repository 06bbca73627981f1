import { createHash } from "node:crypto";
import type { CnCalendarData } from "../model/time.ts";

// Apart from load.ts, so that a store can check a stored version against its hash without loading the YAML parser.

/**
 * A plan version's hash: its text, and for a `cn` calendar the statutory data it is resolved with,
 * since the same text resolves to other deadlines when the holiday data changes.
 */
export function planHash(text: string, data?: CnCalendarData, imports: Record<string, string> = {}): string {
  const h = createHash("sha256").update(text);
  if (data) h.update("\n#calendar\n").update(JSON.stringify([data.years, data.holidays, data.workdays]));
  // Only a plan that imports a directory hashes one: every version written before directories keeps its hash.
  const names = Object.keys(imports).sort();
  if (names.length) h.update("\n#imports\n").update(JSON.stringify(names.map((n) => [n, imports[n]])));
  return h.digest("hex");
}

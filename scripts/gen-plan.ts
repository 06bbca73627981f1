/**
 * Writes a national-size plan for the scale benchmarks.
 *   node --import tsx scripts/gen-plan.ts --size 3k|30k|300k|1m [--out bench-data/national-3k.yaml]
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { parseArgs } from "node:util";
import { generatePlan, SIZES, type PlanSize } from "../src/scale/generate.ts";

const { values } = parseArgs({ options: { size: { type: "string", default: "3k" }, out: { type: "string" } } });
const size = values.size!;
const arg: PlanSize | number = size in SIZES ? (size as PlanSize) : Number(size);
if (typeof arg === "number" && !(Number.isInteger(arg) && arg > 0)) {
  console.error(`--size must be 3k, 30k, 300k, 1m or a number of assignments, not "${size}"`);
  process.exit(2);
}
const out = values.out ?? `bench-data/national-${size}.yaml`;
const t0 = performance.now();
const g = generatePlan(arg);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, g.text);
console.log(`${out}: ${g.units} units (${g.counties} counties), ${g.assignments} assignments, ${g.text.length} chars in ${(performance.now() - t0).toFixed(0)} ms`);

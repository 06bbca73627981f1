/** Timing, peak-memory sampling and the one-line report every figure prints (and records for the docs). */
import { appendFileSync } from "node:fs";

let peak = 0;

/** Samples RSS; hot loops call it every so many iterations, since a timer cannot fire inside synchronous work. */
export function sample(): void {
  const rss = process.memoryUsage.rss();
  if (rss > peak) peak = rss;
}

export function peakMb(): number {
  sample();
  return Math.round(peak / 2 ** 20);
}

setInterval(sample, 25).unref();

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

export function time<T>(fn: () => T): { ms: number; value: T } {
  const t = performance.now();
  const value = fn();
  return { ms: performance.now() - t, value };
}

export async function timeAsync<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t = performance.now();
  const value = await fn();
  return { ms: performance.now() - t, value };
}

/** Runs `fn` `warm` times untimed, then `runs` times; the median run's time. */
export function medianOf(runs: number, warm: number, fn: () => void): number {
  for (let i = 0; i < warm; i++) fn();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) ms.push(time(fn).ms);
  return median(ms);
}

export interface Figure {
  /** Stable name of the line in the generated tables (scripts/bench/write-docs.ts); defaults to `what`. */
  key?: string;
  /** Short label for the README table; defaults to `what`. */
  label?: string;
  what: string;
  duban: string;
  bare: string;
  /** Duban / bare for costs, Duban / bare for rates: what the target is stated in. */
  ratio: number;
  target: string;
  pass: boolean;
  extra?: string;
}

export function fmt(n: number, digits = 2): string {
  return n >= 100 ? Math.round(n).toLocaleString("en-US") : n.toFixed(digits);
}

/** Where the parent run collects every figure's line as JSON (one object a line), when it asked. */
function record(entry: object): void {
  const file = process.env.DUBAN_BENCH_JSON;
  if (file) appendFileSync(file, JSON.stringify({ figure: process.env.DUBAN_BENCH_FIGURE, ...entry }) + "\n");
}

export function report(f: Figure): void {
  const peak = peakMb();
  const line = [f.what, `duban ${f.duban}`, `bare ${f.bare}`, `ratio ${fmt(f.ratio)}`, `target ${f.target}`, f.pass ? "PASS" : "MISS", `peak ${peak} MB`];
  if (f.extra) line.push(f.extra);
  console.log(line.join(" | "));
  record({ kind: "figure", ...f, ratio: Number.isFinite(f.ratio) ? f.ratio : null, peakMb: peak });
}

/** A figure that could not be measured here (no PostgreSQL, say): printed and recorded with its reason. */
export function skipped(key: string, what: string, target: string, reason: string): void {
  console.log(`${what} | SKIPPED: ${reason} | target ${target}`);
  record({ kind: "skipped", key, what, target, reason });
}

/** A line that is information, not a figure against a target (a size, a count, a side measurement). */
export function note(key: string, text: string): void {
  console.log(`  ${text}`);
  record({ kind: "note", key, text });
}

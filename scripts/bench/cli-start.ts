/**
 * How fast the shipped CLI starts: CPU time (user + sys, from the children's resource usage) of
 * `duban --help` and of `duban status` on a Chongqing store, as ratios against `node -e 0` measured in the
 * same run. Runs the compiled build (dist/, rebuilt first) through bin/duban.js, as a user does.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { fmt, report } from "./measure.ts";

const RUNS = 10;
const DB = "bench-data/cli-chongqing.db";
/** The same store after a tick: the log holds the campaign's first 2,700 events, replayed at every open. */
const TICKED = "bench-data/cli-chongqing-ticked.db";
const NOW = "2021-06-16T10:00:00+08:00";

/** Children's CPU seconds for `runs` runs of a command, from bash's `times` (getrusage of its children). */
function childCpu(cmd: string, runs: number): number {
  const script = `for i in $(seq ${runs}); do ${cmd} >/dev/null 2>&1 || exit 9; done; times`;
  const r = spawnSync("bash", ["-c", script], { encoding: "utf8", env: { ...process.env, DUBAN_FROM_SOURCE: "" } });
  if (r.status !== 0) throw new Error(`${cmd} failed (exit ${r.status}): ${r.stderr}`);
  // `times` prints the shell's own user/sys, then its children's: "0m1.234s 0m0.056s".
  const children = r.stdout.trim().split("\n").at(-1)!;
  const secs = [...children.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  return (secs[0]! + secs[1]!) / runs;
}

export function figCliStart(): void {
  execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"], { stdio: "inherit" });
  for (const db of [DB, TICKED]) for (const s of ["", "-wal", "-shm"]) rmSync(`${db}${s}`, { force: true });
  const node = JSON.stringify(process.execPath);
  const duban = (db: string) => `${node} bin/duban.js --db ${db}`;
  execFileSync("bash", ["-c", `${duban(DB)} --now ${NOW} init plans/chongqing-2021.yaml`], { stdio: "ignore" });
  execFileSync("bash", ["-c", `${duban(TICKED)} --now ${NOW} init plans/chongqing-2021.yaml && ${duban(TICKED)} --now ${NOW} tick`], { stdio: "ignore" });
  // Interleaved rounds, so that a burst of load on a shared machine falls on all alike.
  const sums = { base: 0, help: 0, status: 0, ticked: 0 };
  for (let round = 0; round < 3; round++) {
    sums.base += childCpu(`${node} -e 0`, RUNS);
    sums.help += childCpu(`${duban(DB)} --help`, RUNS);
    sums.status += childCpu(`${duban(DB)} status`, RUNS);
    sums.ticked += childCpu(`${duban(TICKED)} status`, RUNS);
  }
  const ms = (s: number) => `${fmt((s / 3) * 1000, 0)} ms CPU`;
  const help = sums.help / sums.base;
  const status = sums.status / sums.base;
  report({ key: "cli-help", label: "CLI start: `duban --help`, CPU", what: "CLI start: duban --help", duban: ms(sums.help), bare: `node -e 0 ${ms(sums.base)}`, ratio: help, target: "≤ 3x", pass: help <= 3 });
  const ticked = `after a tick to that day (2,700 events replayed): ${ms(sums.ticked)}, ${fmt(sums.ticked / sums.base)}x`;
  report({ key: "cli-status", label: "CLI start: `duban status`, Chongqing store, CPU", what: "CLI start: duban status (Chongqing store, init --now 2021-06-16)", duban: ms(sums.status), bare: `node -e 0 ${ms(sums.base)}`, ratio: status, target: "≤ 5x", pass: status <= 5, extra: ticked });
}

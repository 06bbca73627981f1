// Mutation testing of the rules: `npm run mutate` (slow; not part of `npm test` or CI).
// Narrow a run to the files you changed: `npm run mutate -- --mutate src/engine/ladder.ts`.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  plugins: ["@stryker-mutator/vitest-runner"],
  vitest: { configFile: "vitest.config.ts", related: false },
  // The pure core and the plan resolver: where a planted bug changes a date, a reminder or a verdict.
  mutate: ["src/engine/**/*.ts", "src/plan/**/*.ts", "!src/**/*.d.ts"],
  // The tests that exercise those rules, on SQLite only: no browser, no PostgreSQL, no child processes.
  // chongqing.test.ts reads the source document from outside the repository, which a sandbox does not hold.
  // (Patterns are only added, never negated: an extglob leaves a file out.) test/reminders is left out: it
  // runs an engine outside any test, which makes every engine mutant "static", run against all tests.
  testFiles: [
    "test/engine/**/*.test.ts",
    "test/plan/!(chongqing).test.ts",
    "test/scale/**/*.test.ts",
    "test/campaign/sqlite.test.ts",
    "test/campaign/plan-apply.test.ts",
    "test/campaign/calendar-drift.test.ts",
  ],
  coverageAnalysis: "perTest",
  // A shared machine: one worker unless asked for more (`--concurrency 2`).
  concurrency: 1,
  timeoutMS: 60_000,
  timeoutFactor: 2,
  ignorePatterns: ["bench-data", "out", "outbox-eml", "coverage", "reports", "test-results.json", "*.db", "*.db-wal", "*.db-shm"],
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: "reports/mutation/index.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  thresholds: { high: 80, low: 60, break: null },
  tempDirName: ".stryker-tmp",
  // Stryker rewrites the tsconfig's extends/references for its sandbox through the TypeScript JS API, which
  // TypeScript 7 no longer has; ours has neither, so point it at no file and the copy is used as it is.
  tsconfigFile: "no-tsconfig-rewrite.json",
  cleanTempDir: true,
};

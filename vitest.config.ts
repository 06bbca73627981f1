import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Stryker's sandboxes are copies of the repository, tests and all.
    exclude: [...configDefaults.exclude, ".stryker-tmp/**", "reports/**"],
    // Property tests run the engine over hundreds of random plans; on two loaded cores that can take a minute.
    testTimeout: 120_000,
    // A test that spawns bin/duban.js runs the sources, never a dist/ built before the last edit.
    env: { DUBAN_FROM_SOURCE: "1" },
    hookTimeout: 60_000,
    // Store tests open real SQLite files and a real PostgreSQL schema per file.
    fileParallelism: true,
    // The JSON report lets CI print a plain "N passed, N failed" line (its extra runs report aside).
    reporters: ["default", ["json", { outputFile: process.env.DUBAN_TEST_REPORT ?? "test-results.json" }]],
  },
});

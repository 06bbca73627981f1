import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Stryker's sandboxes are copies of the repository, tests and all.
    exclude: [...configDefaults.exclude, ".stryker-tmp/**", "reports/**"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Store tests open real SQLite files and a real PostgreSQL schema per file.
    fileParallelism: true,
    // The JSON report lets CI print a plain "N passed, N failed" line.
    reporters: ["default", ["json", { outputFile: "test-results.json" }]],
  },
});

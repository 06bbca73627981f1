import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Property tests run the engine over hundreds of random plans; on two loaded cores that can take a minute.
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // Store tests open real SQLite files and a real PostgreSQL schema per file.
    fileParallelism: true,
    // The JSON report lets CI print a plain "N passed, N failed" line.
    reporters: ["default", ["json", { outputFile: "test-results.json" }]],
  },
});

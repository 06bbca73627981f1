#!/usr/bin/env node
// Runs the compiled build in dist/ (`npm run build`; `npm ci` builds it through `prepare`): starting from
// JavaScript spares the TypeScript transform at every start. DUBAN_FROM_SOURCE=1 runs the sources through
// tsx instead (development, and the tests that spawn the CLI, so that they never run a stale build).
import { existsSync } from "node:fs";

// `duban … | head` closes the pipe early; that is not an error worth a stack trace.
process.stdout.on("error", (err) => {
  if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw err;
});
let main;
if (process.env.DUBAN_FROM_SOURCE === "1") {
  const { register } = await import("tsx/esm/api");
  register();
  ({ main } = await import("../src/cli/main.ts"));
} else {
  const built = new URL("../dist/src/cli/main.js", import.meta.url);
  if (!existsSync(built)) {
    console.error("duban 尚未构建：请在项目目录运行 npm run build（npm ci 会自动构建），或设 DUBAN_FROM_SOURCE=1 直接运行源码");
    process.exit(1);
  }
  ({ main } = await import(built.href));
}
process.exitCode = await main(process.argv);

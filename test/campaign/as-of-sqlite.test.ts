import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { describeAsOfSuite } from "./as-of-suite.ts";

const dir = mkdtempSync(join(tmpdir(), "duban-asof-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeAsOfSuite("replay --as-of on SQLite", () => join(dir, "asof.db"));

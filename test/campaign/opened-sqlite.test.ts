import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { describeOpenedSuite } from "./opened-suite.ts";

const dir = mkdtempSync(join(tmpdir(), "duban-opened-"));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeOpenedSuite("Opened items on SQLite", () => join(dir, `c${++n}.db`));

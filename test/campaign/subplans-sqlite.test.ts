import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { describeSubPlansSuite } from "./subplans-suite.ts";

const dir = mkdtempSync(join(tmpdir(), "duban-subplans-"));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeSubPlansSuite("sub-plans beside their parent in one SQLite store", () => join(dir, `s${++n}.db`));

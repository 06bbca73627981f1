import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { describeRegistrySuite } from "./campaigns-suite.ts";

const dir = mkdtempSync(join(tmpdir(), "duban-registry-"));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeRegistrySuite("campaign registry on SQLite", () => join(dir, `r${++n}.db`));

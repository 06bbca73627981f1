import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { describeCampaignsSuite } from "./campaigns-suite.ts";

const dir = mkdtempSync(join(tmpdir(), "duban-campaigns-"));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeCampaignsSuite(
  "several campaigns in one SQLite store",
  () => join(dir, `s${++n}.db`),
  async (file) => {
    const db = new Database(file);
    db.exec("DROP TABLE campaigns");
    db.close();
  },
);

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { describeCampaignSuite } from "./campaign-suite.ts";

const dir = mkdtempSync(join(tmpdir(), "duban-campaign-"));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeCampaignSuite("Campaign on SQLite", () => join(dir, `c${++n}.db`));

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSidecar, type Sidecar } from "../../src/access/open.ts";
import { addUser } from "../../src/access/users.ts";
import { Campaign } from "../../src/campaign/campaign.ts";
import { SqliteStore } from "../../src/store/sqlite.ts";
import { startServer, type RunningServer } from "../../src/web/server.ts";
import { cst } from "../helpers.ts";
import { kindsPlanText } from "../items/kinds-plan.ts";

/**
 * A fourth kind beside those of test/items/kinds-plan.ts, so the 交办 form has every field type: a date,
 * a number, a unit and an attachment field whose files may be at most 1 KB.
 */
export const INSPECTION_YAML: readonly string[] = [
  "  - id: inspection",
  "    title: 检查发现问题",
  "    openers: [office]",
  '    to: ["@districts"]',
  "    due: +10wd",
  "    maxAttachmentMb: 0.001",
  "    fields:",
  "      - { id: found, title: 发现日期, type: date, required: true }",
  "      - { id: amount, title: 涉及金额, type: number, required: false }",
  "      - { id: agency, title: 涉及单位, type: unit, required: false }",
  "      - { id: evidence, title: 证据材料, type: attachment, required: false }",
];

export interface KindsFixture {
  server: RunningServer;
  campaign: Campaign;
  store: SqliteStore;
  sidecar: Sidecar;
  tokens: Record<"office" | "north" | "south" | "auditor", string>;
  clock: { now: number; wall: number };
  dir: string;
  close(): Promise<void>;
}

/**
 * A real server over a real SQLite store running the minimal plan with kinds (督办单 with 签收, 一事一报,
 * joint 整改, 检查发现问题), at 2021-05-10 10:00 (a Monday), with the office, two districts and an auditor.
 */
export async function startKindsFixture(): Promise<KindsFixture> {
  const dir = mkdtempSync(join(tmpdir(), "duban-web-kinds-"));
  const plan = join(dir, "plan.yaml");
  writeFileSync(plan, kindsPlanText() + INSPECTION_YAML.join("\n") + "\n");
  const store = new SqliteStore(join(dir, "duban.db"), { synchronous: "NORMAL" });
  const clock = { now: cst("2021-05-10T10:00"), wall: Date.now() };
  const campaign = await Campaign.init(store, plan, cst("2021-04-28T10:00"));
  await campaign.tick(clock.now);
  const sidecar = await openSidecar(store);
  const add = async (name: string, unit: string, role: string) => (await addUser(campaign, sidecar.access, { name, unit, role }, clock.now)).token;
  const tokens = {
    office: await add("hq-wang", "hq", "office"),
    north: await add("north-li", "north", "unit"),
    south: await add("south-zhao", "south", "unit"),
    auditor: await add("audit", "hq", "auditor"),
  };
  const server = await startServer({ campaign, sidecar, port: 0, host: "127.0.0.1", now: () => clock.now, wallNow: () => clock.wall });
  return {
    server,
    campaign,
    store,
    sidecar,
    tokens,
    clock,
    dir,
    async close() {
      await server.close();
      sidecar.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

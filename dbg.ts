import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir, rectify, importPlan, HQ, writeXlsx } from "./test/items/kind-fixture.ts";
import { readImport } from "./src/items/import-sheet.ts";
const dir = tempDir();
const rows: unknown[][] = [["问题编号", "问题描述", "整改时限", "责任单位"]];
for (let i = 0; i < 500; i++) rows.push([`Z-${i}`, `描述${i}`, "2021-06-15", "北区"]);
const good = await writeXlsx(join(dir, "g.xlsx"), { Sheet1: rows });
const b = readFileSync(good);
const plan = importPlan();
for (const frac of [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]) {
  const c = Buffer.from(b);
  const at = Math.floor(b.length * frac);
  for (let i = at; i < at + 40; i++) c[i] = c[i]! ^ 0x5a;
  const f = join(dir, `bad${frac}.xlsx`);
  writeFileSync(f, c);
  const r = await readImport(f, rectify, plan, { actor: HQ });
  console.log(frac, "requests" in r ? `ok ${r.requests.length}` : JSON.stringify(r.problems.slice(0, 2)).slice(0, 200));
}

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The house's floors: model/ is the ground floor and imports nothing of ours; the pure engine imports only
 * model/ (and itself), never the plan language, the store, the hosts or the words of src/text/.
 */
function imports(dir: string): { file: string; from: string }[] {
  const out: { file: string; from: string }[] = [];
  for (const f of readdirSync(dir)) {
    if (!f.endsWith(".ts")) continue;
    const text = readFileSync(join(dir, f), "utf8");
    for (const m of text.matchAll(/(?:import|export)[^"']*?from\s+["']([^"']+)["']/g)) out.push({ file: `${dir}/${f}`, from: m[1]! });
  }
  return out;
}

describe("layers", () => {
  it("model/ imports nothing but itself", () => {
    expect(imports("src/model").filter((i) => i.from.startsWith(".") && !i.from.startsWith("./"))).toEqual([]);
  });
  it("engine/ imports only model/ and itself", () => {
    expect(imports("src/engine").filter((i) => i.from.startsWith(".") && !i.from.startsWith("./") && !i.from.startsWith("../model/"))).toEqual([]);
  });
});

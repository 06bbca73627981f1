import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * The seed requirements documents live outside the repository, so no test reaches for them by a relative
 * path: DUBAN_SEED_DIR names their folder. Where it is unset or the file is absent, the tests that read one
 * are skipped loudly, unless DUBAN_REQUIRE_SEED=1 (CI sets both), where that is a failure.
 */
export const seedDir = process.env.DUBAN_SEED_DIR ?? "";

/** The text of one seed document, or undefined (with a warning) where it is absent. */
export function seedText(name: string): string | undefined {
  const path = join(seedDir, name);
  if (seedDir && existsSync(path)) return readFileSync(path, "utf8");
  const why = seedDir ? `seed document ${path} not found` : `DUBAN_SEED_DIR is not set (the folder of ${name})`;
  if (process.env.DUBAN_REQUIRE_SEED === "1") throw new Error(`DUBAN_REQUIRE_SEED=1 but the ${why}`);
  console.warn(`\n!!! SKIPPING the tests that read the seed: ${why}.\n!!! Set DUBAN_SEED_DIR to the folder that holds it; set DUBAN_REQUIRE_SEED=1 to make this a failure.\n`);
  return undefined;
}

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The seed requirements documents live outside the repository (the project's shared/seed/, a sibling of
 * the clone). A test that reads one finds the folder through DUBAN_SEED_DIR, else the sibling folder;
 * where neither exists it is skipped loudly, unless DUBAN_REQUIRE_SEED=1 (CI, where the sibling is laid),
 * where that is a failure.
 */
export const seedDir = process.env.DUBAN_SEED_DIR ?? fileURLToPath(new URL("../../shared/seed/", import.meta.url));

/** The text of one seed document, or undefined (with a warning) where it is absent. */
export function seedText(name: string): string | undefined {
  const path = join(seedDir, name);
  if (existsSync(path)) return readFileSync(path, "utf8");
  const why = `seed document ${path} not found`;
  if (process.env.DUBAN_REQUIRE_SEED === "1") throw new Error(`DUBAN_REQUIRE_SEED=1 but the ${why}`);
  console.warn(`\n!!! SKIPPING the tests that read the seed: ${why}.\n!!! Set DUBAN_SEED_DIR to the folder that holds it; set DUBAN_REQUIRE_SEED=1 to make this a failure.\n`);
  return undefined;
}

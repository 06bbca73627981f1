import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let root: string | undefined;

/**
 * A file shipped beside the code (templates/, schemas/), found from the package root: the nearest folder
 * above this module that holds package.json. A fixed "../../" would be right for the sources (src/x/) and
 * wrong for the compiled build, which sits one level deeper (dist/src/x/).
 */
export function packagePath(rel: string): string {
  if (!root) {
    let dir = dirname(fileURLToPath(import.meta.url));
    while (!existsSync(join(dir, "package.json"))) {
      const up = dirname(dir);
      if (up === dir) throw new Error(`package.json not found above ${fileURLToPath(import.meta.url)}`);
      dir = up;
    }
    root = dir;
  }
  return join(root, rel);
}

import { execFileSync } from "node:child_process";
import { accessSync, constants } from "node:fs";
import type { Browser } from "playwright-core";

/**
 * Finds the Chromium the browser tests and scripts/screenshot.ts drive, without ever downloading one:
 *
 * - `DUBAN_CHROMIUM=/path/to/chromium`: that binary;
 * - `DUBAN_CHROMIUM=bundled`: the build shipped inside the npm package @sparticuz/chromium, even where
 *   Debian's is installed (CI runs the browser tests once this way, so both paths are exercised);
 * - otherwise Debian's /usr/bin/chromium where installed, else the bundled build.
 */
export type ChromiumSource = "env" | "debian" | "bundled";

export interface FoundChromium {
  source: ChromiumSource;
  executablePath: string;
  args: string[];
}

export const DEBIAN_CHROMIUM = "/usr/bin/chromium";

/**
 * This machine has no network but the package registries: without these, Chromium keeps trying to reach
 * Google's hosts at every start.
 */
const QUIET = ["--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];
const DEBIAN_ARGS = ["--no-sandbox", "--disable-gpu", ...QUIET];

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function bundled(): Promise<FoundChromium | string> {
  try {
    const { default: chromium } = await import("@sparticuz/chromium");
    // Unpacks the brotli-compressed build that ships inside the package to the temp folder (once; about
    // 2 s), with its fonts; nothing is fetched.
    const executablePath = await chromium.executablePath();
    return { source: "bundled", executablePath, args: [...chromium.args, ...QUIET] };
  } catch (err) {
    return `the bundled Chromium of @sparticuz/chromium could not be unpacked: ${(err as Error).message}`;
  }
}

/** The Chromium to drive, or why there is none. */
export async function findChromium(env: NodeJS.ProcessEnv = process.env): Promise<FoundChromium | string> {
  const wanted = env.DUBAN_CHROMIUM;
  if (wanted === "bundled") return bundled();
  if (wanted) return executable(wanted) ? { source: "env", executablePath: wanted, args: DEBIAN_ARGS } : `DUBAN_CHROMIUM=${wanted} is not an executable file`;
  if (executable(DEBIAN_CHROMIUM)) return { source: "debian", executablePath: DEBIAN_CHROMIUM, args: DEBIAN_ARGS };
  return bundled();
}

export async function launch(found: FoundChromium): Promise<Browser> {
  const { chromium } = await import("playwright-core");
  return chromium.launch({ executablePath: found.executablePath, args: found.args, headless: true });
}

/**
 * Whether fontconfig knows a font with Chinese glyphs: neither Debian's Chromium nor the bundled one
 * (which brings Open Sans only) has one of its own, so without it Chinese renders as boxes. Undefined
 * where fc-list is not installed.
 */
export function hasChineseFont(): boolean | undefined {
  try {
    return execFileSync("fc-list", [":lang=zh", "family"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim() !== "";
  } catch {
    return undefined;
  }
}

/** The font packages that give both Chromiums Chinese glyphs (CI installs the first). */
export const CHINESE_FONT_HINT = "apt-get install fonts-wqy-microhei (or fonts-noto-cjk)";

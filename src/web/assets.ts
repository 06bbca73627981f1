import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { Context, Hono } from "hono";
import { STATS_CHARTS_JS } from "./assets/stats-charts.ts";
import type { Env } from "./context.ts";

const require = createRequire(import.meta.url);
const echartsDist = dirname(require.resolve("echarts"));
const ECHARTS_VERSION = (JSON.parse(readFileSync(join(echartsDist, "..", "package.json"), "utf8")) as { version: string }).version;

/** The version is in the URL, so a year-long cache never serves an old bundle after an upgrade. */
export const ECHARTS_PATH = `/assets/echarts-${ECHARTS_VERSION}.min.js`;
export const STATS_SCRIPT_PATH = "/assets/stats-charts.js";
export const FAVICON_PATH = "/favicon.svg";

/** The site's icon: a red seal-like square with a white check, drawn without a font (no glyph can be missing). */
const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#9f1c1c"/><rect x="5" y="5" width="22" height="22" rx="3" fill="none" stroke="#fff" stroke-width="2"/><path d="M10 16.5l4 4 8-9" fill="none" stroke="#fff" stroke-width="3" stroke-linecap="round" stroke-linejoin="round"/></svg>`;

/**
 * Scripts the pages load, served by `serve` itself from the installed npm packages: offices' machines are
 * often offline, so nothing comes from a CDN. ECharts is read from disk once, on first request.
 */
export function registerAssets(app: Hono<Env>): void {
  let echarts: string | undefined;
  const js = { "content-type": "text/javascript; charset=utf-8" };
  app.get(ECHARTS_PATH, (c) => {
    echarts ??= readFileSync(join(echartsDist, "echarts.min.js"), "utf8");
    return c.body(echarts, 200, { ...js, "cache-control": "public, max-age=31536000, immutable" });
  });
  // Browsers ask for /favicon.ico whatever the page links: both answer with the same icon, never a 404 page.
  const icon = (c: Context<Env>) => c.body(FAVICON_SVG, 200, { "content-type": "image/svg+xml", "cache-control": "public, max-age=86400" });
  app.get(FAVICON_PATH, icon);
  app.get("/favicon.ico", icon);
  // Changes with Duban's code, not with a version in its name: revalidated after an hour.
  app.get(STATS_SCRIPT_PATH, (c) => c.body(STATS_CHARTS_JS, 200, { ...js, "cache-control": "public, max-age=3600" }));
}

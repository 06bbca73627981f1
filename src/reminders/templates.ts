import { escapeHtml } from "../present/escape.ts";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Mustache from "mustache";
import { packagePath } from "../package-path.ts";

export const TEMPLATE_NAMES = [
  "reminder.subject",
  "reminder.text",
  "reminder.html",
  "reminder.md",
  "summary.subject",
  "summary.text",
  "summary.html",
  "summary.md",
] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

/** Template sources by name; a campaign overrides any of them with a file of the same name. */
export type TemplateSet = Readonly<Record<TemplateName, string>>;

/** The shipped defaults live at the repository's top level, next to src/, so campaigns can copy them. */
export const DEFAULT_TEMPLATE_DIR = packagePath("templates/zh-CN/");

function readSet(dir: string, base?: TemplateSet): Partial<Record<TemplateName, string>> {
  const out: Partial<Record<TemplateName, string>> = {};
  for (const name of TEMPLATE_NAMES) {
    const file = join(dir, `${name}.mustache`);
    if (existsSync(file)) out[name] = readFileSync(file, "utf8");
    else if (base) out[name] = base[name];
  }
  return out;
}

let defaults: TemplateSet | undefined;

/**
 * Reads the default templates, then replaces each one for which `dir` holds a file of the same
 * name (`reminder.text.mustache`, …): a campaign overrides only what it needs to.
 */
export function loadTemplates(dir?: string): TemplateSet {
  if (!defaults) {
    const d = readSet(DEFAULT_TEMPLATE_DIR);
    const missing = TEMPLATE_NAMES.filter((n) => d[n] === undefined);
    if (missing.length) throw new Error(`默认模板缺失：${missing.map((n) => `${n}.mustache`).join("、")}（目录 ${DEFAULT_TEMPLATE_DIR}）`);
    defaults = d as TemplateSet;
  }
  if (dir === undefined) return defaults;
  if (!existsSync(dir)) throw new Error(`模板目录不存在：${dir}`);
  return readSet(dir, defaults) as TemplateSet;
}

// Text and markdown go to mail bodies and chat robots verbatim: HTML entities there would show as-is.
const verbatim = (s: unknown) => String(s);

// Only the five characters that matter in HTML text and quoted attributes; mustache's default also
// rewrites "/" and "=", which turns every link into entity soup without making anything safer.

export function renderText(template: string, view: object): string {
  return Mustache.render(template, view, undefined, { escape: verbatim });
}

export function renderHtml(template: string, view: object): string {
  return Mustache.render(template, view, undefined, { escape: escapeHtml });
}

/** A subject is one line: template files end with a newline and may wrap for readability. */
export function renderSubject(template: string, view: object): string {
  return renderText(template, view).replace(/\s*\n\s*/g, " ").trim();
}

import { escapeHtml } from "../present/escape.ts";

/** Markup that is already safe; everything else interpolated into `html` is escaped. */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}


type Part = Html | string | number | boolean | null | undefined | Part[];

function render(v: Part): string {
  if (v === null || v === undefined || v === false || v === true) return "";
  if (Array.isArray(v)) return v.map(render).join("");
  if (v instanceof Html) return v.value;
  return escapeHtml(String(v));
}

/** Tagged template: every value is escaped unless it is itself Html, so page code cannot forget. */
export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + strings[i + 1]!;
  return new Html(out);
}


/** Trusted markup written in this codebase (the stylesheet), never user input. */
export function raw(s: string): Html {
  return new Html(s);
}

/** Markup that is already safe; everything else interpolated into `html` is escaped. */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch]!);
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

/** A path segment of an assignment id ("progress-report/yuzhong"), each part encoded. */
export function idPath(id: string): string {
  return id.split("/").map(encodeURIComponent).join("/");
}

/** Trusted markup written in this codebase (the stylesheet), never user input. */
export function raw(s: string): Html {
  return new Html(s);
}

/**
 * Something refused or found wrong, as a value: a code tests assert, the facts a message needs, and where
 * it was (a span in a file, a cell of a sheet) when there is a where. The words are rendered at the edge,
 * in the plan's language (src/text/), so the CLI, the web, e-mail and robots say the same thing.
 */
export interface Problem<C extends string = string> {
  code: C;
  params: Record<string, string | number | readonly string[]>;
}

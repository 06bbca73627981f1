import parsePrometheusTextFormat from "parse-prometheus-text-format";

/** One metric family as prom2json gives it (values are strings in that format). */
export interface Family {
  name: string;
  help: string;
  type: "COUNTER" | "GAUGE" | "HISTOGRAM" | "SUMMARY" | "UNTYPED";
  metrics: { labels?: Record<string, string>; value?: string; count?: string; sum?: string; buckets?: Record<string, string> }[];
}

/** Parses a scrape with a Prometheus text-format parser, never by matching strings. */
export function parseScrape(text: string): Map<string, Family> {
  const families = parsePrometheusTextFormat(text) as Family[];
  return new Map(families.map((f) => [f.name, f]));
}

/** The value of the series whose labels include `labels`, summed over the rest; undefined when the family is absent. */
export function sample(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number | undefined {
  const f = families.get(name);
  if (!f) return undefined;
  return f.metrics
    .filter((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))
    .reduce((sum, m) => sum + Number(m.value ?? m.count ?? 0), 0);
}

export async function scrape(url: string): Promise<{ status: number; contentType: string; text: string; families: Map<string, Family> }> {
  const res = await fetch(url);
  const text = await res.text();
  return { status: res.status, contentType: res.headers.get("content-type") ?? "", text, families: parseScrape(text) };
}

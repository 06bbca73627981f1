import parsePrometheusTextFormat from "parse-prometheus-text-format";

/** One metric family as prom2json gives it (values are strings in that format). */
export interface Family {
  name: string;
  help: string;
  type: "COUNTER" | "GAUGE" | "HISTOGRAM" | "SUMMARY" | "UNTYPED";
  metrics: { labels?: Record<string, string>; value?: string; count?: string; sum?: string; buckets?: Record<string, string> }[];
}

export interface Scrape {
  /** Each family's type and help. */
  families: Map<string, Family>;
  /** Every series, by its own name (a histogram's `_bucket`, `_count`, `_sum` each), with its labels. */
  series: Map<string, Family["metrics"]>;
}

/**
 * Parses a scrape with a Prometheus text-format parser, never by matching strings. The parser folds a
 * typed histogram's series into one (dropping their labels), so the values are read from a second pass
 * without the TYPE lines, where each series keeps its labels.
 */
export function parseScrape(text: string): Scrape {
  const families = new Map((parsePrometheusTextFormat(text) as Family[]).map((f) => [f.name, f]));
  const untyped = parsePrometheusTextFormat(text.replace(/^# TYPE .*$/gm, "")) as Family[];
  // Untyped, a histogram's series of each label set come as families of their own: merge them by name.
  const series = new Map<string, Family["metrics"]>();
  for (const f of untyped) series.set(f.name, [...(series.get(f.name) ?? []), ...f.metrics]);
  return { families, series };
}

/**
 * The value of the series whose labels include `labels`, summed over the rest; for a histogram, its
 * count. Undefined when the family is absent.
 */
export function sample(s: Scrape, name: string, labels: Record<string, string> = {}): number | undefined {
  const histogram = s.families.get(name)?.type === "HISTOGRAM";
  const rows = s.series.get(histogram ? `${name}_count` : name);
  if (!rows) return undefined;
  return rows.filter((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v)).reduce((sum, m) => sum + Number(m.value ?? 0), 0);
}

/** The label values a family's series carry for `label`. */
export function labelValues(s: Scrape, name: string, label: string): string[] {
  const histogram = s.families.get(name)?.type === "HISTOGRAM";
  return [...new Set((s.series.get(histogram ? `${name}_count` : name) ?? []).flatMap((m) => (m.labels?.[label] !== undefined ? [m.labels[label]!] : [])))];
}

export async function scrape(url: string): Promise<{ status: number; contentType: string; text: string; metrics: Scrape }> {
  const res = await fetch(url);
  const text = await res.text();
  return { status: res.status, contentType: res.headers.get("content-type") ?? "", text, metrics: parseScrape(text) };
}

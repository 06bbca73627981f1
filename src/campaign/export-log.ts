import { formatInstant, parseInstant, type EpochMs } from "../engine/calendar.ts";
import type { EventStore } from "../store/store.ts";
import type { StoredEvent } from "../store/types.ts";

/** The log as auditors take it away: one event a line, with its hashes. */
export type LogFormat = "jsonl" | "csv";

export const LOG_FORMATS: readonly LogFormat[] = ["jsonl", "csv"];

export const CSV_HEADER = "seq,at,actor,type,assignment,payload,plan_hash,prev_hash,hash";

export function csvField(v: unknown): string {
  const s = typeof v === "string" ? v : JSON.stringify(v ?? "");
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function eventLine(e: StoredEvent, format: LogFormat): string {
  if (format === "jsonl") return JSON.stringify(e);
  return [e.seq, e.at, e.actor, e.type, e.assignment ?? "", e.payload, e.planHash, e.prevHash, e.hash].map(csvField).join(",");
}

export interface ExportRange {
  /** Inclusive. */
  from?: EpochMs;
  /** Inclusive. */
  to?: EpochMs;
  zone: string;
  batchSize?: number;
}

/**
 * `duban export` and the web's download: the CSV header, then each event in [from, to] in seq order,
 * read from the store page by page (never the whole log in memory).
 */
export async function* exportLines(store: EventStore, format: LogFormat, r: ExportRange): AsyncIterable<string> {
  if (format === "csv") yield CSV_HEADER;
  const from = r.from ?? -Infinity;
  for await (const e of store.read({ ...(r.to !== undefined ? { untilAt: formatInstant(r.to, r.zone) } : {}), ...(r.batchSize ? { batchSize: r.batchSize } : {}) })) {
    if (parseInstant(e.at, r.zone) < from) continue;
    yield eventLine(e, format);
  }
}

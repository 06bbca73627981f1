import { formatInstant, parseInstant, type EpochMs } from "../engine/calendar.ts";
import type { EventStore } from "../store/store.ts";
import type { StoredEvent } from "../store/types.ts";

/** The log as auditors take it away: one event a line, with its hashes. */
export type LogFormat = "jsonl" | "csv";

export const LOG_FORMATS: readonly LogFormat[] = ["jsonl", "csv"];

export const CSV_HEADER = "seq,at,actor,type,assignment,payload,plan_hash,prev_hash,hash";

function csvField(v: unknown): string {
  const s = typeof v === "string" ? v : JSON.stringify(v ?? "");
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One event a line; a whole store's export names each line's campaign (first, in either format). */
export function eventLine(e: StoredEvent, format: LogFormat, campaign?: string): string {
  if (format === "jsonl") return JSON.stringify(campaign === undefined ? e : { campaign, ...e });
  const fields = [e.seq, e.at, e.actor, e.type, e.assignment ?? "", e.payload, e.planHash, e.prevHash, e.hash];
  return (campaign === undefined ? fields : [campaign, ...fields]).map(csvField).join(",");
}

/** The CSV header, with the campaign column of a whole store's export. */
export function csvHeader(withCampaign = false): string {
  return withCampaign ? `campaign,${CSV_HEADER}` : CSV_HEADER;
}

export interface ExportRange {
  /** Inclusive. */
  from?: EpochMs;
  /** Inclusive. */
  to?: EpochMs;
  zone: string;
  batchSize?: number;
  /** A whole store's export: this campaign's id on each line, and no CSV header (the caller writes it once). */
  campaign?: string;
}

/**
 * `duban export` and the web's download: the CSV header, then each event in [from, to] in seq order,
 * read from the store page by page (never the whole log in memory).
 */
export async function* exportLines(store: EventStore, format: LogFormat, r: ExportRange): AsyncIterable<string> {
  if (format === "csv" && r.campaign === undefined) yield CSV_HEADER;
  const from = r.from ?? -Infinity;
  for await (const e of store.read({ ...(r.to !== undefined ? { untilAt: formatInstant(r.to, r.zone) } : {}), ...(r.batchSize ? { batchSize: r.batchSize } : {}) })) {
    if (parseInstant(e.at, r.zone) < from) continue;
    yield eventLine(e, format, r.campaign);
  }
}

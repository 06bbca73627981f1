import type { Campaign } from "../campaign/campaign.ts";
import { formatLocal, parseInstant, type EpochMs } from "../engine/calendar.ts";
import { itemsAt, type PublishedState } from "./items.ts";
import type { LightMark } from "./light.ts";
import { marksAt } from "./light-marks.ts";

/** A request for a published view that cannot be answered as asked; the message is for the user. */
export class PublishError extends Error {
  constructor(
    readonly code: "BEFORE_LOG" | "BAD_DATE" | "UNKNOWN_UNIT" | "BAD_GROUPING" | "BAD_FORMAT" | "NO_SCORING" | "TEMPLATE",
    message: string,
  ) {
    super(message);
  }
}

/** The instant of the log's first event (the campaign's `init`), or undefined for an empty store. */
export async function logStart(c: Campaign): Promise<EpochMs | undefined> {
  for await (const e of c.store.read({ toSeq: 1 })) return parseInstant(e.at, c.plan.campaign.timezone);
  return undefined;
}

/**
 * The campaign as of `asOf`, folded from the log alone (so an auditor gets the same figures later). An
 * instant before the log's first event is refused: the store knows nothing of that time.
 */
export async function publishedAsOf(c: Campaign, asOf: EpochMs): Promise<PublishedState> {
  const start = await logStart(c);
  if (start !== undefined && asOf < start) {
    const zone = c.plan.campaign.timezone;
    throw new PublishError(
      "BEFORE_LOG",
      `${formatLocal(asOf, zone)} 早于本存储的第一条记录：专项行动于 ${formatLocal(start, zone)} 建立（计划自 ${c.plan.campaign.start} 起）；请选择此后的时刻`,
    );
  }
  return itemsAt(await c.viewsAsOf(asOf), asOf, await marksAt(c, asOf));
}

/** The campaign now, from the state already in memory (what `status` shows); `marks`: the office's marks in force (see marksAt). */
export function publishedNow(c: Campaign, now: EpochMs, marks?: ReadonlyMap<string, LightMark>): PublishedState {
  return itemsAt(c.views(), now, marks);
}

/** Parses `--as-of` / `asOf`, or says how to write it. */
export function parseAsOf(text: string, zone: string, flag = "--as-of"): EpochMs {
  const t = parseInstant(text, zone);
  if (Number.isNaN(t)) throw new PublishError("BAD_DATE", `${flag} ${text}：不是有效时刻；请写 ISO 8601 时刻，例如 2021-06-16T09:00+08:00`);
  return t;
}

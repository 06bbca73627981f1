import type { Campaign } from "../campaign/campaign.ts";
import { decodeActor, encodeActor } from "../campaign/codec.ts";
import { actsAsOffice } from "../engine/authorize.ts";
import { formatInstant, parseInstant, type EpochMs } from "../engine/calendar.ts";
import type { Actor } from "../engine/types.ts";
import { unitName } from "../present/plan-text.ts";
import type { EventStore } from "../store/store.ts";
import type { StoredEvent } from "../store/types.ts";
import type { LightMark } from "./light.ts";

/** The log's record of the office marking an item's light (red or yellow, with a reason) or clearing it. */
export const LIGHT_MARKED = "lightMarked";
export const LIGHT_CLEARED = "lightCleared";

const MAX_REASON = 500;

export type MarkChoice = "red" | "yellow" | "clear";

/** A mark the campaign will not record; the message is one Chinese line for the user. */
export interface MarkRefusal {
  code: "UNKNOWN_ACTOR" | "NOT_PERMITTED" | "UNKNOWN_ASSIGNMENT" | "NO_REASON" | "ITEM_CLOSED" | "NOT_MARKED" | "BAD_LIGHT";
  message: string;
}

interface Entry {
  at: EpochMs;
  mark: LightMark | null;
}

/**
 * The office's marks folded from the log, incrementally (a server keeps one and catches up per request).
 * Per item, every mark and clearing with its instant, so the marks in force at any instant replay.
 */
export class LightMarkLog {
  private seq = 0;
  private readonly entries = new Map<string, Entry[]>();

  async catchUp(store: EventStore, zone: string): Promise<void> {
    // Marks are a few events in a long log: the store skips the rest, up to the head read first, so the
    // next catch-up starts after it even when the last events were no marks.
    const head = (await store.head()).seq;
    if (head <= this.seq) return;
    for await (const e of store.read({ fromSeq: this.seq + 1, toSeq: head, types: [LIGHT_MARKED, LIGHT_CLEARED] })) {
      if (e.assignment === undefined) continue;
      const list = this.entries.get(e.assignment) ?? this.entries.set(e.assignment, []).get(e.assignment)!;
      list.push({ at: parseInstant(e.at, zone), mark: e.type === LIGHT_MARKED ? markOf(e) : null });
    }
    this.seq = head;
  }

  /** The marks in force at `asOf`: per item, the last mark or clearing recorded at or before it. */
  at(asOf: EpochMs): Map<string, LightMark> {
    const out = new Map<string, LightMark>();
    for (const [id, list] of this.entries) {
      let last: Entry | undefined;
      for (const x of list) if (x.at <= asOf) last = x;
      if (last?.mark) out.set(id, last.mark);
    }
    return out;
  }
}

function markOf(e: StoredEvent): LightMark {
  const p = e.payload as { light: "red" | "yellow"; reason: string };
  const a = decodeActor(e.actor);
  const by = a.kind === "unit" ? a.unit : "";
  return { light: p.light, reason: p.reason, at: e.at, by };
}

// One fold per store in this process: the CLI reads the log once, a server catches up per request.
const logs = new WeakMap<EventStore, LightMarkLog>();

/** The marks in force at `asOf`, from the log up to it. */
export async function marksAt(c: Campaign, asOf: EpochMs): Promise<Map<string, LightMark>> {
  return (await markLog(c)).at(asOf);
}

/** The store's mark log, caught up with the log now: read once, then asked for many instants (a dispatch cycle). */
export async function markLog(c: Campaign): Promise<LightMarkLog> {
  let log = logs.get(c.store);
  if (!log) logs.set(c.store, (log = new LightMarkLog()));
  await log.catchUp(c.store, c.plan.campaign.timezone);
  return log;
}

/**
 * The office marks an item red or yellow with a reason, or clears its mark, at `now`: an event in the log
 * through the campaign's one write path (refused, never clamped, when `now` is behind the log). Only the
 * office may; a closed item's light says how it closed, so it takes no mark.
 */
export async function markLight(
  c: Campaign,
  item: string,
  choice: MarkChoice,
  reason: string | undefined,
  actor: Actor,
  now: EpochMs,
  /** Recorded with the event for auditors (the web user, a drill's set clock). */
  extra: Record<string, unknown> = {},
): Promise<StoredEvent | MarkRefusal> {
  await c.refresh();
  const plan = c.plan;
  if (!["red", "yellow", "clear"].includes(choice)) return { code: "BAD_LIGHT", message: `灯色“${choice}”无效；请用 red（红灯）、yellow（黄灯）或 clear（清除标注）` };
  if (actor.kind === "unit" && !plan.units.has(actor.unit)) return { code: "UNKNOWN_ACTOR", message: `计划中没有单位或人员“${actor.unit}”` };
  if (!actsAsOffice(plan, actor)) {
    const who = actor.kind === "unit" ? unitName(plan, actor.unit) : "系统";
    return { code: "NOT_PERMITTED", message: `${who}无权标注红黄灯：只有领导小组办公室可以标注或清除红黄灯` };
  }
  const row = c.row(item);
  if (!row) return { code: "UNKNOWN_ASSIGNMENT", message: `没有编号为“${item}”的事项；可用 duban status 查看事项 id` };
  const text = reason?.trim() ?? "";
  if (choice !== "clear" && text === "") return { code: "NO_REASON", message: "标注红黄灯须写明原因" };
  if (text.length > MAX_REASON) return { code: "NO_REASON", message: `原因不能超过 ${MAX_REASON} 字` };
  if (choice !== "clear" && (row.state === "submitted" || row.state === "accepted" || row.state === "waived"))
    return { code: "ITEM_CLOSED", message: `“${row.title}”（${unitName(plan, row.unit)}）已报送或办结，灯色按办结情况显示，不能再标注` };
  const current = (await marksAt(c, Number.POSITIVE_INFINITY)).get(item);
  if (choice === "clear" && !current) return { code: "NOT_MARKED", message: `“${row.title}”（${unitName(plan, row.unit)}）没有办公室标注的红黄灯，无需清除` };
  const [e] = await c.record(now, (p) => [
    {
      at: formatInstant(now, p.campaign.timezone),
      actor: encodeActor(p, actor),
      type: choice === "clear" ? LIGHT_CLEARED : LIGHT_MARKED,
      assignment: item,
      payload: { ...(choice === "clear" ? (text ? { reason: text } : {}) : { light: choice, reason: text }), ...extra },
      planHash: p.hash,
    },
  ]);
  return e!;
}

import ICAL from "ical.js";
import { expect } from "vitest";

export interface ParsedEvent {
  uid: string;
  sequence: number;
  start: string;
  status: string;
  summary: string;
  alarms: string[];
}

/** Reads a feed with ical.js, an independent parser: what a calendar app would see. */
export function parseFeed(text: string): { name: string; events: Map<string, ParsedEvent> } {
  const cal = new ICAL.Component(ICAL.parse(text));
  const events = new Map<string, ParsedEvent>();
  for (const v of cal.getAllSubcomponents("vevent")) {
    const uid = String(v.getFirstPropertyValue("uid"));
    expect(events.has(uid)).toBe(false);
    events.set(uid, {
      uid,
      sequence: Number(v.getFirstPropertyValue("sequence") ?? 0),
      start: (v.getFirstPropertyValue("dtstart") as ICAL.Time).toJSDate().toISOString(),
      status: String(v.getFirstPropertyValue("status")),
      summary: String(v.getFirstPropertyValue("summary")),
      alarms: v.getAllSubcomponents("valarm").map((a) => (a.getFirstPropertyValue("trigger") as ICAL.Time).toJSDate().toISOString()),
    });
  }
  return { name: String(cal.getFirstPropertyValue("x-wr-calname")), events };
}

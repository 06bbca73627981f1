import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { freshPart } from "../../src/dispatch/stale.ts";
import type { ReminderIntent } from "../../src/engine/types.ts";
import { calendarOf } from "../../src/engine/calendar-of.ts";
import { chongqing, cst } from "../helpers.ts";

const cal = calendarOf(chongqing());
const NOW = cst("2021-06-30T09:00");
const H = 3_600_000;

function intent(ages: { hours: number; level: number }[]): ReminderIntent {
  return {
    key: "k",
    recipient: "flow",
    at: NOW,
    kind: ages.some((a) => a.level > 0) ? "escalation" : "reminder",
    items: ages.map((a, i) => ({ assignment: `a${i}`, unit: "yuzhong", title: "t", dueAt: NOW, level: a.level, step: 0, firedAt: NOW - a.hours * H, overdue: true })),
  };
}

describe("stale reminder items", () => {
  it("partition the message: every item is either sent or left out; what is left out is older than the window and the working days", () => {
    fc.assert(
      fc.property(fc.array(fc.record({ hours: fc.integer({ min: 0, max: 24 * 60 }), level: fc.integer({ min: 0, max: 3 }) }), { maxLength: 12 }), fc.integer({ min: 1, max: 24 * 10 }), fc.integer({ min: 0, max: 10 }), (ages, windowH, workingDays) => {
        const all = intent(ages);
        const { intent: kept, stale } = freshPart(all, NOW, { windowMs: windowH * H, workingDays }, cal);
        expect(kept.items.length + stale.length).toBe(all.items.length);
        for (const s of stale) {
          expect(NOW - s.firedAt).toBeGreaterThan(windowH * H);
          expect(cal.workingDaysBetween(cal.dateOf(s.firedAt), cal.dateOf(NOW))).toBeGreaterThan(workingDays);
        }
        for (const k of kept.items) expect(NOW - k.firedAt <= windowH * H || cal.workingDaysBetween(cal.dateOf(k.firedAt), cal.dateOf(NOW)) <= workingDays).toBe(true);
        expect(kept.kind).toBe(kept.items.some((i) => i.level > 0) ? "escalation" : "reminder");
      }),
    );
  });

  it("keep today's items and drop last month's escalation, which makes the message a plain reminder", () => {
    const { intent: kept, stale } = freshPart(intent([{ hours: 0, level: 0 }, { hours: 24 * 30, level: 2 }]), NOW, { windowMs: 72 * H, workingDays: 3 }, cal);
    expect(kept.items.map((i) => i.assignment)).toEqual(["a0"]);
    expect(stale.map((i) => i.assignment)).toEqual(["a1"]);
    expect(kept.kind).toBe("reminder");
  });
});

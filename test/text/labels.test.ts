import { describe, expect, expectTypeOf, it } from "vitest";
import type { AccessEventType } from "../../src/access/audit.ts";
import { DOMAIN_TYPES } from "../../src/campaign/codec.ts";
import type { DomainEventType, UnitAction } from "../../src/engine/types.ts";
import { PROGRESS_STATES } from "../../src/model/states.ts";
import { LIGHT_CLEARED, LIGHT_MARKED } from "../../src/publish/light-marks.ts";
import {
  ACTION_ZH,
  deferralZh,
  EVENT_ZH,
  eventZh,
  LATENESS_ZH,
  levelZh,
  reminderReasonZh,
  STATE_SHORT_ZH,
  STATE_ZH,
  type ActionType,
  type LabelledEvent,
} from "../../src/text/labels.ts";

/** The log's bookkeeping around the domain events: plan, lights, deliveries, the outbox, access. */
const BOOKKEEPING = ["campaignInitialised", "planChanged", LIGHT_MARKED, LIGHT_CLEARED, "delivered", "deliveryRetry", "deliveryFailed", "outboxRetried"];
const ACCESS: AccessEventType[] = ["userAdded", "userRevoked", "signedIn", "signedOut", "signInRefused", "requestRefused"];
/** Events of items opened at run time, labelled ahead of the engine that logs them (drop once DOMAIN_TYPES has them). */

describe("one table of labels", () => {
  it("names every domain event the log decodes", () => {
    expect(DOMAIN_TYPES.size).toBeGreaterThan(10);
    for (const t of DOMAIN_TYPES) expect(EVENT_ZH, t).toHaveProperty(t);
    expectTypeOf<DomainEventType>().toExtend<LabelledEvent>();
  });

  it("names every bookkeeping and access event, and holds no key that is none of these (a typo would never match)", () => {
    for (const t of [...BOOKKEEPING, ...ACCESS]) expect(EVENT_ZH, t).toHaveProperty(t);
    expectTypeOf<AccessEventType>().toExtend<LabelledEvent>();
    const known = new Set([...DOMAIN_TYPES, ...BOOKKEEPING, ...ACCESS]);
    expect(Object.keys(EVENT_ZH).filter((k) => !known.has(k))).toEqual([]);
  });

  it("gives every progress state a name and a one-character mark, all different", () => {
    for (const s of PROGRESS_STATES) {
      expect(STATE_ZH[s], s).toMatch(/\S/);
      expect([...STATE_SHORT_ZH[s]], s).toHaveLength(1);
    }
    expect(Object.keys(STATE_ZH).sort()).toEqual([...PROGRESS_STATES].sort());
    expect(new Set(Object.values(STATE_ZH)).size).toBe(PROGRESS_STATES.length);
    expect(new Set(Object.values(STATE_SHORT_ZH)).size).toBe(PROGRESS_STATES.length);
    expect(STATE_ZH.withdrawn).toBe("已撤销");
  });

  it("gives every action a unit may ask for a verb", () => {
    expectTypeOf<UnitAction["type"]>().toExtend<ActionType>();
    expect(ACTION_ZH).toMatchObject({ open: "交办", acknowledge: "签收", withdraw: "撤销" });
  });

  it("words the run-time items' events as their lifecycle does", () => {
    expect([eventZh("itemOpened"), eventZh("acknowledged"), eventZh("withdrawn")]).toEqual(["已交办", "已签收", "已撤销"]);
    expect(eventZh("submitted", { report: "interim" })).toBe("续报");
    expect(eventZh("submitted", { report: "final" })).toBe("终报");
    expect(eventZh("submitted", { late: true })).toBe("报送");
    expect(reminderReasonZh("unacknowledged")).toBe("（超时未签收）");
    expect(reminderReasonZh(undefined)).toBe("");
  });

  it("shows an unknown code as it is, even one that names an Object.prototype member", () => {
    expect(eventZh("somethingNew")).toBe("somethingNew");
    expect(eventZh("constructor")).toBe("constructor");
    expect(eventZh("submitted", { report: "toString" })).toBe("报送");
    expect(deferralZh("hasOwnProperty")).toBe("（hasOwnProperty）");
    expect(deferralZh("beforeOpening")).toBe("（提前提醒顺延至开放后首个工作日）");
  });

  it("names ladder levels the same everywhere: 提醒, then 一级督办 …, and digits beyond the table", () => {
    expect([0, 1, 2, 5, 7].map(levelZh)).toEqual(["提醒", "一级督办", "二级督办", "五级督办", "7级督办"]);
    // A logged reminder reads as its level, as the timeline and the web's reminder table say it.
    expect([eventZh("reminded", { level: 0 }), eventZh("reminded", { level: 2 })]).toEqual(["提醒", "二级督办"]);
    expect(Object.keys(LATENESS_ZH).sort()).toEqual(["dueSoon", "escalated", "onTrack", "overdue"]);
  });
});

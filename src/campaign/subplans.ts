import type { EpochMs } from "../engine/calendar.ts";
import type { SubPlanProgress } from "../engine/types.ts";
import { isOutstanding } from "../model/states.ts";
import { unitName } from "../present/plan-text.ts";
import type { EventStore } from "../store/store.ts";
import type { BoardRow } from "./board.ts";
import { Campaign } from "./campaign.ts";
import { rollupChild, subPlanProgress, type ActivityEvent, type ChildRollup } from "./rollup.ts";

/**
 * The sub-plans a campaign has in its store (the registry's `parent` column, recorded by `init` after
 * checkParent), each rolled up at one instant: what the parent's board, its item pages, the office's
 * digest and a hand-in of a `requiresSubPlan` item read. A Campaign never looks at its neighbours itself;
 * the hosts and this module do, through the store its log belongs to.
 */

/** One overdue item of a sub-plan, as the parent office's digest lists it. */
export interface SubPlanOverdueItem {
  id: string;
  title: string;
  unit: string;
  unitName: string;
  due: string;
  daysLate: number;
  level: number;
}

export interface SubPlan extends ChildRollup {
  /** The parent item it is the plan of, or the parent's unit it serves (the sub-plan's `parent:`). */
  item?: string;
  unit?: string;
  overdueItems: SubPlanOverdueItem[];
}

/**
 * Sub-plans of one parent, kept open between calls (a host asks on every board request): each is
 * refreshed from its log, not rebuilt. One caller at a time per instance (the host's lock).
 */
export class SubPlans {
  private readonly open = new Map<string, Campaign>();
  /** Per sub-plan, the log read so far: its last sequence number and the last thing a person did by then. */
  private readonly seen = new Map<string, { seq: number; last?: ActivityEvent }>();
  constructor(
    private readonly store: EventStore,
    private readonly parent: string,
  ) {}

  /** Every sub-plan of the parent, rolled up at `now`, in the order they were added. */
  async all(now: EpochMs): Promise<SubPlan[]> {
    const records = (await this.store.campaigns()).filter((r) => r.parent === this.parent);
    const out: SubPlan[] = [];
    for (const r of records) {
      let c = this.open.get(r.id);
      if (c) await c.refresh();
      else {
        c = await Campaign.open(this.store.campaignLog(r.prefix));
        this.open.set(r.id, c);
      }
      out.push(subPlanOf(c, now, await this.activity(r.id, c)));
    }
    return out;
  }

  /** The last event a person caused in the sub-plan, reading only what was appended since the last call. */
  private async activity(id: string, c: Campaign): Promise<ActivityEvent[]> {
    const seen = this.seen.get(id) ?? { seq: 0 };
    const fresh: ActivityEvent[] = seen.last ? [seen.last] : [];
    let seq = seen.seq;
    for await (const e of c.store.read({ fromSeq: seq + 1 })) {
      seq = e.seq;
      if (e.actor.kind !== "engine") fresh.push({ at: e.at, actor: e.actor });
    }
    const last = fresh.reduce<ActivityEvent | undefined>((best, e) => (!best || Date.parse(e.at) >= Date.parse(best.at) ? e : best), undefined);
    this.seen.set(id, { seq, ...(last ? { last } : {}) });
    return last ? [last] : [];
  }

  /** The sub-plans written for one parent item (`parent.item`): those a hand-in of it waits for. */
  async ofItem(item: string, now: EpochMs): Promise<SubPlan[]> {
    return (await this.all(now)).filter((s) => s.item === item);
  }
}

function subPlanOf(c: Campaign, now: EpochMs, activity: readonly ActivityEvent[]): SubPlan {
  const plan = c.plan;
  const rows = c.board(now);
  const rollup = rollupChild({ campaign: plan.campaign.id, title: plan.campaign.title }, rows, activity);
  const ref = plan.parent;
  return {
    ...rollup,
    ...(ref?.item !== undefined ? { item: ref.item } : {}),
    ...(ref?.unit !== undefined ? { unit: ref.unit } : {}),
    overdueItems: rows.filter(overdueRow).map((r) => ({ id: r.id, title: r.title, unit: r.unit, unitName: unitName(plan, r.unit), due: r.due!, daysLate: r.daysLate, level: r.level })),
  };
}

function overdueRow(r: BoardRow): boolean {
  return r.due !== null && r.late && isOutstanding(r.state);
}

/** The roll-ups by the parent item they serve, for the rows of the parent's board. */
export function byItem(subPlans: readonly SubPlan[]): Map<string, ChildRollup[]> {
  const m = new Map<string, ChildRollup[]>();
  for (const s of subPlans) if (s.item !== undefined) (m.get(s.item) ?? m.set(s.item, []).get(s.item)!).push(rollupOnly(s));
  return m;
}

/** The rows with the roll-ups of the sub-plans written for their items (rows of other items unchanged). */
export function withRollups<T extends BoardRow>(rows: readonly T[], subPlans: readonly SubPlan[]): T[] {
  if (!subPlans.length) return [...rows];
  const m = byItem(subPlans);
  return rows.map((r) => (m.has(r.id) ? { ...r, subPlans: m.get(r.id)! } : r));
}

/** The figures of a roll-up without the digest's list. */
export function rollupOnly(s: SubPlan): ChildRollup {
  const { overdueItems: _o, item: _i, unit: _u, ...r } = s;
  return r;
}

/** What a hand-in of `item` carries for authorize when the store knows the sub-plans under it. */
export async function progressFor(store: EventStore, parent: string, item: string, now: EpochMs): Promise<SubPlanProgress[]> {
  return subPlanProgress(await new SubPlans(store, parent).ofItem(item, now));
}

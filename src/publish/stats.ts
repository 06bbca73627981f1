import { formatInstant } from "../engine/calendar.ts";
import type { ResolvedPlan } from "../plan/types.ts";
import { unitName } from "../present/plan-text.ts";
import type { ItemRecord, PublishedState } from "./items.ts";

/** What statistics can be grouped by; a new grouping (an item's kind) is one more entry in {@link GROUPINGS}. */
export type Grouping = "unit" | "task" | "phase" | "deliverable";

interface GroupingSpec {
  /** The column header. */
  label: string;
  key(item: ItemRecord): string;
  name(plan: ResolvedPlan, key: string): string;
}

/** The 报送事项 an item counts under: its deliverable, its task (`task:`), or an opened item's kind (`kind:`). */
export function deliverableKey(i: ItemRecord): string {
  return i.assignment.deliverable ?? (i.assignment.task ? `task:${i.assignment.task}` : i.assignment.opened ? `kind:${i.assignment.opened.kind}` : "");
}

const GROUPINGS: Record<Grouping, GroupingSpec> = {
  unit: { label: "单位", key: (i) => i.assignment.unit, name: (p, k) => unitName(p, k) },
  task: { label: "任务", key: (i) => i.assignment.task ?? "", name: (p, k) => (k ? (p.tasks.find((t) => t.id === k)?.title ?? k) : "（不属于任务）") },
  phase: { label: "阶段", key: (i) => i.row.phase ?? "", name: (p, k) => (k ? (p.phases.find((x) => x.id === k)?.name ?? k) : "（不属于阶段）") },
  deliverable: {
    label: "报送事项",
    // A recurring deliverable's instances count under the deliverable; a task's own items under the task.
    // Items opened at run time count under their kind (督办单, 约谈整改).
    key: (i) => deliverableKey(i),
    name: (p, k) =>
      k.startsWith("task:")
        ? `${p.tasks.find((t) => `task:${t.id}` === k)?.title ?? k.slice(5)}（任务）`
        : k.startsWith("kind:")
          ? `${p.kinds.get(k.slice(5))?.title ?? k.slice(5)}（运行中交办）`
          : (p.deliverables.find((d) => d.id === k)?.title ?? k),
  },
};

export const GROUPING_NAMES = Object.keys(GROUPINGS) as Grouping[];

export function groupingLabel(by: Grouping): string {
  return GROUPINGS[by].label;
}

/** The figures of one group of items (or of all of them). See README, "What the office publishes". */
export interface StatsLine {
  key: string;
  name: string;
  /** Items the plan assigns (every outcome below adds up to this). */
  assigned: number;
  onTime: number;
  late: number;
  /** Over the items handed in late: working days past due at the hand-in. Null when none was late. */
  lateDaysMean: number | null;
  lateDaysMax: number | null;
  /** Still owed and past due at the instant. */
  overdue: number;
  waived: number;
  /** Still owed and not yet due. */
  pending: number;
  /** Times items were sent back for rework (an item returned twice counts twice). */
  returned: number;
  /** Items whose deadline was extended at least once. */
  extended: number;
  /** Items that have come due or been handed in: onTime + late + overdue (waived items owe nothing). */
  due: number;
  /** 按时完成率 = onTime / due; null when nothing has come due. */
  onTimeRate: number | null;
  /** 逾期率 = (late + overdue) / due; null when nothing has come due. */
  overdueRate: number | null;
  /** 考评 score and rank (see score.ts): only on the unit lines of by-unit statistics of a plan with `scoring:`. */
  score?: number;
  rank?: number;
}

export interface Statistics {
  campaign: string;
  title: string;
  asOf: string;
  by: Grouping;
  lines: StatsLine[];
  total: StatsLine;
}

function emptyLine(key: string, name: string): StatsLine {
  return { key, name, assigned: 0, onTime: 0, late: 0, lateDaysMean: null, lateDaysMax: null, overdue: 0, waived: 0, pending: 0, returned: 0, extended: 0, due: 0, onTimeRate: null, overdueRate: null };
}

/** Adds one item to a line; `lateDays` collects the working days late of its late hand-ins. */
function add(line: StatsLine, item: ItemRecord, lateDays: number[]): void {
  line.assigned++;
  line[item.outcome]++;
  if (item.outcome === "late") lateDays.push(item.daysLate);
  line.returned += item.returns;
  if (item.extensions > 0) line.extended++;
}

function finish(line: StatsLine, lateDays: number[]): StatsLine {
  line.due = line.onTime + line.late + line.overdue;
  if (lateDays.length) {
    line.lateDaysMean = round(lateDays.reduce((a, b) => a + b, 0) / lateDays.length, 2);
    line.lateDaysMax = Math.max(...lateDays);
  }
  if (line.due > 0) {
    line.onTimeRate = round(line.onTime / line.due, 4);
    line.overdueRate = round((line.late + line.overdue) / line.due, 4);
  }
  return line;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/**
 * Statistics of the campaign at the state's instant, grouped `by` one dimension, lines in the plan's
 * order. A pure function of the items, so the same instant always gives the same table, live or replayed.
 */
export function statistics(state: PublishedState, by: Grouping): Statistics {
  const spec = GROUPINGS[by];
  const groups = new Map<string, { line: StatsLine; lateDays: number[] }>();
  const total = { line: emptyLine("", "合计"), lateDays: [] as number[] };
  for (const item of state.items) {
    const key = spec.key(item);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { line: emptyLine(key, spec.name(state.plan, key)), lateDays: [] }));
    add(g.line, item, g.lateDays);
    add(total.line, item, total.lateDays);
  }
  return {
    campaign: state.plan.campaign.id,
    title: state.plan.campaign.title,
    asOf: formatInstant(state.asOf, state.plan.campaign.timezone),
    by,
    lines: [...groups.values()].map((g) => finish(g.line, g.lateDays)),
    total: finish(total.line, total.lateDays),
  };
}

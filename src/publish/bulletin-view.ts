import { formatInstant, type EpochMs } from "../engine/calendar.ts";
import { unitName } from "../present/plan-text.ts";
import { documentDateZh, textDateZh } from "./chinese-date.ts";
import type { ItemRecord, PublishedState } from "./items.ts";
import { scores, type Scores } from "./score.ts";
import { pointsText } from "./score-text.ts";
import { cellText } from "./stats-text.ts";
import { statistics, type Statistics, type StatsLine } from "./stats.ts";

/** A statistics line as a document prints it: counts as numbers, rates as "40.0%" and "—". */
export interface FiguresView {
  name: string;
  assigned: number;
  due: number;
  onTime: number;
  late: number;
  overdue: number;
  waived: number;
  pending: number;
  returned: number;
  extended: number;
  onTimeRate: string;
  overdueRate: string;
  lateDaysMax: string;
}

export interface LateItemView {
  no: number;
  unit: string;
  title: string;
  due: string;
  /** 逾期3个工作日报送 / 逾期5个工作日，尚未报送. */
  status: string;
  daysLate: number;
}

/** Everything a 通报 or report template may name (see {@link VIEW_SHAPE}, which `validate` checks against). */
export interface DocumentView {
  campaign: { id: string; title: string; issuer: string; document: string };
  office: string;
  /** 文号 with the number left blank for the office to fill in: 〔2021〕　号. */
  docNumber: string;
  /** The document's date in Chinese numerals: 二〇二一年七月二十日. */
  date: string;
  period: { from: string; to: string; asOf: string };
  total: FiguresView;
  units: FiguresView[];
  late: LateItemView[];
  hasLate: boolean;
  lateCount: number;
  lateUnitCount: number;
  lateUnitNames: string;
  commended: { name: string }[];
  hasCommended: boolean;
  commendedNames: string;
  scores: { rank: number; name: string; score: string }[];
  hasScores: boolean;
}

/** What the tables of a document hold, beside the template's text. */
export interface DocumentData {
  view: DocumentView;
  stats: Statistics;
  scores?: Scores;
  /** The plan's timezone, for file names. */
  zone: string;
  asOf: EpochMs;
}

type Shape = "value" | { readonly [key: string]: Shape } | readonly [Shape];

const FIGURES: Shape = Object.fromEntries(
  ["name", "assigned", "due", "onTime", "late", "overdue", "waived", "pending", "returned", "extended", "onTimeRate", "overdueRate", "lateDaysMax"].map((k) => [k, "value" as const]),
);
const values = (...keys: string[]): Shape => Object.fromEntries(keys.map((k) => [k, "value" as const]));

/** The names a template can use, as a tree: objects, lists (one element shape) and values. */
export const VIEW_SHAPE: Shape = {
  campaign: values("id", "title", "issuer", "document"),
  office: "value",
  docNumber: "value",
  date: "value",
  period: values("from", "to", "asOf"),
  total: FIGURES,
  units: [FIGURES],
  late: [values("no", "unit", "title", "due", "status", "daysLate")],
  hasLate: "value",
  lateCount: "value",
  lateUnitCount: "value",
  lateUnitNames: "value",
  commended: [values("name")],
  hasCommended: "value",
  commendedNames: "value",
  scores: [values("rank", "name", "score")],
  hasScores: "value",
};

export type { Shape };

function figures(l: StatsLine): FiguresView {
  return {
    name: l.name,
    assigned: l.assigned,
    due: l.due,
    onTime: l.onTime,
    late: l.late,
    overdue: l.overdue,
    waived: l.waived,
    pending: l.pending,
    returned: l.returned,
    extended: l.extended,
    onTimeRate: cellText(l, "onTimeRate"),
    overdueRate: cellText(l, "overdueRate"),
    lateDaysMax: cellText(l, "lateDaysMax"),
  };
}

/**
 * The items a document for the period [from, asOf] speaks of: those due in it, those handed in during it
 * (early ones too), and every item still overdue, however long ago it fell due, so a unit late since the
 * last 通报 is named again. Items neither due nor handed in by `asOf` are left out.
 */
export function periodItems(items: readonly ItemRecord[], from: EpochMs, asOf: EpochMs): ItemRecord[] {
  const inside = (t: EpochMs | null) => t !== null && t >= from && t <= asOf;
  return items.filter((i) => {
    switch (i.outcome) {
      case "pending":
        return false;
      case "overdue":
        return true;
      case "waived":
        return inside(i.dueAt);
      default:
        return inside(i.dueAt) || inside(i.submittedAt);
    }
  });
}

function lateStatus(i: ItemRecord): string {
  const returned = i.returns > 0 ? `（退回修改${i.returns}次）` : "";
  return i.outcome === "late" ? `逾期${i.daysLate}个工作日报送${returned}` : `逾期${i.daysLate}个工作日，尚未报送${returned}`;
}

/**
 * The view of a 通报 (or the office's report) for the period from `from` to the state's instant: a pure
 * function of the per-item records, like the statistics it quotes. Scores, when the plan in force has
 * scoring rules, are over the whole campaign up to the instant (a 考评 is cumulative).
 */
export function documentData(state: PublishedState, from: EpochMs): DocumentData {
  const plan = state.plan;
  const zone = plan.campaign.timezone;
  const inPeriod = { ...state, items: periodItems(state.items, from, state.asOf) };
  const stats = statistics(inPeriod, "unit");
  const order = [...plan.units.keys()];
  // Late and overdue items always have a deadline (an item without one is never late).
  const lateItems = inPeriod.items
    .filter((i) => i.outcome === "late" || i.outcome === "overdue")
    .sort((a, b) => order.indexOf(a.assignment.unit) - order.indexOf(b.assignment.unit) || a.dueAt! - b.dueAt! || a.assignment.id.localeCompare(b.assignment.id));
  const lateUnits = [...new Set(lateItems.map((i) => i.assignment.unit))];
  const commended = stats.lines.filter((l) => l.due > 0 && l.onTime === l.due).map((l) => ({ name: l.name }));
  const scored = plan.scoring ? scores(state) : undefined;
  const year = formatInstant(state.asOf, zone).slice(0, 4);
  const view: DocumentView = {
    campaign: { id: plan.campaign.id, title: plan.campaign.title, issuer: plan.campaign.issuer, document: plan.campaign.document ?? "" },
    office: plan.leadingGroup.office.name ?? unitName(plan, plan.leadingGroup.office.unit),
    docNumber: `〔${year}〕　号`,
    date: documentDateZh(state.asOf, zone),
    period: { from: textDateZh(Math.max(from, plan.campaign.startAt), zone), to: textDateZh(state.asOf, zone), asOf: formatInstant(state.asOf, zone) },
    total: figures(stats.total),
    units: stats.lines.map(figures),
    late: lateItems.map((i, n) => ({ no: n + 1, unit: unitName(plan, i.assignment.unit), title: i.assignment.title, due: textDateZh(i.dueAt!, zone), status: lateStatus(i), daysLate: i.daysLate })),
    hasLate: lateItems.length > 0,
    lateCount: lateItems.length,
    lateUnitCount: lateUnits.length,
    lateUnitNames: lateUnits.map((u) => unitName(plan, u)).join("、"),
    commended,
    hasCommended: commended.length > 0,
    commendedNames: commended.map((c) => c.name).join("、"),
    scores: (scored?.lines ?? []).map((l) => ({ rank: l.rank, name: l.name, score: pointsText(l.score) })),
    hasScores: scored !== undefined,
  };
  return { view, stats, ...(scored ? { scores: scored } : {}), zone, asOf: state.asOf };
}

import type { BoardRow } from "../campaign/board.ts";
import type { LatenessState, ProgressState } from "../model/states.ts";
import { STATE_ZH } from "../text/labels.ts";
import { parseInstant, type EpochMs } from "../engine/calendar.ts";

/**
 * The 三色 light of an item. `none` is the neutral light of an item still owed that has no deadline (a
 * task tracked without a hand-in): nothing to be early or late against, so no colour unless the office marks it.
 */
export type LightColour = "green" | "yellow" | "red" | "none";

/** The office's mark on an item, as the log has it at an instant. */
export interface LightMark {
  light: "red" | "yellow";
  reason: string;
  /** ISO instant of the mark as recorded. */
  at: string;
  /** The unit (or person) who marked it. */
  by: string;
}

export interface Light {
  colour: LightColour;
  /** What the light says, in one short phrase: "逾期3个工作日", "临近截止", "按时办结", "逾期2个工作日办结". */
  label: string;
  /** Handed in, accepted or waived: its light says how it closed and is never yellow or red. */
  closed: boolean;
  /** The office's mark in force on an item still owed (it may not be what made the light: past due is red anyway). */
  mark?: LightMark;
  /** Still owed and past its due instant. */
  overdue: boolean;
  daysLate: number;
}

/** What the light is computed from: one item's view at `asOf`. */
export interface LightInput {
  state: ProgressState;
  lateness: LatenessState;
  /** The due instant in force; null: no deadline. */
  dueAt: EpochMs | null;
  /** The engine's late mark: handed in after the due instant (it stays once set). */
  late: boolean;
  daysLate: number;
}

export const LIGHT_COLOURS: readonly LightColour[] = ["red", "yellow", "green", "none"];

/** The colours a light is drawn in, one set for every page (the board's cells and frames, badges, lists). */
export const LIGHT_HEX: Readonly<Record<LightColour, string>> = { red: "#d1242f", yellow: "#d4a72c", green: "#2da44e", none: "#afb8c1" };

/**
 * The light of one item at `asOf`, from its view and the office's mark in force then. A pure function,
 * so a light as of any instant replays from the log: views folded up to it, marks recorded up to it.
 * - closed (submitted, accepted, waived): green, saying how it closed; a mark no longer counts;
 * - withdrawn (撤销): no light at all: nothing is owed and nothing was done, so neither red nor green;
 * - red: still owed and past its due instant, or marked red by the office;
 * - yellow: still owed and within the policy's `dueSoon` window, or marked yellow;
 * - none: still owed, no deadline, not marked; else green.
 */
export function lightOf(item: LightInput, mark: LightMark | undefined, asOf: EpochMs): Light {
  const n = item.daysLate;
  switch (item.state) {
    case "waived":
      return WAIVED;
    case "withdrawn":
      return WITHDRAWN;
    case "accepted":
      return item.late ? LATE_ACCEPTED.of(n) : ACCEPTED;
    case "submitted":
      return item.late ? LATE_SUBMITTED.of(n) : SUBMITTED;
  }
  // A light without a mark is one of a few, shared (frozen) by every item in it: every published view
  // builds a light per item. A mark, when there is one, comes after the other fields, as it always did.
  const overdue = item.dueAt !== null && asOf > item.dueAt;
  if (overdue) return mark ? { colour: "red", label: OVERDUE.label(n), closed: false, overdue: true, daysLate: n, mark } : OVERDUE.of(n);
  if (mark?.light === "red") return { colour: "red", label: `办公室标红：${mark.reason}`, closed: false, overdue: false, mark, daysLate: 0 };
  if (item.dueAt !== null && item.lateness === "dueSoon") return mark ? { colour: "yellow", label: "临近截止", closed: false, overdue: false, daysLate: 0, mark } : DUE_SOON;
  if (mark?.light === "yellow") return { colour: "yellow", label: `办公室标黄：${mark.reason}`, closed: false, overdue: false, mark, daysLate: 0 };
  if (item.dueAt === null) return NO_DEADLINE;
  return ON_TRACK;
}

const frozen = (l: Light): Light => Object.freeze(l);
const WAIVED = frozen({ colour: "green", label: "免报", closed: true, overdue: false, daysLate: 0 });
const WITHDRAWN = frozen({ colour: "none", label: STATE_ZH.withdrawn, closed: true, overdue: false, daysLate: 0 });
const ACCEPTED = frozen({ colour: "green", label: "按时办结", closed: true, overdue: false, daysLate: 0 });
const SUBMITTED = frozen({ colour: "green", label: "按时报送，待审核", closed: true, overdue: false, daysLate: 0 });
const DUE_SOON = frozen({ colour: "yellow", label: "临近截止", closed: false, overdue: false, daysLate: 0 });
const NO_DEADLINE = frozen({ colour: "none", label: "不设截止时间", closed: false, overdue: false, daysLate: 0 });
const ON_TRACK = frozen({ colour: "green", label: "正常推进", closed: false, overdue: false, daysLate: 0 });

/** A light that carries a count of working days, one per count (a board has few distinct ones). */
class CountedLight {
  private readonly memo: Light[] = [];
  constructor(
    readonly label: (n: number) => string,
    private readonly make: (n: number) => Light,
  ) {}
  of(n: number): Light {
    if (!(Number.isInteger(n) && n >= 0 && n < 4096)) return this.make(n);
    return (this.memo[n] ??= frozen(this.make(n)));
  }
}

const LATE_ACCEPTED: CountedLight = new CountedLight(
  (n) => `逾期${n}个工作日办结`,
  (n) => ({ colour: "green", label: LATE_ACCEPTED.label(n), closed: true, overdue: false, daysLate: n }),
);
const LATE_SUBMITTED: CountedLight = new CountedLight(
  (n) => `逾期${n}个工作日报送，待审核`,
  (n) => ({ colour: "green", label: LATE_SUBMITTED.label(n), closed: true, overdue: false, daysLate: n }),
);
const OVERDUE: CountedLight = new CountedLight(
  (n) => `逾期${n}个工作日`,
  (n) => ({ colour: "red", label: OVERDUE.label(n), closed: false, overdue: true, daysLate: n }),
);

/** Why an item is red, in words: past due, the office's red mark, or both. */
export function redReason(light: Light): string {
  return [light.overdue ? "逾期未报" : "", light.mark?.light === "red" ? `办公室标红：${light.mark.reason}` : ""].filter(Boolean).join("；");
}

/** A board row with its light. */
export type LitRow = BoardRow & { light: Light };

/** Each row's light at `asOf` (the instant the rows were computed for), with the marks in force then. */
export function lightRows(rows: BoardRow[], marks: ReadonlyMap<string, LightMark>, asOf: EpochMs, zone: string): LitRow[] {
  return rows.map((r) => ({ ...r, light: lightOf({ ...r, dueAt: r.due === null ? null : parseInstant(r.due, zone) }, marks.get(r.id), asOf) }));
}

/**
 * The 红灯清单 order: highest ladder level first, then most working days late, then id (stable).
 */
export function byUrgency<T extends { id: string; level: number; light: Light }>(a: T, b: T): number {
  return b.level - a.level || b.light.daysLate - a.light.daysLate || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** `--light` / `?light=`: a colour, or undefined for a word that is not one. */
export function parseLight(text: string): LightColour | undefined {
  return (LIGHT_COLOURS as readonly string[]).includes(text) ? (text as LightColour) : undefined;
}

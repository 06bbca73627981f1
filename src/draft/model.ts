import type { IsoDate } from "../engine/calendar.ts";

/** What a drafted element rests on: the section number and the sentence, quoted as written. */
export interface SourceRef {
  section: string;
  quote: string;
}

export function cite(s: SourceRef): string {
  return `${s.section}“${s.quote}”`;
}

export function citeAll(sources: SourceRef[]): string {
  return sources.map(cite).join("；");
}

/** Units are named as in the document until the registry gives them ids. */
export type UnitName = string;

export interface DraftPhase {
  name: string;
  start: IsoDate;
  end: IsoDate;
  source: SourceRef;
  description?: string;
}

export interface DraftTask {
  number: number;
  title: string;
  scope?: string;
  lead?: UnitName;
  support: UnitName[];
  partners: UnitName[];
  due?: IsoDate;
  source: SourceRef;
}

export interface DraftDeliverable {
  title: string;
  description?: string;
  from: UnitName[];
  /** undefined: the office (领导小组办公室), the plan's default recipient. */
  to?: UnitName;
  due?: IsoDate;
  recurring?: { monthDays?: number[]; weekdays?: number[]; from: string; until: string };
  phase?: string;
  task?: number;
  sources: SourceRef[];
}

export interface DraftPerson {
  name: string;
  title?: string;
  /** The unit named in the person's title. */
  unit?: UnitName;
}

export interface DraftLeadingGroup {
  name?: string;
  leader?: DraftPerson;
  deputies: DraftPerson[];
  members: DraftPerson[];
  office?: { name: string; unit?: UnitName; director?: string; source: SourceRef };
  source: SourceRef;
}

export interface DraftGroup {
  name: string;
  members: UnitName[];
  source: SourceRef;
}

export interface DraftTodo {
  what: string;
  source?: SourceRef;
  document?: string;
  /** The element as far as the document states it (unit names, task numbers), completed by a person. */
  draft?: { kind: "deliverable"; deliverable: DraftDeliverable };
}

export interface Draft {
  file: string;
  encoding: string;
  title: string;
  document?: string;
  issuer?: string;
  issuerSource?: SourceRef;
  year: number;
  yearSource?: string;
  start?: IsoDate;
  end?: IsoDate;
  periodSource?: SourceRef;
  phases: DraftPhase[];
  tasks: DraftTask[];
  deliverables: DraftDeliverable[];
  leadingGroup?: DraftLeadingGroup;
  groups: DraftGroup[];
  todos: DraftTodo[];
  warnings: string[];
}

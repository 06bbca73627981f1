/** A calendar date in the plan's zone, `YYYY-MM-DD`. */
export type IsoDate = string;

/** Epoch milliseconds: the engine's internal instant. Shown to people only through formatInstant. */
export type EpochMs = number;

/** PRC statutory rest days and make-up working days for some years, as published. */
export interface CnCalendarData {
  source: string;
  years: number[];
  holidays: IsoDate[];
  workdays: IsoDate[];
}

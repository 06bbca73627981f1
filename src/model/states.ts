/**
 * The states of an item and what they mean, defined once. The item machine carries these tags on its
 * states (see engine/assignment-machine.ts), and everything else that asks "is this still owed?" asks
 * here: the ladder, authorisation, the board, the digests, the published figures and the web.
 */
export const PROGRESS_STATES = ["waiting", "open", "submitted", "returned", "accepted", "waived", "withdrawn"] as const;
export type ProgressState = (typeof PROGRESS_STATES)[number];
export type LatenessState = "onTrack" | "dueSoon" | "overdue" | "escalated";

/**
 * - `owed`: open to hand in; the ladder acts on it (open, returned).
 * - `notYetOpen`: its window has not opened (waiting); still owed, not yet reminded.
 * - `handedIn`: waiting for the receiving unit's review (submitted).
 * - `closed`: nothing more happens (accepted, waived, withdrawn).
 */
export type StateTag = "owed" | "notYetOpen" | "handedIn" | "closed";

export const PROGRESS_TAGS: { readonly [S in ProgressState]: readonly StateTag[] } = {
  waiting: ["notYetOpen"],
  open: ["owed"],
  submitted: ["handedIn"],
  returned: ["owed"],
  accepted: ["closed"],
  waived: ["closed"],
  withdrawn: ["closed"],
};

export function hasTag(progress: ProgressState, tag: StateTag): boolean {
  return PROGRESS_TAGS[progress].includes(tag);
}

/** Open to hand in now: the ladder reminds it, its unit may submit it. */
export function isOwed(progress: ProgressState): boolean {
  return hasTag(progress, "owed");
}

/** Not handed in yet, whether or not its window has opened: what a board counts as outstanding. */
export function isOutstanding(progress: ProgressState): boolean {
  return hasTag(progress, "owed") || hasTag(progress, "notYetOpen");
}

export function isClosed(progress: ProgressState): boolean {
  return hasTag(progress, "closed");
}

/** The states a progress tag covers, in machine order. */
export function statesTagged(tag: StateTag): ProgressState[] {
  return PROGRESS_STATES.filter((s) => hasTag(s, tag));
}

import { assign, setup } from "xstate";
import type { EpochMs } from "../model/time.ts";
import { PROGRESS_TAGS, type LatenessState, type ProgressState } from "../model/states.ts";
import type { AssignmentEvent } from "./types.ts";

export type { LatenessState, ProgressState };

export interface AssignmentContext {
  /** Current due instant; an extension or an interim report moves it. null: no deadline, never late. */
  dueAt: EpochMs | null;
  /** Highest escalation level reached since the last extension. */
  level: number;
  /** Submitted after the due instant (stays true once set, even when accepted). */
  late: boolean;
  submittedAt: EpochMs | null;
  /** Reminder occurrences applied; makes every logged reminder a visible state change. */
  reminders: number;
  returns: number;
  extensions: number;
  /** 签收: when one of the owing units acknowledged the item (null: not yet, or not asked for). */
  acknowledgedAt?: EpochMs | null;
  /** 一事一报: interim reports (续报) handed in so far. */
  reports?: number;
  /** When the office last urged the unit about this item (催办); absent: never. */
  urgedAt?: EpochMs;
}

/**
 * One item: progress (waiting → open → submitted → accepted, returned → submitted again, waived,
 * withdrawn) and, in parallel, lateness (on track → due soon → overdue; the level counts escalations).
 * No delays: time arrives as events stamped by the engine, so the machine is the same live and in replay.
 * Each progress state carries its tags from model/states.ts: the one place that says which are owed.
 */
/** Open and returned items are owed alike: both can be handed in, waived, withdrawn, extended and reminded. */
const owed = {
  submitted: [
    { guard: "isInterim", target: "open", actions: "recordInterim" },
    { target: "submitted", actions: "recordSubmission" },
  ],
  waived: "waived",
  withdrawn: "withdrawn",
  extended: { guard: "extensionInFuture", actions: "applyExtension" },
  reminded: { actions: "countReminder" },
  acknowledged: { guard: "notAcknowledged", actions: "recordAcknowledgement" },
} as const;

/** An interim report starts the lateness over: the next report is due at its own instant. */
const restartsOnInterim = { submitted: { guard: "isInterim", target: "onTrack" } } as const;

const tags = (s: ProgressState) => [...PROGRESS_TAGS[s]];

export const assignmentMachine = setup({
  types: {
    context: {} as AssignmentContext,
    events: {} as AssignmentEvent,
    input: {} as { dueAt: EpochMs | null },
  },
  guards: {
    raisesLevel: ({ context, event }) => event.type === "reminded" && event.level > context.level,
    extensionInFuture: ({ event }) => event.type === "extended" && event.until > event.at,
    isInterim: ({ event }) => event.type === "submitted" && event.report === "interim",
    notAcknowledged: ({ context }) => !context.acknowledgedAt,
    wasReturned: ({ context }) => context.returns > 0,
  },
  actions: {
    recordSubmission: assign({
      submittedAt: ({ event }) => event.at,
      late: ({ context, event }) => context.late || (context.dueAt !== null && event.at > context.dueAt),
    }),
    recordInterim: assign({
      late: ({ context, event }) => context.late || (context.dueAt !== null && event.at > context.dueAt),
      dueAt: ({ context, event }) => (event.type === "submitted" && event.nextDueAt !== undefined ? event.nextDueAt : context.dueAt),
      level: 0,
      reports: ({ context }) => (context.reports ?? 0) + 1,
    }),
    recordAcknowledgement: assign({ acknowledgedAt: ({ event }) => event.at }),
    countReminder: assign(({ context, event }) => ({ reminders: context.reminders + 1, ...(event.type === "reminded" && event.reason === "urged" ? { urgedAt: event.at } : {}) })),
    clearSubmission: assign({ submittedAt: null }),
    countReturn: assign({ returns: ({ context }) => context.returns + 1, submittedAt: null }),
    applyExtension: assign({
      dueAt: ({ context, event }) => (event.type === "extended" ? event.until : context.dueAt),
      level: 0,
      extensions: ({ context }) => context.extensions + 1,
    }),
    raiseLevel: assign({ level: ({ context, event }) => (event.type === "reminded" ? Math.max(context.level, event.level) : context.level) }),
  },
}).createMachine({
  id: "assignment",
  type: "parallel",
  context: ({ input }) => ({ dueAt: input.dueAt, level: 0, late: false, submittedAt: null, reminders: 0, returns: 0, extensions: 0 }),
  states: {
    progress: {
      initial: "waiting",
      states: {
        waiting: {
          tags: tags("waiting"),
          on: { opened: "open", itemOpened: "open", waived: "waived", withdrawn: "withdrawn", extended: { guard: "extensionInFuture", actions: "applyExtension" } },
        },
        open: { tags: tags("open"), on: owed },
        submitted: {
          tags: tags("submitted"),
          on: {
            accepted: "accepted",
            returned: { target: "returned", actions: "countReturn" },
            // Recalled to be corrected: owed again, as it was before the hand-in (a returned item stays returned).
            recalled: [
              { guard: "wasReturned", target: "returned", actions: "clearSubmission" },
              { target: "open", actions: "clearSubmission" },
            ],
          },
        },
        returned: { tags: tags("returned"), on: owed },
        accepted: { tags: tags("accepted"), type: "final" },
        waived: { tags: tags("waived"), type: "final" },
        withdrawn: { tags: tags("withdrawn"), type: "final" },
      },
    },
    lateness: {
      initial: "onTrack",
      states: {
        onTrack: { on: { dueSoon: "dueSoon", overdue: "overdue" } },
        dueSoon: { on: { overdue: "overdue", extended: "onTrack", ...restartsOnInterim } },
        overdue: { on: { reminded: { guard: "raisesLevel", target: "escalated", actions: "raiseLevel" }, extended: "onTrack", ...restartsOnInterim } },
        escalated: { on: { reminded: { guard: "raisesLevel", actions: "raiseLevel" }, extended: "onTrack", ...restartsOnInterim } },
      },
    },
  },
});

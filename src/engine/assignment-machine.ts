import { assign, setup } from "xstate";
import type { EpochMs } from "./calendar.ts";
import type { AssignmentEvent } from "./types.ts";

export interface AssignmentContext {
  /** Current due instant; an extension moves it. null: the item has no deadline and is never late. */
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
}

/**
 * One assignment: progress (waiting → open → submitted → accepted, returned → submitted again,
 * waived) and, in parallel, lateness (on track → due soon → overdue; the level counts escalations).
 * No delays: time arrives as events stamped by the engine, so the machine is the same live and in replay.
 */
/** Open and returned items are owed alike: both can be handed in, waived, extended and reminded. */
const owed = {
  submitted: { target: "submitted", actions: "recordSubmission" },
  waived: "waived",
  extended: { guard: "extensionInFuture", actions: "applyExtension" },
  reminded: { actions: "countReminder" },
} as const;

export const assignmentMachine = setup({
  types: {
    context: {} as AssignmentContext,
    events: {} as AssignmentEvent,
    input: {} as { dueAt: EpochMs | null },
  },
  guards: {
    raisesLevel: ({ context, event }) => event.type === "reminded" && event.level > context.level,
    extensionInFuture: ({ event }) => event.type === "extended" && event.until > event.at,
  },
  actions: {
    recordSubmission: assign({
      submittedAt: ({ event }) => event.at,
      late: ({ context, event }) => context.late || (context.dueAt !== null && event.at > context.dueAt),
    }),
    countReminder: assign({ reminders: ({ context }) => context.reminders + 1 }),
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
          on: { opened: "open", waived: "waived", extended: { guard: "extensionInFuture", actions: "applyExtension" } },
        },
        open: {
          on: owed,
        },
        submitted: {
          on: { accepted: "accepted", returned: { target: "returned", actions: "countReturn" } },
        },
        returned: {
          on: owed,
        },
        accepted: { type: "final" },
        waived: { type: "final" },
      },
    },
    lateness: {
      initial: "onTrack",
      states: {
        onTrack: { on: { dueSoon: "dueSoon", overdue: "overdue" } },
        dueSoon: { on: { overdue: "overdue", extended: "onTrack" } },
        overdue: { on: { reminded: { guard: "raisesLevel", target: "escalated", actions: "raiseLevel" }, extended: "onTrack" } },
        escalated: { on: { reminded: { guard: "raisesLevel", actions: "raiseLevel" }, extended: "onTrack" } },
      },
    },
  },
});

export type ProgressState = "waiting" | "open" | "submitted" | "returned" | "accepted" | "waived";
export type LatenessState = "onTrack" | "dueSoon" | "overdue" | "escalated";

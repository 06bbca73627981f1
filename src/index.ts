/**
 * Duban's library API: the CLI, the daemon and the web server are thin hosts over these exports.
 * Pipeline order: plan → engine → campaign (over a store) → dispatch → notifiers.
 */

// Plan language
export { loadPlan, loadPlanText, planHash, type LoadResult, type LoadOptions } from "./plan/load.ts";
export { formatDiagnostic, DiagnosticCode, type Diagnostic, type Severity } from "./plan/diagnostics.ts";
export { calendarOf } from "./engine/calendar-of.ts";
export type { Assignment, Phase, Policy, ResolvedPlan, Task, Unit, UnitId, AssignmentId } from "./plan/types.ts";

// Engine: pure, deterministic, time as input
export { Engine, type AssignmentView, type PersistedEngine } from "./engine/engine.ts";
export { WorkCalendar, formatInstant, parseInstant, cnDataFor, type CnCalendarData, type EpochMs, type IsoDate } from "./engine/calendar.ts";
export { assignmentMachine, type AssignmentContext, type ProgressState, type LatenessState } from "./engine/assignment-machine.ts";
export { createCampaignMachine } from "./engine/campaign-machine.ts";
export type { Actor, DomainEvent, EngineInput, ReminderIntent, ReminderItem, Refusal, StepResult, UnitAction } from "./engine/types.ts";

// Simulation
export { simulate, type Timeline, type TimelineEntry } from "./simulate/simulate.ts";
export { loadActionsFile, type ScheduledAction } from "./simulate/actions-file.ts";
export { syntheticActions } from "./simulate/synthetic-actions.ts";

// A running campaign over a store
export { Campaign, CampaignError, type PlanDiff, type ReplayResult, type StepOutcome } from "./campaign/campaign.ts";
export type { BoardRow } from "./campaign/board.ts";
export { openStore } from "./store/open.ts";
export type { EventStore, Lease } from "./store/store.ts";
export type { StoredEvent, NewEvent, VerifyResult } from "./store/types.ts";

// Reminders out
export { Dispatcher, type DispatchOptions, type DispatchReport } from "./dispatch/dispatcher.ts";
export { composeReminder } from "./reminders/compose.ts";
export { composeDailySummary } from "./reminders/summary.ts";
export { loadTemplates } from "./reminders/templates.ts";
export { runCycle } from "./daemon/cycle.ts";
export { startDaemon, type DaemonOptions, type RunningDaemon } from "./daemon/daemon.ts";

import { formatInstant, parseInstant } from "../engine/calendar.ts";
import type { Actor, DomainEvent, ReminderIntent } from "../engine/types.ts";
import type { Item } from "../model/item.ts";
import type { ResolvedPlan } from "../plan/types.ts";
import type { Actor as StoredActor, NewEvent, NewOutboxItem, StoredEvent } from "../store/types.ts";

/** The engine's events as the log stores them: instants as ISO 8601 with the plan's offset, people as people. */
export const DOMAIN_TYPES: ReadonlySet<string> = new Set([
  "phaseStarted",
  "phaseEnded",
  "campaignClosed",
  "opened",
  "dueSoon",
  "overdue",
  "reminded",
  "submitted",
  "accepted",
  "returned",
  "extended",
  "waived",
  "itemOpened",
  "acknowledged",
  "withdrawn",
  "recalled",
]);

/** An item's instants as the log stores them (ISO 8601 with the plan's offset), and back. */
const ITEM_INSTANTS = ["opensAt", "dueAt", "ackDueAt"] as const;

function encodeItem(item: Item, zone: string): Record<string, unknown> {
  const out: Record<string, unknown> = { ...item };
  for (const k of ITEM_INSTANTS) if (typeof item[k] === "number") out[k] = formatInstant(item[k] as number, zone);
  return out;
}

function decodeItem(item: Record<string, unknown>, zone: string): Item {
  const out: Record<string, unknown> = { ...item };
  for (const k of ITEM_INSTANTS) if (typeof item[k] === "string") out[k] = parseInstant(item[k] as string, zone);
  return out as unknown as Item;
}

export function isDomainEventType(type: string): boolean {
  return DOMAIN_TYPES.has(type);
}

export function encodeActor(plan: ResolvedPlan, actor: Actor): StoredActor {
  if (actor.kind === "engine") return { kind: "engine" };
  const u = plan.units.get(actor.unit);
  if (u?.kind === "person") return { kind: "person", person: u.id, ...(u.parent ? { unit: u.parent } : {}) };
  return { kind: "unit", unit: actor.unit, ...(actor.person ? { person: actor.person } : {}) };
}

export function decodeActor(actor: StoredActor): Actor {
  if (actor.kind === "engine") return { kind: "engine" };
  if (actor.kind === "person") return { kind: "unit", unit: actor.person };
  return { kind: "unit", unit: actor.unit, ...(actor.person ? { person: actor.person } : {}) };
}

/** `extra` is recorded with the event (e.g. that the clock was set by hand for a drill). */
export function encodeEvent(plan: ResolvedPlan, e: DomainEvent, extra?: Record<string, unknown>): NewEvent {
  const zone = plan.campaign.timezone;
  const { type, at, assignment, actor, ...rest } = e as DomainEvent & { assignment?: string; actor?: Actor; until?: number; nextDueAt?: number; item?: Item };
  // Taken apart rather than copied and deleted from: a deleted property turns the object into a slow
  // dictionary, which the store then walks for its canonical JSON on every append.
  const payload: Record<string, unknown> = extra ? { ...rest, ...extra } : rest;
  if (extra && ("assignment" in extra || "actor" in extra)) (delete payload.assignment, delete payload.actor);
  if (rest.until !== undefined) payload.until = formatInstant(rest.until, zone);
  if (rest.nextDueAt !== undefined) payload.nextDueAt = formatInstant(rest.nextDueAt, zone);
  if (rest.item !== undefined) payload.item = encodeItem(rest.item, zone);
  return {
    at: formatInstant(at, zone),
    actor: actor ? encodeActor(plan, actor) : { kind: "engine" },
    type,
    payload,
    planHash: plan.hash,
    ...(assignment !== undefined ? { assignment } : {}),
  };
}

/** The engine event a stored event records, or undefined for bookkeeping events (deliveries, plan changes). */
export function decodeEvent(plan: ResolvedPlan, s: StoredEvent): DomainEvent | undefined {
  if (!DOMAIN_TYPES.has(s.type)) return undefined;
  const zone = plan.campaign.timezone;
  const payload = { ...(s.payload as Record<string, unknown>) };
  // Bookkeeping recorded with an event (a set clock, the web user who acted) is for auditors, not the machines.
  delete payload.clock;
  delete payload.via;
  delete payload.user;
  if (typeof payload.until === "string") payload.until = parseInstant(payload.until, zone);
  if (typeof payload.nextDueAt === "string") payload.nextDueAt = parseInstant(payload.nextDueAt, zone);
  if (typeof payload.item === "object" && payload.item !== null) payload.item = decodeItem(payload.item as Record<string, unknown>, zone);
  // Recorded after its scheduled instant (see Campaign's recordedLate): the machines see the schedule's instant.
  const scheduled = typeof payload.scheduledAt === "string" ? payload.scheduledAt : undefined;
  delete payload.scheduledAt;
  const e: Record<string, unknown> = { type: s.type, at: parseInstant(scheduled ?? s.at, zone), ...payload };
  if (s.assignment !== undefined) e.assignment = s.assignment;
  if (s.actor.kind !== "engine") e.actor = decodeActor(s.actor);
  return e as unknown as DomainEvent;
}

export const REMINDER_CHANNEL = "reminder";

export function encodeReminder(plan: ResolvedPlan, r: ReminderIntent): NewOutboxItem {
  const zone = plan.campaign.timezone;
  return {
    key: r.key,
    channel: REMINDER_CHANNEL,
    dueAt: formatInstant(r.at, zone),
    payload: { ...r, at: formatInstant(r.at, zone), items: r.items.map((i) => ({ ...i, dueAt: formatInstant(i.dueAt, zone), firedAt: formatInstant(i.firedAt, zone) })) },
  };
}

export function decodeReminder(plan: ResolvedPlan, payload: unknown): ReminderIntent {
  const zone = plan.campaign.timezone;
  type Stored = Omit<ReminderIntent, "at" | "items"> & { at: string; items: (Omit<ReminderIntent["items"][number], "dueAt" | "firedAt"> & { dueAt: string; firedAt?: string })[] };
  const p = payload as Stored;
  const at = parseInstant(p.at, zone);
  return { ...p, at, items: p.items.map((i) => ({ ...i, dueAt: parseInstant(i.dueAt, zone), firedAt: i.firedAt ? parseInstant(i.firedAt, zone) : at })) };
}

import { StoreError, type StoreErrorCode } from "./errors.ts";
import { CanonicalJsonError, canonicalJson } from "./hash.ts";
import type { Actor, NewEvent, NewOutboxItem } from "./types.ts";

const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/;

/** Epoch ms of an ISO 8601 instant that carries its offset; a local time without offset is ambiguous and refused. */
export function instantMs(value: unknown, what: string, code: StoreErrorCode = "INVALID_ARGUMENT"): number {
  if (typeof value !== "string" || !ISO_WITH_OFFSET.test(value)) {
    throw new StoreError(code, `${what} must be an ISO 8601 instant with an offset (e.g. 2025-03-01T09:00:00+08:00), got ${JSON.stringify(value)}`);
  }
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) throw new StoreError(code, `${what} is not a valid instant: ${value}`);
  return ms;
}

// PostgreSQL text cannot hold NUL, and a string that only one backend accepts would make them disagree.
function text(value: unknown, what: string, code: StoreErrorCode, optional = false): string | undefined {
  if (value === undefined && optional) return undefined;
  if (typeof value !== "string" || value.length === 0 || value.includes("\u0000")) {
    throw new StoreError(code, `${what} must be a non-empty string without NUL characters`);
  }
  return value;
}

/**
 * The canonical writer joins its parts into a tree of string pieces; reading one character makes V8 copy
 * it into one flat string now, so the pieces die young instead of being kept (and copied by every minor
 * collection) until the insert flattens them anyway. The text is unchanged.
 */
function flat(text: string): string {
  text.charCodeAt(0);
  return text;
}

function json(value: unknown, what: string, code: StoreErrorCode): string {
  if (value === undefined) throw new StoreError(code, `${what} is missing (use null for "nothing")`);
  try {
    return flat(canonicalJson(value));
  } catch (err) {
    if (err instanceof CanonicalJsonError) throw new StoreError(code, `${what}: ${err.message}`);
    throw err;
  }
}

function actor(value: unknown, where: string): Actor {
  const code = "INVALID_EVENT";
  if (typeof value !== "object" || value === null) throw new StoreError(code, `${where}.actor must be an object`);
  const a = value as Record<string, unknown>;
  const allowed: Record<string, string[]> = { engine: [], unit: ["unit", "person"], person: ["person", "unit"] };
  const keys = typeof a.kind === "string" ? allowed[a.kind] : undefined;
  if (!keys) throw new StoreError(code, `${where}.actor.kind must be "engine", "unit" or "person"`);
  for (const k of Object.keys(a)) {
    if (k !== "kind" && !keys.includes(k) && a[k] !== undefined) throw new StoreError(code, `${where}.actor has an unexpected field "${k}"`);
  }
  if (a.kind === "engine") return { kind: "engine" };
  const unit = text(a.unit, `${where}.actor.unit`, code, a.kind !== "unit");
  const person = text(a.person, `${where}.actor.person`, code, a.kind !== "person");
  if (a.kind === "unit") return person === undefined ? { kind: "unit", unit: unit! } : { kind: "unit", unit: unit!, person };
  return unit === undefined ? { kind: "person", person: person! } : { kind: "person", person: person!, unit };
}

/** An event in the exact form it is stored and hashed. */
export interface PreparedEvent {
  at: string;
  atMs: number;
  /** The validated actor: a fresh object of the caller's, equal to what actorJson parses back to. */
  actor: Actor;
  actorJson: string;
  type: string;
  payloadJson: string;
  planHash: string;
  assignment: string | undefined;
}

export function prepareEvent(e: NewEvent, index: number): PreparedEvent {
  const where = `events[${index}]`;
  const code = "INVALID_EVENT";
  if (typeof e !== "object" || e === null) throw new StoreError(code, `${where} must be an object`);
  const a = actor(e.actor, where);
  return {
    at: e.at,
    atMs: instantMs(e.at, `${where}.at`, code),
    actor: a,
    actorJson: flat(canonicalJson(a)),
    type: text(e.type, `${where}.type`, code)!,
    payloadJson: json(e.payload, `${where}.payload`, code),
    planHash: text(e.planHash, `${where}.planHash`, code)!,
    assignment: text(e.assignment, `${where}.assignment`, code, true),
  };
}

export interface PreparedOutboxItem {
  key: string;
  channel: string;
  dueAt: string;
  dueAtMs: number;
  payloadJson: string;
  afterEvents: number | undefined;
}

export function prepareOutboxItem(o: NewOutboxItem, index: number, events: number): PreparedOutboxItem {
  const where = `outbox[${index}]`;
  const code = "INVALID_OUTBOX";
  if (typeof o !== "object" || o === null) throw new StoreError(code, `${where} must be an object`);
  return {
    key: text(o.key, `${where}.key`, code)!,
    channel: text(o.channel, `${where}.channel`, code)!,
    dueAt: o.dueAt,
    dueAtMs: instantMs(o.dueAt, `${where}.dueAt`, code),
    payloadJson: json(o.payload, `${where}.payload`, code),
    afterEvents: afterEvents(o.afterEvents, `${where}.afterEvents`, events),
  };
}

function afterEvents(value: unknown, what: string, events: number): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || (value as number) < 0 || (value as number) > events)
    throw new StoreError("INVALID_OUTBOX", `${what} must be an integer from 0 to the ${events} events appended, got ${JSON.stringify(value)}`);
  return value as number;
}

export function positiveInt(value: number | undefined, what: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) throw new StoreError("INVALID_ARGUMENT", `${what} must be a positive integer, got ${value}`);
  return value;
}

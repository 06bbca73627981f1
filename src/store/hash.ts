import * as crypto from "node:crypto";
import type { Actor } from "./types.ts";

export const GENESIS_HASH = "0".repeat(64);

export class CanonicalJsonError extends Error {
  override readonly name = "CanonicalJsonError";
  readonly code = "NOT_JSON";
}

/**
 * JSON with sorted keys and no whitespace, so the same value always hashes the same.
 * Values JSON cannot round-trip (NaN, bigint, functions, class instances...) are refused
 * instead of being silently altered, because the stored copy must re-hash identically.
 * Object properties whose value is undefined are dropped, as JSON.stringify does.
 */
export function canonicalJson(value: unknown): string {
  try {
    return write(value);
  } catch (err) {
    // The fast writer keeps no path (building one per property was most of its allocation); a refused
    // value is rare, so the second walk that names where it is costs nothing on the append path.
    if (err === NOT_JSON) locate(value, "$");
    throw err;
  }
}

/** Thrown by {@link write} for a value JSON cannot round-trip; {@link locate} then says where. */
const NOT_JSON = new Error("not JSON");

function write(value: unknown): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "boolean":
      return value ? "true" : "false";
    case "number":
      if (!Number.isFinite(value)) throw NOT_JSON;
      return JSON.stringify(value);
    case "object": {
      if (Array.isArray(value)) {
        let s = "[";
        for (let i = 0; i < value.length; i++) s += (i ? "," : "") + write(value[i]);
        return s + "]";
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) throw NOT_JSON;
      const obj = value as Record<string, unknown>;
      let s = "{";
      let first = true;
      const keys = Object.keys(obj);
      if (keys.length > 1) keys.sort();
      for (const key of keys) {
        const v = obj[key];
        if (v === undefined) continue;
        s += (first ? "" : ",") + quotedKey(key) + write(v);
        first = false;
      }
      return s + "}";
    }
    default:
      throw NOT_JSON;
  }
}

/**
 * `"key":` for a property name. The log's payloads reuse a few dozen names millions of times; quoting
 * each once keeps the writer from allocating a string per property. Bounded, so arbitrary names
 * (a sheet's columns) cannot grow it without end.
 */
const KEYS = new Map<string, string>();
const MAX_KEYS = 4096;
function quotedKey(key: string): string {
  let q = KEYS.get(key);
  if (q === undefined) {
    q = JSON.stringify(key) + ":";
    if (KEYS.size < MAX_KEYS) KEYS.set(key, q);
  }
  return q;
}

/** The same walk as {@link write}, keeping the path, to throw the error that names the refused value. */
function locate(value: unknown, path: string): void {
  if (value === null) return;
  switch (typeof value) {
    case "string":
    case "boolean":
      return;
    case "number":
      if (!Number.isFinite(value)) throw new CanonicalJsonError(`${path}: ${value} is not representable in JSON`);
      return;
    case "object": {
      if (Array.isArray(value)) {
        value.forEach((v, i) => locate(v, `${path}[${i}]`));
        return;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) {
        throw new CanonicalJsonError(`${path}: only plain objects are JSON (got ${proto?.constructor?.name ?? "object"})`);
      }
      const obj = value as Record<string, unknown>;
      for (const key of Object.keys(obj).sort()) if (obj[key] !== undefined) locate(obj[key], `${path}.${key}`);
      return;
    }
    default:
      throw new CanonicalJsonError(`${path}: a ${typeof value} is not JSON`);
  }
}

export interface HashedFields {
  seq: number;
  at: string;
  actor: Actor;
  type: string;
  payload: unknown;
  planHash: string;
  assignment?: string | undefined;
}

// crypto.hash (Node 20.12+) hashes a string in one call, several times cheaper per event than a Hash
// object; engines allow Node 20.0, where only createHash exists. Both hash the UTF-8 bytes.
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: "hex") => string }).hash;

export function sha256Hex(text: string): string {
  return oneShot ? oneShot("sha256", text, "hex") : crypto.createHash("sha256").update(text, "utf8").digest("hex");
}

/** SHA-256 hex over prevHash + "\n" + canonical JSON of the event's fields. */
export function eventHash(prevHash: string, f: HashedFields): string {
  const fields = {
    seq: f.seq,
    at: f.at,
    actor: f.actor,
    type: f.type,
    payload: f.payload,
    planHash: f.planHash,
    // null rather than absent so "no assignment" is an explicit, hashed statement.
    assignment: f.assignment ?? null,
  };
  return sha256Hex(prevHash + "\n" + canonicalJson(fields));
}

/**
 * {@link eventHash} from parts already in canonical form (the stored actor and payload JSON): the same
 * bytes as canonicalJson of the fields, built without parsing and re-serialising them on every append.
 * Keys in canonical (sorted) order: actor, assignment, at, payload, planHash, seq, type.
 */
export function eventHashCanonical(prevHash: string, f: { seq: number; at: string; actorJson: string; type: string; payloadJson: string; planHash: string; assignment?: string | undefined }): string {
  const text =
    `{"actor":${f.actorJson},"assignment":${f.assignment === undefined ? "null" : JSON.stringify(f.assignment)},"at":${JSON.stringify(f.at)},` +
    `"payload":${f.payloadJson},"planHash":${JSON.stringify(f.planHash)},"seq":${JSON.stringify(f.seq)},"type":${JSON.stringify(f.type)}}`;
  return sha256Hex(prevHash + "\n" + text);
}

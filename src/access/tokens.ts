import { randomBytes, timingSafeEqual } from "node:crypto";
import { sha256Hex } from "../store/hash.ts";

/** 32 random bytes, URL-safe: access tokens, session ids and CSRF tokens. */
export function newToken(): string {
  return randomBytes(32).toString("base64url");
}

/**
 * Only hashes of tokens and session ids are stored, so a copy of the database signs nobody in.
 * A plain SHA-256 is enough: the inputs are 256-bit random values, not passwords.
 */
export function hashToken(token: string): string {
  return sha256Hex(token);
}

export function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a, "utf8");
  const y = Buffer.from(b, "utf8");
  return x.length === y.length && timingSafeEqual(x, y);
}

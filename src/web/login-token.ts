import { createHmac, timingSafeEqual } from "node:crypto";
import { newToken } from "../access/tokens.ts";

/** How long a sign-in form stays good. */
export const LOGIN_FORM_TTL_MS = 3600_000;

/**
 * The sign-in form's double-submit token, bound to the server: `<issued>.<nonce>.<HMAC>` under a secret
 * kept in the database (see AccessStore.secret). A cookie/field pair made up by someone else (planted by
 * a sibling site, say) carries no valid HMAC and signs nobody in.
 */
export function issueLoginToken(key: Buffer, wallNow: number): string {
  const body = `${wallNow}.${newToken()}`;
  return `${body}.${mac(key, body)}`;
}

export function validLoginToken(key: Buffer, token: string, wallNow: number): boolean {
  const m = /^(\d{1,16})\.([A-Za-z0-9_-]{43})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) return false;
  const issued = Number(m[1]);
  if (!(issued <= wallNow + 60_000 && wallNow - issued < LOGIN_FORM_TTL_MS)) return false;
  const want = Buffer.from(mac(key, `${m[1]}.${m[2]}`));
  const got = Buffer.from(m[3]!);
  return want.length === got.length && timingSafeEqual(want, got);
}

function mac(key: Buffer, body: string): string {
  return createHmac("sha256", key).update(`duban-login:${body}`).digest("base64url");
}

/** What a signed-in person may do beyond the plan's rules: see everything (office, auditor) or change nothing (auditor). */
export const ROLES = ["unit", "office", "auditor"] as const;
export type Role = (typeof ROLES)[number];

export interface User {
  name: string;
  /** A unit or person id from the plan: whom the user acts for. */
  unit: string;
  role: Role;
  createdAt: string;
  revokedAt?: string;
}

export interface Session {
  user: string;
  /** Sent back in a hidden field (forms) or the X-CSRF-Token header (fetch); never in a cookie. */
  csrf: string;
  /** Epoch ms, wall clock: sessions expire in real time even when a drill sets the campaign clock. */
  expiresAt: number;
}

export type AccessErrorCode = "USER_EXISTS" | "NO_SUCH_USER" | "ALREADY_REVOKED" | "BAD_NAME" | "BAD_ROLE" | "BAD_UNIT";

export class AccessError extends Error {
  constructor(
    readonly code: AccessErrorCode,
    message: string,
  ) {
    super(message);
  }
}

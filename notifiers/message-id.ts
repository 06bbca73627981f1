import { createHash } from "node:crypto";

/**
 * Derives the Message-ID from an idempotency key, so a retried or re-run reminder carries
 * the same id and every channel can recognise it as the same message.
 */
export function messageIdFromKey(key: string, domain = "duban"): string {
  const hash = createHash("sha256").update(key, "utf8").digest("hex").slice(0, 32);
  return `<${hash}@${domain}>`;
}

/** Hex sha256 of the message id: the short form names files and seeds MIME boundaries. */
export function messageIdHash(messageId: string): string {
  return createHash("sha256").update(messageId, "utf8").digest("hex");
}

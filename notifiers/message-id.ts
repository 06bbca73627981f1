import { createHash } from "node:crypto";

/**
 * Who sends: the domain of the sender's address and the store's id (EventStore.storeId). Both are part of
 * the Message-ID, so two deployments of one campaign (production and a staging copy) never send the same
 * Message-ID, while one store sends the same id on every retry and after every restart.
 */
export interface MessageIdentity {
  domain: string;
  store?: string;
}

/** The domain of a From value such as "督办系统 <duban@rsj.cq.gov.cn>"; undefined when it has none. */
export function senderDomain(from: string): string | undefined {
  const address = /<([^<>]+)>\s*$/.exec(from)?.[1] ?? from;
  const domain = /@([A-Za-z0-9.-]+)\s*$/.exec(address.trim())?.[1];
  return domain ? domain.toLowerCase() : undefined;
}

/**
 * Derives the Message-ID from an idempotency key, so a retried or re-run reminder carries
 * the same id and every channel can recognise it as the same message: "<hash.store@domain>".
 */
export function messageIdFromKey(key: string, identity: MessageIdentity | string = "duban"): string {
  const { domain, store } = typeof identity === "string" ? { domain: identity, store: undefined } : identity;
  const hash = createHash("sha256").update(key, "utf8").digest("hex").slice(0, 32);
  return `<${hash}${store ? `.${store}` : ""}@${domain}>`;
}

/** Hex sha256 of the message id: the short form names files and seeds MIME boundaries. */
export function messageIdHash(messageId: string): string {
  return createHash("sha256").update(messageId, "utf8").digest("hex");
}

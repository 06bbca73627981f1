/** A unit or person the plan addresses; channels pick the fields they can use. */
export interface Recipient {
  /** Unit or person id from the plan. */
  id: string;
  /** Chinese display name, e.g. "渝中区人力社保局". */
  name: string;
  email?: string[];
  /** Ids of configured webhook endpoints (see WebhookEndpoint). */
  webhooks?: string[];
}

export interface OutgoingMessage {
  /** Stable id derived from an idempotency key, the store id and the sender's domain, e.g. "<3f2a….9c1d…@rsj.cq.gov.cn>"; see messageIdFromKey. */
  messageId: string;
  to: Recipient;
  cc?: Recipient[];
  /** Chinese subject line. */
  subject: string;
  text: string;
  html: string;
  /** Markdown body for chat robots; derived from subject + text when absent. */
  markdown?: string;
  headers?: Record<string, string>;
  /** ISO timestamp of the message; lets simulated runs carry their own clock. */
  date?: string;
}

export type DeliveryResult =
  | { ok: true; channel: string; providerId?: string; detail?: string }
  | {
      ok: false;
      channel: string;
      retryable: boolean;
      error: string;
      code: string;
      /**
       * Epoch ms before which a retry is pointless (a robot's rate window or block ends then); the dispatcher
       * retries at that instant instead of after its backoff. Nothing was delivered on this channel.
       */
      retryAt?: number;
    };

export interface Notifier {
  readonly channel: string;
  /**
   * How many messages this channel can carry at once (the SMTP pool's connections). The dispatcher claims
   * no more than that, so a crash leaves only the messages really in flight leased.
   */
  readonly concurrency?: number;
  /** Never rejects for a delivery failure: failures come back as `ok: false`. */
  send(msg: OutgoingMessage): Promise<DeliveryResult>;
  close?(): Promise<void>;
}

export type DeliveryFailure = Extract<DeliveryResult, { ok: false }>;

export function failure(channel: string, code: string, error: string, retryable: boolean): DeliveryFailure {
  return { ok: false, channel, retryable, error, code };
}

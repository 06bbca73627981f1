import type { EventStore } from "../store/store.ts";

export interface Delivery {
  status: "sent" | "failed" | "retrying";
  at: string;
  channels: string[];
}

/**
 * Delivery outcomes by outbox key (`campaign/recipient/slot`), folded from the log's delivered /
 * deliveryFailed / deliveryRetry events. Kept in memory and caught up incrementally, so an item page
 * does not scan the whole log. Error texts are left out: a transport error can name a mail server.
 */
export class DeliveryIndex {
  private seq = 0;
  private readonly byKey = new Map<string, Delivery>();

  async catchUp(store: EventStore): Promise<void> {
    for await (const e of store.read({ fromSeq: this.seq + 1 })) {
      this.seq = e.seq;
      const p = e.payload as { key?: string; channels?: string[]; channel?: string; final?: boolean };
      if (typeof p?.key !== "string") continue;
      if (e.type === "delivered") this.byKey.set(p.key, { status: "sent", at: e.at, channels: p.channels ?? [] });
      else if (e.type === "deliveryFailed" || e.type === "deliveryRetry")
        this.byKey.set(p.key, { status: e.type === "deliveryFailed" ? "failed" : "retrying", at: e.at, channels: p.channel ? [p.channel] : [] });
    }
  }

  get(key: string): Delivery | undefined {
    return this.byKey.get(key);
  }
}

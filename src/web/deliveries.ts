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
  /** Per recipient, the send slots of its messages (ascending), to find the one a reminder went into. */
  private readonly slots = new Map<string, { ms: number; key: string }[]>();

  private remember(key: string): void {
    const [, recipient, slot] = key.split("/");
    const ms = slot ? Date.parse(slot) : Number.NaN;
    if (!recipient || Number.isNaN(ms)) return; // not a reminder (e.g. the office's daily summary)
    const list = this.slots.get(recipient) ?? this.slots.set(recipient, []).get(recipient)!;
    if (list.some((x) => x.key === key)) return;
    list.push({ ms, key });
    if (list.length > 1 && list[list.length - 2]!.ms > ms) list.sort((a, b) => a.ms - b.ms);
  }

  /**
   * The delivery of the message that carried a reminder fired at `at` to `recipient`: its first message
   * sent at or after that instant. A tick collapses what fell due since the last one into one message per
   * recipient, dated at the tick's send time, and messages go out in that order.
   */
  forReminder(recipient: string, at: number): Delivery | undefined {
    const list = this.slots.get(recipient);
    if (!list) return undefined;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]!.ms < at) lo = mid + 1;
      else hi = mid;
    }
    const hit = list[lo];
    return hit && this.byKey.get(hit.key);
  }

  async catchUp(store: EventStore): Promise<void> {
    for await (const e of store.read({ fromSeq: this.seq + 1 })) {
      this.seq = e.seq;
      const p = e.payload as { key?: string; channels?: string[]; channel?: string; final?: boolean };
      if (typeof p?.key !== "string") continue;
      this.remember(p.key);
      if (e.type === "delivered") this.byKey.set(p.key, { status: "sent", at: e.at, channels: p.channels ?? [] });
      else if (e.type === "deliveryFailed" || e.type === "deliveryRetry")
        this.byKey.set(p.key, { status: e.type === "deliveryFailed" ? "failed" : "retrying", at: e.at, channels: p.channel ? [p.channel] : [] });
    }
  }
}

import type { EventStore } from "../store/store.ts";
import type { SentSettle, StoredEvent } from "../store/types.ts";

interface Waiting {
  settle: SentSettle;
  resolve: (e: StoredEvent | undefined) => void;
  reject: (err: unknown) => void;
  /** The same settle on its own, when the batch as a whole could not be written. */
  alone: () => Promise<StoredEvent | undefined>;
}

/**
 * Group commit of deliveries: the messages of a window that finish in the same turn of the event loop are
 * marked sent in one transaction (EventStore.markSentMany) instead of one each. Nothing waits to fill a
 * batch, so no message stays unrecorded longer than one turn after its send: a crash still resends at
 * most the messages in flight. Each settle keeps its own claim's fencing; a refused one rejects alone.
 */
export class SettleBatch {
  private waiting: Waiting[] = [];
  private scheduled = false;

  constructor(private readonly store: EventStore) {}

  /** Resolves with the `delivered` event once the batch holding this settle is committed. */
  markSent(settle: SentSettle, alone: () => Promise<StoredEvent | undefined>): Promise<StoredEvent | undefined> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ settle, resolve, reject, alone });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    const batch = this.waiting;
    this.waiting = [];
    if (batch.length === 1) return this.one(batch[0]!);
    let outcomes;
    try {
      outcomes = await this.store.markSentMany(batch.map((w) => w.settle));
    } catch {
      // The batch as a whole failed (another writer's later instant, a lost connection): each settle goes
      // on its own, with the per-message handling of those cases.
      for (const w of batch) void this.one(w);
      return;
    }
    outcomes.forEach((o, k) => ("event" in o ? batch[k]!.resolve(o.event) : batch[k]!.reject(o.error)));
  }

  private async one(w: Waiting): Promise<void> {
    try {
      w.resolve(await w.alone());
    } catch (err) {
      w.reject(err);
    }
  }
}

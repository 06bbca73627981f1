import type { ReminderIntent } from "./types.ts";

/**
 * Adds intents to a list, one message per recipient and send time: an intent with a key already in the
 * list joins that message (its items by item id, the later one winning) instead of becoming a second one
 * under the same idempotency key.
 */
export function mergeReminders(into: ReminderIntent[], more: readonly ReminderIntent[]): void {
  for (const r of more) {
    const same = into.findIndex((x) => x.key === r.key);
    if (same < 0) {
      into.push(r);
      continue;
    }
    const items = [...into[same]!.items.filter((i) => !r.items.some((j) => j.assignment === i.assignment)), ...r.items].sort((x, y) => (x.assignment < y.assignment ? -1 : 1));
    into[same] = { ...r, kind: items.some((i) => i.level > 0) ? "escalation" : "reminder", items };
  }
}

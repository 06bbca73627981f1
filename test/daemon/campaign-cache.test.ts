import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CampaignCache, type Opened } from "../../src/daemon/campaign-slot.ts";

/** Stand-ins for opened campaigns: the cache only keeps and drops them. */
const opened = (id: string) => ({ id }) as unknown as Opened;

describe("the store daemon's cache of opened campaigns", () => {
  it("never holds more than its capacity, in use or idle, and keeps the most recently used", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 4 }), fc.array(fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 4 }), { maxLength: 30 }), async (capacity, rounds) => {
        const cache = new CampaignCache(capacity);
        let live = 0;
        let peak = 0;
        const opens: string[] = [];
        for (const round of rounds) {
          // A round of cycles running at once, as the campaign daemons' cycles do.
          await Promise.all(
            round.map((n) =>
              cache.use(
                `c${n}`,
                async () => (opens.push(`c${n}`), opened(`c${n}`)),
                async () => {
                  live++;
                  peak = Math.max(peak, live, cache.size);
                  await new Promise((r) => setImmediate(r));
                  live--;
                },
              ),
            ),
          );
          expect(cache.size).toBeLessThanOrEqual(capacity);
          const last = round.at(-1)!;
          expect(cache.has(`c${last}`)).toBe(true);
        }
        expect(peak).toBeLessThanOrEqual(capacity);
      }),
      { numRuns: 60 },
    );
  });

  it("opens a campaign again only after it was dropped", async () => {
    const cache = new CampaignCache(2);
    const opens: string[] = [];
    const use = (id: string) => cache.use(id, async () => (opens.push(id), opened(id)), async () => {});
    for (const id of ["a", "b", "a", "c", "a", "b"]) await use(id);
    // c dropped b (least recently used), so b is opened again at the end; a stayed.
    expect(opens).toEqual(["a", "b", "c", "b"]);
  });
});

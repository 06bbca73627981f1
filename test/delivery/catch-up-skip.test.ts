import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createNotifiers } from "../../notifiers/index.ts";
import { Campaign } from "../../src/campaign/campaign.ts";
import { runCycle } from "../../src/daemon/cycle.ts";
import { Dispatcher } from "../../src/dispatch/dispatcher.ts";
import { openStore } from "../../src/store/open.ts";
import { cst } from "../helpers.ts";
import { tempDir } from "./support.ts";

describe("--catch-up skip", () => {
  it("does not send what fell due longer ago than the window, records why, and sends the rest", async () => {
    const dir = tempDir("duban-skip-");
    const store = await openStore(join(dir, "c.db"));
    const c = await Campaign.init(store, "plans/chongqing-2021.yaml", cst("2021-04-28T10:00"));
    // Queued on 05-17, then the daemon was down until 05-21.
    await c.tick(cst("2021-05-17T09:00"));
    const notifiers = createNotifiers({ emlDir: join(dir, "eml") });
    const r = await runCycle(c, new Dispatcher(c, notifiers, { skipOlderThanMs: 72 * 3_600_000 }), cst("2021-05-21T09:30"));
    expect(r.dispatch.failed).toBe(38);
    // Today's catch-up digests (one per recipient) and the office's summary go out.
    expect(r.dispatch.sent).toBe(r.queued + 1);
    expect(readdirSync(join(dir, "eml"))).toHaveLength(r.queued + 1);
    const failed = await store.listOutbox({ status: "failed", limit: 100 });
    expect(failed).toHaveLength(38);
    expect(failed.every((f) => f.key.endsWith("/2021-05-17T09:00:00+08:00"))).toBe(true);
    expect(failed[0]!.lastError).toBe("SKIPPED_AFTER_DOWNTIME: 应于 2021-05-17 周一 09:00 发出，系统停机期间已超过 72 小时，按补发规则不再发送");
    await notifiers.close();
    await store.close();
  });
});

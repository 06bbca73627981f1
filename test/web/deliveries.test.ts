import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createNotifiers } from "../../notifiers/index.ts";
import { Campaign } from "../../src/campaign/campaign.ts";
import { Dispatcher } from "../../src/dispatch/dispatcher.ts";
import { openStore } from "../../src/store/open.ts";
import { DeliveryIndex } from "../../src/web/deliveries.ts";
import { cst } from "../helpers.ts";
import { tempDir } from "../delivery/support.ts";

describe("which message carried a reminder", () => {
  it("finds it after downtime, when reminders of several days went out in one digest", async () => {
    const dir = tempDir("duban-deliveries-");
    const store = await openStore(join(dir, "c.db"));
    const c = await Campaign.init(store, "plans/chongqing-2021.yaml", cst("2021-04-28T10:00"));
    const notifiers = createNotifiers({ emlDir: join(dir, "eml") });
    const dispatcher = new Dispatcher(c, notifiers);
    await c.tick(cst("2021-05-17T09:00"));
    await dispatcher.dispatchDue(cst("2021-05-17T09:00"));
    // Down from 05-17 to 05-27: one catch-up tick, one digest per recipient dated 05-27 09:00, not sent yet.
    await c.tick(cst("2021-05-27T12:00"));
    const index = new DeliveryIndex();
    await index.catchUp(store);
    expect(index.forReminder("yuzhong", cst("2021-05-17T09:00"))).toMatchObject({ status: "sent", channels: ["eml"] });
    expect(index.forReminder("yuzhong", cst("2021-05-21T09:00"))).toBeUndefined();
    await dispatcher.dispatchDue(cst("2021-05-27T12:00"));
    await index.catchUp(store);
    // Fired on 05-21, 05-24 and 05-27: all went out in the 05-27 digest.
    for (const at of ["2021-05-21T09:00", "2021-05-24T09:00", "2021-05-27T09:00"]) expect(index.forReminder("yuzhong", cst(at))).toMatchObject({ status: "sent", at: "2021-05-27T12:00:00+08:00" });
    expect(index.forReminder("yuzhong", cst("2021-05-28T09:00"))).toBeUndefined();
    await notifiers.close();
    await store.close();
  });
});

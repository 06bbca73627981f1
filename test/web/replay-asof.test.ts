import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { phaseOf } from "../../src/plan/phase-of.ts";
import { assignmentsById } from "../../src/plan/ids.ts";
import { cst } from "../helpers.ts";
import { Client, startFixture, type Fixture } from "./setup.ts";

let f: Fixture;
let office: Client;
beforeAll(async () => {
  f = await startFixture();
  // Move on to the concentrated phase, where the task assignments fall.
  f.clock.now = cst("2021-08-02T10:00");
  await f.campaign.tick(f.clock.now);
  office = new Client(f.server.url);
  expect((await office.signIn(f.tokens.office)).status).toBe(303);
});
afterAll(async () => f?.close());

describe("web replay (issue 11, section 1)", () => {
  it("counts items per phase by the board's rule, task assignments included", async () => {
    const asOf = "2021-08-02T10:00";
    const page = await (await office.fetch(`/replay?asOf=${asOf}`)).text();
    const plan = f.campaign.plan;
    const byId = assignmentsById(plan);
    for (const p of plan.phases) {
      const total = plan.assignments.filter((a) => phaseOf(plan, byId.get(a.id)!) === p.id).length;
      expect(page).toContain(`<tr><th>${p.name}</th><td>${total}</td>`);
    }
    // The task items are counted in their phase (the replay page once dropped all 211 of them).
    const concentrated = plan.phases.find((p) => plan.assignments.some((a) => a.kind === "task" && phaseOf(plan, byId.get(a.id)!) === p.id));
    expect(concentrated).toBeDefined();
  });

  it("opens each cell's item as of the replay instant, read-only, with the trail up to then", async () => {
    const page = await (await office.fetch("/replay?asOf=2021-05-18T12:00")).text();
    const href = /href="(\/items\/implementation-plan\/yuzhong\?asOf=[^"]+)"/.exec(page)?.[1];
    expect(href).toBe(`/items/implementation-plan/yuzhong?asOf=${encodeURIComponent("2021-05-18T12:00:00+08:00")}`);
    // Handed in after the replay instant: as of then it was still open, with no hand-in in its trail.
    f.clock.now = cst("2021-08-03T10:00");
    const yuzhong = new Client(f.server.url);
    await yuzhong.signIn(f.tokens.yuzhong);
    const res = await yuzhong.fetch("/api/items/implementation-plan/yuzhong/submit", { method: "POST", headers: { "x-csrf-token": yuzhong.csrf, "content-type": "application/json" }, body: JSON.stringify({ note: "迟交" }) });
    expect(res.status).toBeLessThan(300);
    const then = await (await office.fetch(href!.replace(/&amp;/g, "&"))).text();
    expect(then).toContain("以下为 2021-05-18 12:00:00+08:00 时的状态与经过");
    expect(then).toContain("办理中");
    expect(then).not.toContain("迟交");
    expect(then).not.toContain("<h2>办理</h2>");
    const today = await (await office.fetch("/items/implementation-plan/yuzhong")).text();
    expect(today).toContain("迟交");
  });

  it("refuses a replay before the store's first event, saying when it begins", async () => {
    const res = await office.fetch("/api/replay?asOf=2021-04-01T09:00%2B08:00");
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: "BEFORE_FIRST_EVENT", message: expect.stringContaining("此存储的记录始于 2021-04-28T10:00:00+08:00") });
  });
});

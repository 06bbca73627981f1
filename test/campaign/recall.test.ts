import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { Campaign } from "../../src/campaign/campaign.ts";
import { main } from "../../src/cli/main.ts";
import { SqliteStore } from "../../src/store/sqlite.ts";
import { renderRefusal } from "../../src/text/refusals.ts";
import { captureIo, cst } from "../helpers.ts";

/** 撤回: a unit takes back its hand-in while it waits for review, to correct it (issue 13, the unit's page). */
let db = "";
async function duban(...args: string[]) {
  const io = captureIo();
  const code = await main(["node", "duban", "--db", db, ...args], io);
  return { code, out: io.stdout, err: io.stderr };
}

beforeAll(async () => {
  db = join(mkdtempSync(join(tmpdir(), "duban-recall-")), "c.db");
  expect((await duban("--now", "2021-04-28T10:00+08:00", "init", "plans/chongqing-2021.yaml")).code).toBe(0);
});

async function rowOf(id: string, at: string) {
  const store = new SqliteStore(db);
  try {
    const c = await Campaign.open(store);
    return { row: c.row(id, cst(at))!, history: await c.history(id) };
  } finally {
    await store.close();
  }
}

describe("recall (撤回报送)", () => {
  it("takes a submission back to owed, recorded with its reason; the unit hands in again", async () => {
    expect((await duban("--now", "2021-05-18T10:00+08:00", "submit", "implementation-plan/yuzhong", "--as", "yuzhong", "--note", "初稿")).code).toBe(0);
    const r = await duban("--now", "2021-05-18T11:00+08:00", "recall", "implementation-plan/yuzhong", "--as", "yuzhong", "--note", "附件有误");
    expect(r.err).toBe("");
    expect(r.out).toMatch(/^已撤回：implementation-plan\/yuzhong（第 \d+ 条/);
    const { row, history } = await rowOf("implementation-plan/yuzhong", "2021-05-18T11:00");
    expect(row.state).toBe("open");
    expect(row.submittedAt).toBeUndefined();
    const e = history.find((x) => x.type === "recalled")!;
    expect(e).toMatchObject({ actor: { kind: "unit", unit: "yuzhong" }, payload: { note: "附件有误" } });
    expect((await duban("--now", "2021-05-18T14:00+08:00", "submit", "implementation-plan/yuzhong", "--as", "yuzhong", "--note", "更正稿")).code).toBe(0);
    expect((await rowOf("implementation-plan/yuzhong", "2021-05-18T14:00")).row).toMatchObject({ state: "submitted", submittedAt: "2021-05-18T14:00:00+08:00" });
  });

  it("keeps a returned item returned, and lets the ladder run again once it is owed", async () => {
    expect((await duban("--now", "2021-05-18T15:00+08:00", "submit", "self-inspection-report/fuling", "--as", "fuling")).code).toBe(0);
    expect((await duban("--now", "2021-05-18T16:00+08:00", "return", "self-inspection-report/fuling", "--as", "liu-qingqing", "--note", "请补充台账")).code).toBe(0);
    expect((await duban("--now", "2021-05-19T10:00+08:00", "submit", "self-inspection-report/fuling", "--as", "fuling")).code).toBe(0);
    expect((await duban("--now", "2021-05-19T11:00+08:00", "recall", "self-inspection-report/fuling", "--as", "fuling")).code).toBe(0);
    expect((await rowOf("self-inspection-report/fuling", "2021-05-19T11:00")).row.state).toBe("returned");
    // Still owed after the deadline: it is overdue and reminded like any item not handed in.
    expect((await duban("--now", "2021-05-21T09:30+08:00", "tick")).code).toBe(0);
    const { row, history } = await rowOf("self-inspection-report/fuling", "2021-05-21T09:30");
    expect(row).toMatchObject({ state: "returned", late: true });
    const recalledAt = history.findIndex((x) => x.type === "recalled");
    expect(history.slice(recalledAt).some((x) => x.type === "overdue" || x.type === "reminded")).toBe(true);
  });

  it("is only for the unit that handed it in, and only while it waits for review", async () => {
    expect((await duban("--now", "2021-05-21T10:00+08:00", "submit", "implementation-plan/fuling", "--as", "fuling")).code).toBe(0);
    const other = await duban("--now", "2021-05-21T10:05+08:00", "recall", "implementation-plan/fuling", "--as", "yuzhong");
    expect(other.code).toBe(1);
    expect(other.err).toContain("渝中区人力社保局无权撤回：只有责任单位涪陵区人力社保局可以撤回“专项整治具体实施方案” [NOT_PERMITTED]");
    expect((await duban("--now", "2021-05-21T10:10+08:00", "accept", "implementation-plan/fuling", "--as", "liu-qingqing")).code).toBe(0);
    const late = await duban("--now", "2021-05-21T10:20+08:00", "recall", "implementation-plan/fuling", "--as", "fuling");
    expect(late.code).toBe(1);
    expect(late.err).toContain("当前状态为已通过，不能撤回 [WRONG_STATE]");
    const never = await duban("--now", "2021-05-21T10:30+08:00", "recall", "implementation-plan/wanzhou", "--as", "wanzhou");
    expect(never.err).toContain("当前状态为办理中，不能撤回 [WRONG_STATE]");
  });

  it("replays to the same state from the log alone, and the chain verifies", async () => {
    const store = new SqliteStore(db);
    try {
      const live = await Campaign.open(store);
      const at = cst("2021-05-21T11:00");
      const replayed = await live.boardAsOf(at);
      const now = live.board(at);
      for (const id of ["implementation-plan/yuzhong", "self-inspection-report/fuling", "implementation-plan/fuling"]) {
        expect(replayed.rows.find((r) => r.id === id)).toMatchObject({ state: now.find((r) => r.id === id)!.state });
      }
    } finally {
      await store.close();
    }
    expect((await duban("verify")).code).toBe(0);
  });
});

describe("refusals name each unit once (issue 13)", () => {
  it("a recipient that is also the lead, or the office, is named once", async () => {
    const store = new SqliteStore(db);
    try {
      const plan = (await Campaign.open(store)).plan;
      const base = { action: "accept", title: "推进情况", actor: "yuzhong", unit: "yuzhong" };
      const refuse = (who: string[]) => renderRefusal(plan, { code: "NOT_PERMITTED", params: { ...base, rule: "recipientOrLead", who } });
      expect(refuse(["legal", "legal"])).toBe("渝中区人力社保局无权通过：只有接收单位法规处或领导小组办公室可以通过“推进情况”");
      // The office sits in 人力资源流动管理处 (flow): that unit is the office, named once, as the office.
      expect(plan.leadingGroup.office.unit).toBe("flow");
      expect(refuse(["flow", "flow"])).toBe("渝中区人力社保局无权通过：只有领导小组办公室可以通过“推进情况”");
      expect(refuse(["flow", "labour-relations"])).toBe("渝中区人力社保局无权通过：只有牵头单位劳动关系处或领导小组办公室可以通过“推进情况”");
      expect(refuse(["legal", "labour-relations"])).toBe("渝中区人力社保局无权通过：只有接收单位法规处、牵头单位劳动关系处或领导小组办公室可以通过“推进情况”");
    } finally {
      await store.close();
    }
  });
});

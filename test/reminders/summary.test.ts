import { simpleParser } from "mailparser";
import { describe, expect, it } from "vitest";
import { Engine } from "../../src/engine/engine.ts";
import { composeDailySummary, type DailySummaryInput } from "../../src/reminders/summary.ts";
import { messageIdFromKey } from "../../notifiers/message-id.ts";
import { buildRawMessage } from "../../notifiers/rfc822.ts";
import { chongqing, cst } from "../helpers.ts";

const plan = chongqing();
const HASH = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

/** The board at 2021-05-27 17:00 after two districts submitted the plan and the office accepted one. */
function input(): { engine: Engine; input: DailySummaryInput } {
  const engine = new Engine(plan);
  engine.tick(cst("2021-05-24T09:00"));
  const submit = (unit: string) => engine.step({ type: "submit", assignment: `implementation-plan/${unit}`, actor: { kind: "unit", unit } }, cst("2021-05-24T10:00"));
  submit("yuzhong");
  submit("jiangbei");
  engine.step({ type: "accept", assignment: "implementation-plan/yuzhong", actor: { kind: "unit", unit: "flow" } }, cst("2021-05-24T11:00"));
  engine.tick(cst("2021-05-27T17:00"));
  const rows = engine.views().map((v) => ({ assignment: v.assignment, progress: v.progress, lateness: v.lateness, level: v.context.level, late: v.context.late }));
  return {
    engine,
    input: {
      at: cst("2021-05-27T17:00"),
      rows,
      failedDeliveries: [{ key: "cq-labour-intermediary-2021/wanzhou/2021-05-27T09:00:00+08:00", recipient: "wanzhou", error: "SMTP 550 <mailbox> unavailable" }],
      head: { seq: 1234, hash: HASH },
    },
  };
}

describe("composeDailySummary", () => {
  const { engine, input: data } = input();
  const m = composeDailySummary(plan, data, { calendar: engine.calendar });

  it("is addressed to the office under a key per day", () => {
    expect(m.to.id).toBe("flow");
    expect(m.messageId).toBe(messageIdFromKey("cq-labour-intermediary-2021/summary/2021-05-27"));
    expect(m.headers?.["X-Duban-Key"]).toBe("cq-labour-intermediary-2021/summary/2021-05-27");
    expect(m.subject).toBe("【督办日报】重庆市劳务中介专项整治行动 2021年5月27日（周四）：74项逾期");
    expect(m.text).toContain("领导小组办公室：");
  });

  it("counts per phase and per deliverable", () => {
    expect(m.text).toContain("自查阶段：总数 76，已报送 2，已通过 1，逾期 74");
    expect(m.text).toContain("专项整治具体实施方案（截止 2021年5月20日（周四）18:00）：总数 38，已报送 2，已通过 1，逾期 36");
    expect(m.text).toContain("人力资源服务机构、劳务派遣机构自查自纠情况（截止 2021年5月20日（周四）18:00）：总数 38，已报送 0，已通过 0，逾期 38");
    expect(m.text).toContain(`合计：总数 ${plan.assignments.length}，已报送 2，已通过 1，逾期 74`);
  });

  it("lists the overdue units per deliverable with their ladder step", () => {
    const section = m.text.slice(m.text.indexOf("三、逾期单位"), m.text.indexOf("四、"));
    expect(section).toContain("第三级督办：已告知何振国");
    expect(section).toContain("逾期单位（36个）：");
    expect(section).not.toContain("渝中区人力社保局");
    expect(section).toContain("逾期单位（38个）：各区县（自治县）人力社保部门（38）");
  });

  it("shows failed deliveries and the log head with how to verify it", () => {
    expect(m.text).toContain("万州区人力社保局：SMTP 550 <mailbox> unavailable");
    expect(m.html).toContain("SMTP 550 &lt;mailbox&gt; unavailable");
    expect(m.text).toContain(`日志头：第1234条 ${HASH}`);
    expect(m.text).toContain(`duban verify --head ${HASH}`);
    expect(m.html).toContain(HASH);
    expect(m.markdown).toContain(`日志头：第1234条 ${HASH}`);
  });

  it("says so when nothing is overdue or failed, and parses back as mail", async () => {
    const quiet = composeDailySummary(plan, { ...data, rows: data.rows.filter((r) => r.assignment.phase !== "self-inspection"), failedDeliveries: [] }, { calendar: engine.calendar });
    expect(quiet.subject).toBe("【督办日报】重庆市劳务中介专项整治行动 2021年5月27日（周四）");
    expect(quiet.text).toContain("三、逾期单位\n  无");
    expect(quiet.text).toContain("四、发送失败的消息\n  无");
    const parsed = await simpleParser(await buildRawMessage(m));
    expect(parsed.subject).toBe(m.subject);
  });
});

describe("the daily summary past the years of holiday data", () => {
  const { engine, input: data } = input();

  it("warns the office and names the plan keys that add the year's holidays and make-up days", () => {
    // This plan version was resolved with the data for 2021 and 2022 only.
    const late = composeDailySummary(plan, { ...data, at: cst("2023-01-04T09:00") }, { calendar: engine.calendar });
    for (const body of [late.text, late.markdown!, late.html]) {
      expect(body).toContain("节假日数据不含 2023 年");
      expect(body).toContain("calendar.holidays");
      expect(body).toContain("calendar.workdays");
    }
  });

  it("says nothing while the data covers the day", () => {
    const m = composeDailySummary(plan, data, { calendar: engine.calendar });
    expect(m.text).not.toContain("节假日数据不含");
    expect(m.html).not.toContain("节假日数据不含");
  });
});

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { simpleParser } from "mailparser";
import { describe, expect, it } from "vitest";
import { Engine } from "../../src/engine/engine.ts";
import type { ReminderIntent } from "../../src/engine/types.ts";
import type { ResolvedPlan } from "../../src/plan/types.ts";
import { composeReminder } from "../../src/reminders/compose.ts";
import { remainingZh } from "../../src/reminders/format.ts";
import { loadTemplates } from "../../src/reminders/templates.ts";
import { messageIdFromKey } from "../../notifiers/message-id.ts";
import { buildRawMessage } from "../../notifiers/rfc822.ts";
import { chongqing, cst } from "../helpers.ts";

const plan = chongqing();

/** The intents a fresh engine gives at one tick, by recipient. */
function intentsAt(local: string, engine = new Engine(plan)): { engine: Engine; by: (id: string) => ReminderIntent } {
  const reminders = engine.tick(cst(local)).reminders;
  return {
    engine,
    by(id) {
      const r = reminders.find((x) => x.recipient === id);
      if (!r) throw new Error(`no reminder for ${id} at ${local}`);
      return r;
    },
  };
}

const withoutBaseUrl = (p: ResolvedPlan): ResolvedPlan => ({ ...p, campaign: { ...p.campaign, baseUrl: undefined } });

describe("composeReminder: district reminders", () => {
  const { engine, by } = intentsAt("2021-05-17T09:00");
  const intent = by("yuzhong");
  const msg = composeReminder(plan, intent, { calendar: engine.calendar });

  it("digests both items of the district 3 working days ahead", () => {
    expect(intent.items).toHaveLength(2);
    expect(msg.subject).toBe("【督办提醒】2项报送事项 5月20日（周四）18:00 到期");
    expect(msg.text).toContain("渝中区人力社保局：");
    // Within the policy's dueSoon window: the line carries the board's yellow light.
    expect(msg.text).toContain("1. 【黄灯】专项整治具体实施方案");
    expect(msg.text).toContain("2. 【黄灯】人力资源服务机构、劳务派遣机构自查自纠情况");
    expect(msg.text).toContain("截止时间：2021年5月20日（周四）18:00（还有3个工作日）");
    expect(msg.text).toContain("督办环节：到期前3个工作日提醒");
    expect(msg.text).toContain("办理入口：http://localhost:8080/items/implementation-plan/yuzhong");
    expect(msg.text).toContain("重庆市劳务中介专项整治行动\n领导小组办公室");
  });

  it("addresses the unit from the plan and carries the key", () => {
    expect(msg.to).toEqual({ id: "yuzhong", name: "渝中区人力社保局", email: ["yuzhong@example.gov.cn"] });
    expect(msg.messageId).toBe(messageIdFromKey(intent.key));
    expect(msg.date).toBe("2021-05-17T09:00:00+08:00");
    expect(msg.headers?.["X-Duban-Key"]).toBe("cq-labour-intermediary-2021/yuzhong/2021-05-17T09:00:00+08:00");
    expect(msg.markdown).toContain("**【督办提醒】2项报送事项 5月20日（周四）18:00 到期**");
  });

  it("names the item in the subject when there is only one", () => {
    const one = { ...intent, items: intent.items.slice(0, 1) };
    expect(composeReminder(plan, one, { calendar: engine.calendar }).subject).toBe("【督办提醒】专项整治具体实施方案 5月20日（周四）18:00 到期");
  });

  it("says whom to hand in to when there is no web front end", () => {
    const m = composeReminder(withoutBaseUrl(plan), intent, { calendar: engine.calendar });
    expect(m.text).toContain("请于2021年5月20日（周四）18:00前报送领导小组办公室（事项编号：implementation-plan/yuzhong）");
    expect(m.text).not.toContain("duban submit");
    expect(m.text).not.toContain("http");
    expect(m.html).not.toContain("href");
    const linked = composeReminder(withoutBaseUrl(plan), intent, { calendar: engine.calendar, baseUrl: "https://duban.example.gov.cn/" });
    expect(linked.text).toContain("https://duban.example.gov.cn/units/yuzhong");
  });

  it("tells an overdue district it is late, and that the office was told at the same time", () => {
    const m = composeReminder(plan, intentsAt("2021-05-21T09:00", engine).by("yuzhong"), { calendar: engine.calendar });
    expect(m.subject).toBe("【逾期督办】2项报送事项 已逾期1个工作日");
    expect(m.text).toContain("（已逾期1个工作日）");
    expect(m.text).toContain("督办环节：逾期催报（每个工作日一次）");
    expect(m.text).toContain("同时告知：领导小组办公室");
    expect(m.text).toContain("办理方式：请尽快报送");
  });
});

describe("composeReminder: escalations", () => {
  it("gives the group leader a level-3 digest listing the 38 districts as one group", () => {
    const { engine, by } = intentsAt("2021-05-27T09:00");
    const intent = by("he-zhenguo");
    expect(intent.items).toHaveLength(76);
    const m = composeReminder(plan, intent, { calendar: engine.calendar });
    expect(m.subject).toBe("【逾期督办·三级】38个单位2项报送事项逾期");
    expect(m.to).toEqual({ id: "he-zhenguo", name: "何振国", email: ["he-zhenguo@example.gov.cn"] });
    expect(m.text).toContain("何振国同志：");
    expect(m.text).toContain("以下38个单位的2项报送事项已逾期未报送，按督办规则进入第三级督办");
    expect(m.text.match(/责任单位：各区县（自治县）人力社保部门（38）/g)).toHaveLength(2);
    expect(m.text).toContain("（已逾期5个工作日）");
    expect(m.text).toContain("督办环节：第三级督办：已告知何振国");
    expect(m.text).not.toContain("渝中区");
    expect(m.html).toContain("各区县（自治县）人力社保部门（38）");
  });

  it("names level 2 and the office at +3 working days", () => {
    const engine = new Engine(plan);
    engine.tick(cst("2021-05-24T09:00"));
    const m = composeReminder(plan, intentsAt("2021-05-25T09:00", engine).by("flow"), { calendar: engine.calendar });
    expect(m.subject).toBe("【逾期督办·二级】38个单位2项报送事项逾期");
    expect(m.text).toContain("领导小组办公室：");
    expect(m.text).toContain("督办环节：第二级督办：已告知领导小组办公室");
    expect(m.text).toContain("（已逾期3个工作日）");
  });

  it("lists only the units still owing after some have submitted", () => {
    const engine = new Engine(plan);
    engine.tick(cst("2021-05-26T09:00"));
    for (const unit of ["yuzhong", "jiangbei"]) engine.step({ type: "submit", assignment: `implementation-plan/${unit}`, actor: { kind: "unit", unit } }, cst("2021-05-26T10:00"));
    const m = composeReminder(plan, intentsAt("2021-05-27T09:00", engine).by("he-zhenguo"), { calendar: engine.calendar });
    expect(m.subject).toBe("【逾期督办·三级】38个单位2项报送事项逾期");
    const first = m.text.slice(m.text.indexOf("1. 【红灯】专项整治具体实施方案"), m.text.indexOf("2. "));
    expect(first).toContain("万州区人力社保局");
    expect(first).not.toContain("渝中区人力社保局");
    expect(first).not.toContain("（38）");
    expect(m.text).toContain("责任单位：各区县（自治县）人力社保部门（38）");
  });
});

describe("composeReminder: working days across holidays", () => {
  it("counts 3 working days from 2021-06-09 to 2021-06-15 over the Dragon Boat Festival", () => {
    const engine = new Engine(plan);
    engine.tick(cst("2021-06-08T09:00"));
    const intent = intentsAt("2021-06-09T09:00", engine).by("yuzhong");
    const item = intent.items.find((i) => i.assignment === "progress-report/yuzhong");
    expect(item?.step).toBe(0);
    const m = composeReminder(plan, intent, { calendar: engine.calendar });
    expect(m.text).toContain("阶段性集中整治工作推进情况");
    expect(m.text).toContain("截止时间：2021年6月15日（周二）18:00（还有3个工作日）");
  });

  it("counts days left and days late in working days", () => {
    const cal = new Engine(plan).calendar;
    const due = cst("2021-06-15T18:00");
    expect(remainingZh(cal, cst("2021-06-11T09:00"), due)).toBe("还有1个工作日");
    expect(remainingZh(cal, cst("2021-06-15T09:00"), due)).toBe("今日到期");
    expect(remainingZh(cal, cst("2021-06-16T09:00"), due)).toBe("已逾期1个工作日");
    expect(remainingZh(cal, cst("2021-05-24T09:00"), cst("2021-05-20T18:00"))).toBe("已逾期2个工作日");
    // National Day: 10-01..10-07 are rest days; 10-08 (Fri), 10-09 (Sat, make-up day) and 10-11 count.
    expect(remainingZh(cal, cst("2021-09-30T09:00"), cst("2021-10-11T18:00"))).toBe("还有3个工作日");
  });
});

describe("composeReminder: rendering", () => {
  const { engine, by } = intentsAt("2021-05-17T09:00");
  const intent = by("yuzhong");

  it("escapes everything in HTML but not in text or markdown", () => {
    const evil = '<script>alert("x")</script> & 方案';
    const bad = { ...intent, items: intent.items.map((i) => ({ ...i, title: evil })) };
    const m = composeReminder(plan, bad, { calendar: engine.calendar });
    expect(m.html).not.toContain("<script>");
    expect(m.html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; 方案");
    expect(m.text).toContain(evil);
    expect(m.markdown).toContain(evil);
    expect(m.html).toContain('href="http://localhost:8080/items/implementation-plan/yuzhong?campaign=cq-labour-intermediary-2021"');
  });

  it("lets a campaign override one template file and leaves the rest alone", () => {
    const dir = mkdtempSync(join(tmpdir(), "duban-templates-"));
    writeFileSync(join(dir, "reminder.subject.mustache"), "【区县督办】{{what}}\n");
    const custom = loadTemplates(dir);
    const base = composeReminder(plan, intent, { calendar: engine.calendar });
    const m = composeReminder(plan, intent, { calendar: engine.calendar, templates: custom });
    expect(m.subject).toBe("【区县督办】2项报送事项 5月20日（周四）18:00 到期");
    expect(m.text).toBe(base.text);
    expect(custom["reminder.text"]).toBe(loadTemplates()["reminder.text"]);
    expect(custom["summary.subject"]).toBe(loadTemplates()["summary.subject"]);
  });

  it("gives the same Message-ID and bytes for the same key, a different one for another", async () => {
    const a = composeReminder(plan, intent, { calendar: engine.calendar });
    const b = composeReminder(plan, structuredClone(intent), { calendar: engine.calendar });
    expect(b).toEqual(a);
    expect(await buildRawMessage(b)).toEqual(await buildRawMessage(a));
    const other = composeReminder(plan, by("jiangbei"), { calendar: engine.calendar });
    expect(other.messageId).not.toBe(a.messageId);
  });

  it("builds a raw message that parses back to the same Chinese subject", async () => {
    const { engine: e2, by: by27 } = intentsAt("2021-05-27T09:00");
    for (const m of [composeReminder(plan, intent, { calendar: engine.calendar }), composeReminder(plan, by27("he-zhenguo"), { calendar: e2.calendar })]) {
      const parsed = await simpleParser(await buildRawMessage(m));
      expect(parsed.subject).toBe(m.subject);
      expect(parsed.messageId).toBe(m.messageId);
      expect(parsed.headers.get("x-duban-key")).toBe(m.headers?.["X-Duban-Key"]);
      expect(parsed.text?.trim()).toBe(m.text.trim());
      expect(parsed.date?.toISOString()).toBe(new Date(m.date!).toISOString());
    }
  });
});

describe("a digest collapsed after downtime", () => {
  it("names who else was told at the step each item last reached, not at the send time", () => {
    const plan = chongqing();
    const engine = new Engine(plan);
    engine.tick(cst("2021-05-17T12:00"));
    const office = engine.tick(cst("2021-05-27T12:00")).reminders.find((x) => x.recipient === "flow")!;
    expect(office.at).toBe(cst("2021-05-27T09:00"));
    expect(office.items.every((i) => i.firedAt === cst("2021-05-25T09:00"))).toBe(true);
    const m = composeReminder(plan, office, { calendar: engine.calendar });
    expect(m.subject).toBe("【逾期督办·二级】38个单位2项报送事项逾期");
    // On 05-25 the districts got their daily reminder; 何振国's step is on 05-27 and is not this one.
    expect(m.text).toContain("同时告知：各区县（自治县）人力社保部门（38）");
    expect(m.text).not.toContain("同时告知：何振国");
  });
});

import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import { BASE, planText } from "../plan/minimal-plan.ts";
import { captureIo, tempFile } from "../helpers.ts";

/** The minimal plan with a report on the 8th, 18th and 28th of each month of its second phase. */
const plan = tempFile(
  "plan.yaml",
  planText({ 25: [BASE[24]!, '  - { id: ten-day, title: 旬报, phase: second, from: [north, south], recurring: { monthDays: [8, 18, 28], from: "start:second", until: "end:second" } }'] }),
);

async function simulateText(...args: string[]): Promise<string> {
  const io = captureIo();
  expect(await main(["node", "duban", "simulate", ...args], io)).toBe(0);
  return io.stdout;
}

describe("duban simulate, as text", () => {
  it("shows each recurring instance's own date beside its title, and where the rest-day rule moved it", async () => {
    const out = await simulateText(plan, "--from", "2021-07-08", "--to", "2021-07-20");
    expect(out).toContain("18:00 已逾期  旬报（2021-07-08）：districts（2）");
    // 07-18 is a Sunday: that instance falls due on Monday 07-19
    expect(out).toContain("09:00 提醒  旬报（2021-07-18，顺延至 07-19）：districts（2）");
    expect(out).toContain("18:00 已逾期  旬报（2021-07-18，顺延至 07-19）：districts（2）");
    // a one-off deliverable keeps its plain title
    const first = await simulateText(plan, "--from", "2021-06-15", "--to", "2021-06-15");
    expect(first).toContain("09:00 提醒  报告：districts（2）");
  });

  it("--verbose names every line in Chinese and prints no empty message lines", async () => {
    const out = await simulateText("plans/chongqing-2021.yaml", "--from", "2021-05-17", "--to", "2021-05-21", "--verbose");
    const lines = out.split("\n");
    expect(lines.filter((l) => /：\s*$/.test(l))).toEqual([]);
    expect(out).not.toMatch(/message|dueSoon|opened/);
    expect(out).toContain("2021-05-17 周一  临近截止 76 · 提醒 76 · 发送 38");
    expect(out).toContain("09:00 发送  提醒 38 封（共 76 项）：各区县（自治县）人力社保部门（38）");
    // 05-21: the districts' reminders and the office's first escalation notice, on their own lines
    expect(out).toContain("09:00 发送  一级督办通知 1 封（共 76 项）：领导小组办公室");
    expect(out).toContain("00:00 开始办理  阶段性集中整治工作推进情况：");
  });
});

import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { simpleParser } from "mailparser";
import { describe, expect, it } from "vitest";
import { kindsPlanText } from "../items/kinds-plan.ts";
import { runDuban, tempDir } from "./support.ts";

/** An opened item's reminders go out through the same dispatcher and digests as a planned one's. */
describe("duban run --once delivers the reminders of items opened at run time", () => {
  it("the office hears of a 督办单 nobody acknowledged, and the unit of its deadline, in their own digests", async () => {
    const dir = tempDir("opened-run");
    const db = join(dir, "duban.db");
    const plan = join(dir, "plan.yaml");
    writeFileSync(plan, kindsPlanText());
    const eml = join(dir, "eml");
    const run = async (now: string, ...args: string[]) => {
      const r = runDuban(["--db", db, "--now", now, ...args], { DUBAN_EML_DIR: eml });
      const exit = await r.exited;
      expect(exit.code, r.stderr()).toBe(0);
    };
    await run("2021-05-31T09:00+08:00", "init", plan);
    await run("2021-06-01T10:00+08:00", "open", "dubandan", "--to", "north", "--title", "欠薪线索核查", "--field", "basis=领导批示", "--as", "hq");
    // The 签收 deadline is Wednesday 18:00; its step goes out at Thursday's send time.
    await run("2021-06-03T09:00+08:00", "run", "--once");
    const mails = await Promise.all(readdirSync(eml).map(async (n) => ({ name: n, mail: await simpleParser(readFileSync(join(eml, n))) })));
    const toOffice = mails.filter((m) => m.name.includes("_hq_") && m.mail.headers.get("x-duban-kind") !== "summary");
    expect(toOffice.map((m) => m.mail.subject)).toEqual([expect.stringContaining("欠薪线索核查")]);
    expect(toOffice[0]!.mail.text).toContain("督办环节：超时未签收：已告知测试局");
    expect(toOffice[0]!.mail.text).toContain("请督促上述单位尽快签收");
    await run("2021-06-08T09:00+08:00", "run", "--once");
    const later = await Promise.all(readdirSync(eml).filter((n) => n.startsWith("2021-06-08") && n.includes("_north_")).map(async (n) => simpleParser(readFileSync(join(eml, n)))));
    expect(later.map((m) => m.text ?? "").join("\n")).toContain("欠薪线索核查");
  });
});

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { simpleParser } from "mailparser";
import { describe, expect, it } from "vitest";
import { runDuban, tempDir } from "./support.ts";

/** A 催办 goes out through the dispatcher like the ladder's reminders: the outbox, then a message. */
describe("duban urge, then duban run --once", () => {
  it("delivers one message to the urged unit at once, saying it is the office's 催办", async () => {
    const dir = tempDir("urge-run");
    const db = join(dir, "duban.db");
    const eml = join(dir, "eml");
    const run = async (now: string, ...args: string[]) => {
      const r = runDuban(["--db", db, "--now", now, ...args], { DUBAN_EML_DIR: eml });
      const exit = await r.exited;
      expect(exit.code, r.stderr()).toBe(0);
    };
    await run("2021-04-28T10:00+08:00", "init", "plans/chongqing-2021.yaml");
    await run("2021-05-27T10:00+08:00", "run", "--once");
    const before = new Set(readdirSync(eml));
    await run("2021-05-27T10:30+08:00", "urge", "yuzhong", "--as", "liu-qingqing", "--note", "请今天报送");
    await run("2021-05-27T10:31+08:00", "run", "--once");
    const added = readdirSync(eml).filter((n) => !before.has(n));
    expect(added).toHaveLength(1);
    expect(added[0]).toContain("_yuzhong_");
    const mail = await simpleParser(readFileSync(join(eml, added[0]!)));
    expect(mail.text).toContain("领导小组办公室催办");
    // The office's note is said in the message, not only kept in the log.
    expect(mail.text).toContain("请今天报送");
    expect(mail.text).toContain("专项整治具体实施方案");
  });
});

import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { simpleParser, type ParsedMail } from "mailparser";
import { beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../../src/store/open.ts";
import { runDuban, tempDir, messageIdOf } from "./support.ts";

const NOW = "2021-05-21T09:00+08:00";
const ITEMS = ["专项整治具体实施方案", "人力资源服务机构、劳务派遣机构自查自纠情况"];

interface EmlFile {
  name: string;
  recipient: string;
  mail: ParsedMail;
  kind: string;
  key: string;
}

function listing(dir: string): string[] {
  return readdirSync(dir)
    .map((n) => `${n} ${statSync(join(dir, n)).mtimeMs}`)
    .sort();
}

describe("duban run --once on a fresh store, without SMTP", () => {
  const dir = tempDir("run-once");
  const db = join(dir, "duban.db");
  const emlDir = join(dir, "eml");
  const args = ["--db", db, "--now", NOW, "run", "--once", "--plan", "plans/chongqing-2021.yaml"];
  let stderr: string;
  let files: EmlFile[];
  let firstListing: string[];

  beforeAll(async () => {
    const run = runDuban(args, { DUBAN_EML_DIR: emlDir });
    const exit = await run.exited;
    stderr = run.stderr();
    expect(exit.code, stderr).toBe(0);
    firstListing = listing(emlDir);
    files = await Promise.all(
      readdirSync(emlDir).map(async (name) => {
        const mail = await simpleParser(readFileSync(join(emlDir, name)));
        const recipient = /^2021-05-21_0900_(.+)_[0-9a-f]{8}\.eml$/.exec(name)?.[1] ?? `unparsed file name ${name}`;
        return { name, recipient, mail, kind: String(mail.headers.get("x-duban-kind")), key: String(mail.headers.get("x-duban-key")) };
      }),
    );
  });

  const digests = () => files.filter((f) => f.kind === "reminder" || f.kind === "escalation");
  const digestFor = (id: string) => {
    const found = digests().filter((f) => f.recipient === id);
    expect(found, id).toHaveLength(1);
    return found[0]!;
  };

  it("writes one .eml file per recipient for the day's overdue reminders and escalations", async () => {
    expect(stderr).toMatch(/channels=\.eml files in /);
    const recipients = digests().map((f) => f.recipient);
    expect(new Set(recipients).size).toBe(recipients.length);
    expect(recipients).toHaveLength(39); // the 38 districts and the office
    expect(recipients).toContain("yuzhong");
    expect(recipients).toContain("flow");
    // Besides the digests, only the office's daily summary.
    expect(files.filter((f) => f.kind === "summary").map((f) => f.recipient)).toEqual(["flow"]);
    expect(files).toHaveLength(40);
    const idOf = await messageIdOf(db);
    for (const f of files) expect(f.mail.messageId, f.name).toBe(idOf(f.key));
  });

  it("tells each district its items are overdue", () => {
    const yuzhong = digestFor("yuzhong");
    expect(yuzhong.kind).toBe("reminder");
    expect(yuzhong.mail.subject).toBe("【逾期督办】2项报送事项 已逾期1个工作日");
    const to = yuzhong.mail.to;
    expect((Array.isArray(to) ? to[0] : to)?.value[0]?.address).toBe("yuzhong@example.gov.cn");
    for (const title of ITEMS) expect(yuzhong.mail.text).toContain(title);
    for (const d of digests().filter((f) => f.recipient !== "flow")) expect(d.mail.subject, d.recipient).toMatch(/^【逾期督办】/);
  });

  it("escalates to the office at level 1, listing the overdue districts", () => {
    const office = digestFor("flow");
    expect(office.kind).toBe("escalation");
    expect(office.mail.subject).toBe("【逾期督办·一级】38个单位2项报送事项逾期");
    const text = office.mail.text ?? "";
    expect(text).toContain("领导小组办公室：");
    for (const title of ITEMS) expect(text).toContain(title);
    // The 38 overdue units are the whole district group, named as such with its count.
    expect(text.match(/责任单位：各区县（自治县）人力社保部门（38）/g)).toHaveLength(2);
    expect(text).toContain("第一级督办");
  });

  it("records what it wrote, and a second run at the same --now writes nothing new", async () => {
    const store = await openStore(db);
    try {
      expect(await store.outboxCounts()).toEqual({ pending: 0, sent: 40, failed: 0 });
      const delivered: { channels: string[] }[] = [];
      for await (const e of store.read()) if (e.type === "delivered") delivered.push(e.payload as { channels: string[] });
      expect(delivered).toHaveLength(40);
      expect(delivered.every((p) => p.channels.join() === "eml")).toBe(true);
    } finally {
      await store.close();
    }

    const again = runDuban(args, { DUBAN_EML_DIR: emlDir });
    expect((await again.exited).code, again.stderr()).toBe(0);
    expect(again.stderr()).toMatch(/once at=2021-05-21T09:00:00\+08:00 events=0 queued=0 sent=0 retrying=0 failed=0/);
    expect(listing(emlDir)).toEqual(firstListing);
  });
});

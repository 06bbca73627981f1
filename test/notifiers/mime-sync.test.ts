import { describe, expect, it } from "vitest";
import MailComposer from "nodemailer/lib/mail-composer";
import { buildSync } from "../../notifiers/mime-sync.ts";
import { sampleMessage } from "./fixtures.ts";

/** nodemailer's own stream build of the same tree: the synchronous build must give the same bytes. */
function streamed(opts: ConstructorParameters<typeof MailComposer>[0]): Promise<Buffer> {
  return new Promise((resolve, reject) => new MailComposer(opts).compile().build((err, out) => (err ? reject(err) : resolve(out))));
}

describe("synchronous MIME build", () => {
  const m = sampleMessage();
  const base = { from: "督办系统 <duban@localhost>", to: [{ name: m.to.name, address: m.to.email![0]! }], cc: [{ name: "市人力社保局", address: "duban@rsj.example.gov.cn" }], messageId: m.messageId, date: new Date(m.date!), baseBoundary: "5f0c1e2d3b4a" };
  const cases: Record<string, ConstructorParameters<typeof MailComposer>[0]> = {
    "Chinese text and HTML": { ...base, subject: m.subject, text: m.text, html: m.html, headers: { "X-Duban-Key": "k/1" } },
    "ASCII only, long lines": { ...base, subject: "plain", text: `${"word ".repeat(60)}\n`, html: `<p>${"x".repeat(300)}</p>\n` },
    "trailing whitespace and CR": { ...base, subject: "ws", text: "line one   \r\nline two \t\n\n", html: "<p>a</p>\r" },
    "text only": { ...base, subject: "只有正文", text: "内容".repeat(200) },
    "empty text": { ...base, subject: "empty", text: "", html: "<b>空</b>" },
  };
  for (const [name, opts] of Object.entries(cases)) {
    it(`gives nodemailer's bytes: ${name}`, async () => {
      expect(buildSync(new MailComposer(opts).compile())!.toString("latin1")).toBe((await streamed(opts)).toString("latin1"));
    });
  }

  it("leaves a tree with a streamed part to the stream build", () => {
    const node = new MailComposer({ ...base, subject: "s", text: "t", attachments: [{ filename: "a.txt", path: "/nonexistent/a.txt" }] }).compile();
    expect(buildSync(node)).toBeUndefined();
  });
});

import { messageIdFromKey, type MessageIdentity } from "../../notifiers/message-id.ts";
import type { OutgoingMessage } from "../../notifiers/types.ts";
import { escapeHtml } from "../present/escape.ts";
import type { ReminderSection } from "./compose.ts";
import { numberZh } from "./format.ts";
import { renderHtml, renderText } from "./templates.ts";

/**
 * One message out of the reminder sections of several campaigns owed by one recipient at one send time
 * (issue 14): the recipient's salutation once, then each campaign's section as its own templates render
 * it (its title heads it; its items, links, closing and signature are its own). One section is exactly
 * the campaign's own message (composeReminder), so a single-campaign store sends what it always did.
 * Pure for given sections: a resend after a crash carries the same bytes under the same Message-ID.
 */
export function composeSections(key: string, sections: readonly ReminderSection[], identity?: MessageIdentity): OutgoingMessage {
  const first = sections[0];
  if (!first) throw new Error(`提醒 ${key} 没有任何内容`);
  if (sections.length === 1) {
    const { view, templates } = first;
    return {
      messageId: messageIdFromKey(key, identity),
      to: first.to,
      subject: view.subject,
      text: renderText(templates["reminder.text"], view),
      html: renderHtml(templates["reminder.html"], view),
      markdown: renderText(templates["reminder.md"], view),
      headers: { "X-Duban-Key": key, "X-Duban-Kind": first.kind },
      date: first.date,
    };
  }
  const heaviest = sections.reduce((a, b) => (b.weight > a.weight ? b : a));
  const items = sections.reduce((n, s) => n + s.itemCount, 0);
  const subject = `${heaviest.view.prefix}${sections.length}项专项行动共${items}项事项待办理`;
  const intro = `以下是你单位在${sections.length}项专项行动中的待办事项，每项行动一节，请分别办理：`;
  const heading = (k: number, s: ReminderSection) => `${numberZh(k + 1)}、${s.view.campaign}`;
  // Each section without the salutation the message opens with once.
  const bare = sections.map((s) => ({ ...s.view, salutation: "", subject: "" }));
  const text = [
    first.view.salutation,
    "",
    intro,
    "",
    ...sections.flatMap((s, k) => [`━━━━ ${heading(k, s)} ━━━━`, renderText(s.templates["reminder.text"], bare[k]!).trim(), ""]),
  ].join("\n");
  const markdown = [
    `**${subject}**`,
    "",
    first.view.salutation,
    "",
    intro,
    "",
    ...sections.flatMap((s, k) => [`### ${heading(k, s)}`, "", renderText(s.templates["reminder.md"], bare[k]!).replace(/^\*\*\*\*/, "").trim(), ""]),
  ].join("\n");
  const body = (html: string) => (/<body[^>]*>([\s\S]*)<\/body>/.exec(html)?.[1] ?? html).replace(/^\s*<p><\/p>/, "").trim();
  const html = [
    `<!DOCTYPE html>`,
    `<html lang="zh-CN">`,
    `<head>`,
    `<meta charset="utf-8">`,
    `<title>${escapeHtml(subject)}</title>`,
    `</head>`,
    `<body style="font-family: 'Microsoft YaHei', 'PingFang SC', sans-serif; font-size: 14px; line-height: 1.6; color: #222;">`,
    `<p>${escapeHtml(first.view.salutation)}</p>`,
    `<p>${escapeHtml(intro)}</p>`,
    ...sections.flatMap((s, k) => [`<section>`, `<h2 style="font-size: 16px; border-bottom: 1px solid #ccc;">${escapeHtml(heading(k, s))}</h2>`, body(renderHtml(s.templates["reminder.html"], bare[k]!)), `</section>`]),
    `</body>`,
    `</html>`,
    "",
  ].join("\n");
  return {
    messageId: messageIdFromKey(key, identity),
    to: first.to,
    subject,
    text,
    html,
    markdown,
    headers: { "X-Duban-Key": key, "X-Duban-Kind": "digest", "X-Duban-Members": sections.map((s) => s.key).join(" ") },
    date: first.date,
  };
}

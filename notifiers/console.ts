import type { Writable } from "node:stream";
import type { DeliveryResult, Notifier, OutgoingMessage, Recipient } from "./types.ts";
import { failure } from "./types.ts";

export interface ConsoleNotifierOptions {
  /** Defaults to process.stdout. */
  stream?: Writable;
}

const CHANNEL = "console";

function who(r: Recipient): string {
  return `${r.name}（${r.id}）`;
}

/** The block printed for one message; exported so the CLI and tests share one layout. */
export function formatConsoleBlock(msg: OutgoingMessage): string {
  const lines = [`──── ${msg.date ?? new Date().toISOString()} ${msg.messageId}`, `收件：${who(msg.to)}`];
  if (msg.cc && msg.cc.length > 0) lines.push(`抄送：${msg.cc.map(who).join("、")}`);
  lines.push(`主题：${msg.subject}`, "", msg.text.trimEnd(), "");
  return lines.join("\n") + "\n";
}

/** Prints each message for a person watching a demo or a dry run. */
export function createConsoleNotifier(opts: ConsoleNotifierOptions = {}): Notifier {
  const stream = opts.stream ?? process.stdout;
  return {
    channel: CHANNEL,
    send(msg: OutgoingMessage): Promise<DeliveryResult> {
      return new Promise((resolve) => {
        try {
          stream.write(formatConsoleBlock(msg), (err) => {
            resolve(err ? failure(CHANNEL, "CONSOLE_WRITE", `输出失败：${err.message}`, false) : { ok: true, channel: CHANNEL });
          });
        } catch (err) {
          resolve(failure(CHANNEL, "CONSOLE_WRITE", `输出失败：${(err as Error).message}`, false));
        }
      });
    },
  };
}

import type { Command } from "commander";
import type { Campaign } from "../campaign/campaign.ts";
import { encodeActor } from "../campaign/codec.ts";
import { formatInstant, formatLocal } from "../engine/calendar.ts";
import { recipientName } from "../present/plan-text.ts";
import type { OutboxItem } from "../store/types.ts";
import { clockOf, withStore, type GlobalOptions } from "./campaign-commands.ts";
import { UsageError, type Io } from "./io.ts";
import { DELIVERY_ZH, deliveryCountsZh } from "../text/labels.ts";

// Far above any campaign's outbox; listOutbox pages by this limit.
const ALL = 10_000_000;

/** Whom a queued message goes to: the reminder's recipient, or the office for its daily summary. */
function recipientOf(c: Campaign, o: OutboxItem): string {
  const r = (o.payload as { recipient?: unknown } | null)?.recipient;
  return typeof r === "string" ? r : c.plan.leadingGroup.office.unit;
}

function line(c: Campaign, o: OutboxItem): string {
  const zone = c.plan.campaign.timezone;
  const to = recipientOf(c, o);
  const parts = [
    `${DELIVERY_ZH[o.status]}  ${o.key}`,
    `收件：${c.plan.units.has(to) ? recipientName(c.plan, to) : to}`,
    `应发：${formatLocal(Date.parse(o.dueAt), zone)}`,
    `已尝试 ${o.attempts} 次`,
    ...(o.status === "pending" && o.attempts > 0 ? [`下次：${formatLocal(Date.parse(o.nextAttemptAt), zone)}`] : []),
    ...(o.retryUntil && o.status === "pending" ? [`重试至：${formatLocal(Date.parse(o.retryUntil), zone)}`] : []),
    ...(o.deliveredVia?.length ? [`已送达通道：${o.deliveredVia.join("、")}`] : []),
    ...(o.lastError ? [`最后错误：${o.lastError}`] : []),
  ];
  return `  ${parts.join("  ")}`;
}

/** `duban outbox list|retry`: the messages waiting or given up on, and sending failed ones again. */
export function registerOutboxCommands(program: Command, io: Io, setExit: (code: number) => void): void {
  const g = () => program.opts() as GlobalOptions;
  const outbox = program.command("outbox").description("the queue of reminders and summaries: what waits, what failed, and sending failed ones again");

  outbox
    .command("list")
    .description("messages waiting to go out or given up on (with --failed only the latter, with --all also those sent)")
    .option("--failed", "only messages marked failed")
    .option("--all", "every message, also those sent")
    .option("--json", "machine-readable")
    .action(async (o: { failed?: boolean; all?: boolean; json?: boolean }) => {
      if (o.failed && o.all) throw new UsageError("--failed 与 --all 不能同时使用", "USAGE");
      await withStore(g(), async (store) => {
        const c = await (await import("../campaign/campaign.ts")).Campaign.open(store);
        const rows = o.failed
          ? await store.listOutbox({ status: "failed", limit: ALL })
          : (await store.listOutbox({ limit: ALL })).filter((r) => o.all || r.status !== "sent");
        if (o.json) return io.out(JSON.stringify({ outbox: await store.outboxCounts(), items: rows.map((r) => ({ ...r, recipient: recipientOf(c, r) })) }, null, 2));
        const counts = await store.outboxCounts();
        const head = `提醒发送：${deliveryCountsZh(counts)}`;
        if (rows.length === 0) return io.out(`${head}\n${o.failed ? "没有发送失败的消息。" : "没有待发或失败的消息。"}`);
        const hint = rows.some((r) => r.status === "failed") ? ["", "用 duban outbox retry --all --as <办公室人员>（或列出 key）以原 Message-ID 重新发送失败的消息。"] : [];
        io.out([head, ...rows.map((r) => line(c, r)), ...hint].join("\n"));
      });
    });

  outbox
    .command("retry")
    .description("send failed messages again, with the same Message-ID (recorded as an outboxRetried event)")
    .argument("[keys...]", "outbox keys, as `duban outbox list --failed` shows them")
    .option("--all", "every failed message")
    .requiredOption("--as <unit-or-person>", "who decides to send them again (recorded)")
    .option("--note <text>", "why (recorded)")
    .action(async (keys: string[], o: { all?: boolean; as: string; note?: string }) => {
      if (o.all && keys.length > 0) throw new UsageError("请只用其一：列出要重发的 key，或用 --all 重发全部失败消息", "USAGE");
      if (!o.all && keys.length === 0) throw new UsageError("请列出要重发的消息 key（见 duban outbox list --failed），或用 --all 重发全部失败消息", "USAGE");
      await withStore(g(), async (store) => {
        const c = await (await import("../campaign/campaign.ts")).Campaign.open(store);
        const zone = c.plan.campaign.timezone;
        if (!c.plan.units.has(o.as)) throw new UsageError(`--as ${o.as}：计划中没有这个单位或人员；请使用计划中的 id`, "UNKNOWN_ACTOR", 1);
        // Sending again what the dispatcher gave up on is the office's call, as waiving is.
        const { actsAsOffice } = await import("../engine/authorize.ts");
        if (!actsAsOffice(c.plan, { kind: "unit", unit: o.as }))
          throw new UsageError(`--as ${o.as}：只有领导小组办公室（其所在单位、办公室主任或组长）可以重发失败的消息；未记录任何内容`, "NOT_PERMITTED", 1);
        const wanted = o.all ? (await store.listOutbox({ status: "failed", limit: ALL })).map((r) => r.key) : [...new Set(keys)];
        if (wanted.length === 0) return io.out("没有发送失败的消息，无需重发。");
        for (const key of wanted) {
          const row = (await store.listOutbox({ key }))[0];
          if (!row) throw new UsageError(`没有 key 为“${key}”的消息；用 duban outbox list --failed 查看失败的消息`, "OUTBOX_NOT_FOUND", 1);
          if (row.status !== "failed") throw new UsageError(`“${key}”当前为${DELIVERY_ZH[row.status]}，只有发送失败的消息可以重发；未做任何改动`, "OUTBOX_STATE", 1);
        }
        const { now, extra } = clockOf(g(), zone);
        const at = formatInstant(now, zone);
        const e = await store.retryOutbox(wanted, at, {
          at,
          actor: encodeActor(c.plan, { kind: "unit", unit: o.as }),
          type: "outboxRetried",
          payload: { keys: wanted, count: wanted.length, ...(o.note !== undefined ? { note: o.note } : {}), ...extra },
          planHash: c.plan.hash,
        });
        io.out(`已重新排队 ${wanted.length} 条消息（第 ${e.seq} 条事件）；守护进程下一轮以原 Message-ID 重新发送，重试期限重新计算。`);
        setExit(0);
      });
    });
}

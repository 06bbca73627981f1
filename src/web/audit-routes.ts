import type { Context, Hono } from "hono";
import { stream } from "hono/streaming";
import { auditStore, type AuditProgress } from "../campaign/audit-check.ts";
import { exportLines, LOG_FORMATS, type LogFormat } from "../campaign/export-log.ts";
import { SUMMARY_CHANNEL } from "../dispatch/dispatcher.ts";
import { formatInstant, parseInstant } from "../engine/calendar.ts";
import type { EventStore } from "../store/store.ts";
import { requireViewer } from "./auth.ts";
import type { Env, Viewer, WebDeps } from "./context.ts";
import { raw } from "./html.ts";
import { page } from "./layout.ts";
import { refuse, refusal, type WebRefusal } from "./refusal.ts";
import { progressLine, verifyPage, verifyRunHead, verifyRunTail, type SummaryHead } from "./views/verify.ts";

const isRefusal = (x: unknown): x is WebRefusal => typeof x === "object" && x !== null && "status" in x && "code" in x && "message" in x;

export interface AuditRouteOptions {
  /** Events per batch of a check or an export: the work done between two turns of other requests. @default 5000 */
  batchSize?: number;
}

/** Let the event loop serve others between two batches (a SQLite page is read synchronously). */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

class Aborted extends Error {}

/**
 * The daily summaries sent, newest first, with the 日志头 each reported (its `delivered` event records it).
 * Each lookup reads only the events at the summary's sending instant.
 */
export async function summaryHeads(store: EventStore, zone: string, limit = 10): Promise<SummaryHead[]> {
  const sent = (await store.listOutbox({ channel: SUMMARY_CHANNEL, status: "sent", limit: 100_000 })).slice(-limit).reverse();
  const out: SummaryHead[] = [];
  for (const row of sent) {
    if (!row.sentAt) continue;
    const ms = parseInstant(row.sentAt, zone);
    const to = await store.lastSeqAt(row.sentAt);
    const from = (await store.lastSeqAt(formatInstant(ms - 1, zone))) + 1;
    if (to < from) continue;
    for await (const e of store.read({ fromSeq: from, toSeq: to })) {
      const p = e.payload as { key?: string; head?: { seq?: number; hash?: string } };
      if (e.type !== "delivered" || p.key !== row.key) continue;
      if (typeof p.head?.seq === "number" && typeof p.head.hash === "string") out.push({ date: String((row.payload as { date?: string }).date ?? row.dueAt.slice(0, 10)), sentAt: row.sentAt, seq: p.head.seq, hash: p.head.hash });
      break;
    }
  }
  return out;
}

/**
 * The auditor's tools (office and auditors; they cover every unit): /verify (the chain check, streamed as
 * it goes), /api/verify (the same as NDJSON lines) and /api/export (the log with its hashes, JSONL or CSV).
 * One check runs at a time: a second one is refused rather than doubling the load.
 */
export function registerAuditRoutes(app: Hono<Env>, deps: WebDeps, opts: AuditRouteOptions = {}): void {
  const batchSize = opts.batchSize ?? 5000;
  let running = false;
  const store = () => deps.campaign.store;
  const zone = () => deps.campaign.plan.campaign.timezone;

  /** The viewer, or the response that refuses them. */
  const auditor = (c: Context<Env>, api: boolean): Viewer | Promise<Response> => {
    const v = requireViewer(c);
    if (isRefusal(v)) return api ? refuse(c, deps, v, { api }) : Promise.resolve(c.redirect(`/login?next=${encodeURIComponent(c.req.path + new URL(c.req.url).search)}`, 303));
    if (v.user.role === "unit") return refuse(c, deps, refusal(403, "AUDIT_FORBIDDEN", "日志核验与导出涉及全部单位，仅限领导小组办公室和审计人员使用"), { api });
    return v;
  };
  const badHead = (h: string | undefined) => h !== undefined && h !== "" && !/^[0-9a-f]{64}$/.test(h);
  const HEAD_ZH = "日志头应为 64 位十六进制哈希（抄写日报中的“日志头”）";
  const busy = refusal(409, "VERIFY_RUNNING", "已有一次核验正在进行，请稍后再试");

  /**
   * Runs the check, handing each batch's progress to `emit`; stops when the reader went away. The caller
   * claimed `running` before answering, so two requests cannot both start one.
   */
  const run = (head: string | undefined, emit: (p: AuditProgress) => Promise<void>, aborted: () => boolean) =>
    auditStore(store(), {
      ...(head ? { head } : {}),
      batchSize,
      progress: async (p) => {
        if (aborted()) throw new Aborted();
        await emit(p);
        await turn();
      },
    });

  app.get("/verify", async (c) => {
    const v = auditor(c, false);
    if (v instanceof Promise) return v;
    const h = await store().head();
    const given = c.req.query("head") ?? "";
    const body = verifyPage(h, await summaryHeads(store(), zone()), badHead(given) ? "" : given);
    return c.html(page({ plan: deps.campaign.plan, user: v.user, ...(v.csrf ? { csrf: v.csrf } : {}) }, "日志核验", body));
  });

  app.get("/verify/run", async (c) => {
    const v = auditor(c, false);
    if (v instanceof Promise) return v;
    const head = c.req.query("head") || undefined;
    if (badHead(head)) return refuse(c, deps, refusal(400, "BAD_HEAD", HEAD_ZH), { api: false });
    if (running) return refuse(c, deps, busy, { api: false });
    const MARK = "\u0000stream\u0000";
    const [top, bottom] = page({ plan: deps.campaign.plan, user: v.user, ...(v.csrf ? { csrf: v.csrf } : {}) }, "日志核验", raw(MARK)).split(MARK) as [string, string];
    const total = (await store().head()).seq;
    c.header("Content-Type", "text/html; charset=utf-8");
    running = true;
    return stream(c, async (s) => {
      try {
        await s.write(top + verifyRunHead(total, head).value);
        const r = await run(head, async (p) => void (await s.write(progressLine(p).value)), () => s.aborted);
        await s.write(verifyRunTail(r, head).value + bottom);
      } catch (err) {
        if (!(err instanceof Aborted)) throw err;
      } finally {
        running = false;
      }
    });
  });

  app.get("/api/verify", async (c) => {
    const v = auditor(c, true);
    if (v instanceof Promise) return v;
    const head = c.req.query("head") || undefined;
    if (badHead(head)) return refuse(c, deps, refusal(400, "BAD_HEAD", HEAD_ZH), { api: true });
    if (running) return refuse(c, deps, busy, { api: true });
    running = true;
    c.header("Content-Type", "application/x-ndjson; charset=utf-8");
    return stream(c, async (s) => {
      try {
        const r = await run(head, async (p) => void (await s.writeln(JSON.stringify({ progress: p }))), () => s.aborted);
        await s.writeln(JSON.stringify({ result: r }));
      } catch (err) {
        if (!(err instanceof Aborted)) throw err;
      } finally {
        running = false;
      }
    });
  });

  app.get("/api/export", async (c) => {
    const v = auditor(c, true);
    if (v instanceof Promise) return v;
    const format = (c.req.query("format") || "jsonl") as LogFormat;
    if (!LOG_FORMATS.includes(format)) return refuse(c, deps, refusal(400, "BAD_FORMAT", "format 只能是 jsonl 或 csv"), { api: true });
    const z = zone();
    const from = c.req.query("from") ? parseInstant(c.req.query("from")!, z) : undefined;
    const to = c.req.query("to") ? parseInstant(c.req.query("to")!, z) : undefined;
    if (Number.isNaN(from) || Number.isNaN(to)) return refuse(c, deps, refusal(400, "BAD_DATE", "from/to 应为 ISO 8601 时刻，如 2021-05-01T00:00+08:00"), { api: true });
    const name = `${deps.campaign.plan.campaign.id}-log.${format}`;
    c.header("Content-Type", format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8");
    c.header("Content-Disposition", `attachment; filename="${name}"`);
    return stream(c, async (s) => {
      let chunk: string[] = [];
      // A BOM lets spreadsheet programs read the CSV's Chinese as UTF-8.
      if (format === "csv") await s.write("\ufeff");
      for await (const line of exportLines(store(), format, { ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}), zone: z, batchSize })) {
        chunk.push(line);
        if (chunk.length >= batchSize) {
          if (s.aborted) return;
          await s.write(chunk.join("\n") + "\n");
          chunk = [];
          await turn();
        }
      }
      if (chunk.length) await s.write(chunk.join("\n") + "\n");
    });
  });
}

import { createServer, type Server } from "node:http";
import type { Campaign } from "../campaign/campaign.ts";
import { readiness } from "./health.ts";
import type { HostMetrics } from "./metrics.ts";

export interface OpsServer {
  url: string;
  close(): Promise<void>;
}

/**
 * The listener of `duban run --metrics-port`: /metrics, /healthz and /readyz and nothing else, the same
 * answers as `duban serve` gives on its own port. node:http, so the daemon does not load the web stack.
 */
export function startOpsServer(opts: { campaign: Campaign; metrics: HostMetrics; maxOutboxAgeMs: number; port: number; host?: string }): Promise<OpsServer> {
  const host = opts.host ?? "127.0.0.1";
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" });
      res.end(JSON.stringify(body));
    };
    if (req.method !== "GET" && req.method !== "HEAD") return json(405, { error: { code: "METHOD", message: "只支持 GET" } });
    void (async () => {
      try {
        if (path === "/healthz") return json(200, { status: "ok" });
        if (path === "/readyz") {
          const r = await readiness(opts.campaign, opts.metrics, opts.maxOutboxAgeMs);
          return json(r.ready ? 200 : 503, r);
        }
        if (path === "/metrics") {
          const { body, contentType } = await opts.metrics.scrape();
          res.writeHead(200, { "Content-Type": contentType, "Cache-Control": "no-store" });
          return void res.end(body);
        }
        json(404, { error: { code: "NOT_FOUND", message: "只有 /metrics、/healthz、/readyz" } });
      } catch (err) {
        // The code only: a driver's message may carry the connection string.
        json(500, { error: { code: (err as { code?: string }).code ?? "INTERNAL", message: "指标读取失败" } });
      }
    })();
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, host, () => {
      const addr = server.address();
      const port = typeof addr === "object" && addr ? addr.port : opts.port;
      resolve({
        url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
        close: () => new Promise<void>((res) => (server.close(() => res()), server.closeAllConnections())),
      });
    });
  });
}

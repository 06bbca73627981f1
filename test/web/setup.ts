import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSidecar, type Sidecar } from "../../src/access/open.ts";
import { addUser } from "../../src/access/users.ts";
import { Campaign } from "../../src/campaign/campaign.ts";
import { SqliteStore } from "../../src/store/sqlite.ts";
import { startServer, type RunningServer } from "../../src/web/server.ts";
import { cst } from "../helpers.ts";

export interface Fixture {
  server: RunningServer;
  campaign: Campaign;
  store: SqliteStore;
  sidecar: Sidecar;
  tokens: Record<"yuzhong" | "fuling" | "office" | "auditor", string>;
  clock: { now: number; wall: number };
  close(): Promise<void>;
}

/**
 * A real server on 127.0.0.1 (port 0) over a real SQLite store running the Chongqing plan, ticked to
 * 2021-05-18 10:00 (the self-inspection reports are open, due 05-20), with four accounts.
 */
export async function startFixture(opts: { auditBatchSize?: number } = {}): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), "duban-web-"));
  const store = new SqliteStore(join(dir, "duban.db"), { synchronous: "NORMAL" });
  const clock = { now: cst("2021-05-18T10:00"), wall: Date.now() };
  const campaign = await Campaign.init(store, "plans/chongqing-2021.yaml", cst("2021-04-28T10:00"));
  await campaign.tick(clock.now);
  const sidecar = await openSidecar(store);
  const add = async (name: string, unit: string, role: string) => (await addUser(campaign, sidecar.access, { name, unit, role }, clock.now)).token;
  const tokens = {
    yuzhong: await add("yuzhong-zhang", "yuzhong", "unit"),
    fuling: await add("fuling-li", "fuling", "unit"),
    office: await add("liu", "liu-qingqing", "office"),
    auditor: await add("audit", "bureau", "auditor"),
  };
  const server = await startServer({ campaign, sidecar, port: 0, host: "127.0.0.1", now: () => clock.now, wallNow: () => clock.wall, ...(opts.auditBatchSize ? { auditBatchSize: opts.auditBatchSize } : {}) });
  return {
    server,
    campaign,
    store,
    sidecar,
    tokens,
    clock,
    async close() {
      await server.close();
      sidecar.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A cookie-keeping client for one person, signing in through the form like a browser does. */
export class Client {
  private cookies = new Map<string, string>();
  csrf = "";

  constructor(readonly base: string) {}

  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set("cookie", [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "));
    const res = await fetch(this.base + path, { ...init, headers, redirect: "manual" });
    for (const sc of res.headers.getSetCookie()) {
      const [pair] = sc.split(";");
      const i = pair!.indexOf("=");
      const k = pair!.slice(0, i);
      const v = pair!.slice(i + 1);
      if (v === "" || /max-age=0/i.test(sc)) this.cookies.delete(k);
      else this.cookies.set(k, v);
    }
    return res;
  }

  cookieHeader(name: string): string | undefined {
    return this.cookies.get(name);
  }

  async signIn(token: string): Promise<Response> {
    const page = await (await this.fetch("/login")).text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page)![1]!;
    const res = await this.fetch("/login", { method: "POST", body: new URLSearchParams({ token, _csrf: csrf }) });
    if (res.status === 303) this.csrf = ((await (await this.fetch("/api/me")).json()) as { csrf: string }).csrf;
    return res;
  }
}

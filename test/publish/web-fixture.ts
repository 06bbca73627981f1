import { openSidecar, type Sidecar } from "../../src/access/open.ts";
import { addUser } from "../../src/access/users.ts";
import type { Campaign } from "../../src/campaign/campaign.ts";
import { issueFeedToken } from "../../src/publish/feed-log.ts";
import { startServer, type RunningServer } from "../../src/web/server.ts";
import { cst } from "../helpers.ts";
import { initCampaign, playStory, PUBLISH_PLAN } from "./fixture.ts";

export interface PublishServer {
  campaign: Campaign;
  sidecar: Sidecar;
  server: RunningServer;
  /** Access tokens by account: office (hq), north (a district), audit (an auditor); feed-<unit> with `feeds`. */
  tokens: Record<string, string>;
  close(): Promise<void>;
}

/**
 * The publishing fixture's story played on `text`, served on a free port with its clock fixed at
 * 2021-07-20 12:00: an office, a district and an auditor account, and feed tokens for `feeds`.
 */
export async function servePlayedCampaign(opts: { text?: string; feeds?: string[] } = {}): Promise<PublishServer> {
  const r = await initCampaign(undefined, opts.text ?? PUBLISH_PLAN);
  await playStory(r.c);
  const sidecar = await openSidecar(r.c.store);
  const now = cst("2021-07-20T12:00");
  const tokens: Record<string, string> = {};
  for (const [name, unit, role] of [["office", "hq", "office"], ["north", "north", "unit"], ["audit", "boss", "auditor"]] as const)
    tokens[name] = (await addUser(r.c, sidecar.access, { name, unit, role }, now)).token;
  for (const u of opts.feeds ?? []) tokens[`feed-${u}`] = await issueFeedToken(r.c, u, now);
  const server = await startServer({ campaign: r.c, sidecar, port: 0, host: "127.0.0.1", now: () => now });
  return {
    campaign: r.c,
    sidecar,
    server,
    tokens,
    async close() {
      await server.close();
      sidecar.close();
      await r.close();
    },
  };
}

import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context } from "hono";

/**
 * The peer's address as the socket gives it (behind a reverse proxy, the proxy's). X-Forwarded-For is
 * not read: anyone can write it, and rate limits keyed on it would be a matter of choosing a header.
 */
export function clientAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? "unknown";
  } catch {
    // app.request() in a test, or another adapter: no socket.
    return "unknown";
  }
}

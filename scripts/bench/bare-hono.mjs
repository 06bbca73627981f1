// The bare side of the web figures: a Hono handler per page answering bytes read once at start
// (args: index=content-type=file). Prints its URL, as `duban serve` does.
import { readFileSync } from "node:fs";
import { serve } from "@hono/node-server";
import { Hono } from "hono";

const app = new Hono();
for (const arg of process.argv.slice(2)) {
  const i = arg.slice(0, arg.indexOf("="));
  const file = arg.slice(arg.lastIndexOf("=") + 1);
  const type = arg.slice(arg.indexOf("=") + 1, arg.lastIndexOf("="));
  const body = readFileSync(file);
  app.get(`/${i}`, (c) => c.body(body, 200, { "content-type": type }));
}
const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info) => console.log(`bare http://127.0.0.1:${info.port}/`));
process.on("SIGTERM", () => server.close(() => process.exit(0)));

import type { Context } from "hono";
import type { Env } from "./context.ts";
import { refusal, type WebRefusal } from "./refusal.ts";

/** A request's body as the web's forms and the API send it: a JSON object, or form parts (urlencoded or multipart). */
export type RequestBody = { json: Record<string, unknown>; form?: undefined } | { form: Record<string, string | File | (string | File)[]>; json?: undefined };

/**
 * Reads the body once, by its content type; a body that is not a JSON object, or that cannot be read at
 * all, is a 400 in Chinese. The CSRF token may also come as X-CSRF-Token (`header`).
 */
export async function readRequestBody(c: Context<Env>): Promise<(RequestBody & { header?: string }) | WebRefusal> {
  const header = c.req.header("x-csrf-token");
  const type = c.req.header("content-type") ?? "";
  try {
    if (type.startsWith("application/json")) {
      const j = (await c.req.json()) as unknown;
      if (typeof j !== "object" || j === null || Array.isArray(j)) return refusal(400, "BAD_BODY", "请求内容应为 JSON 对象");
      return { json: j as Record<string, unknown>, ...(header ? { header } : {}) };
    }
    return { form: (await c.req.parseBody({ all: true })) as Record<string, string | File | (string | File)[]>, ...(header ? { header } : {}) };
  } catch {
    return refusal(400, "BAD_BODY", "无法读取请求内容");
  }
}

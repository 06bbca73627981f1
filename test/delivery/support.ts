import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { simpleParser, type ParsedMail } from "mailparser";
import { afterAll } from "vitest";
import type { ReceivedMail } from "../notifiers/fixtures.ts";
import { messageIdFromKey } from "../../notifiers/index.ts";
import { openStore } from "../../src/store/open.ts";
import type { EventStore } from "../../src/store/store.ts";

/** A temp folder removed when the file's tests end. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `duban-${prefix}-`));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface Mail {
  parsed: ParsedMail;
  envelopeTo: string[];
  kind: string;
  key: string;
}

export async function parseAll(received: readonly ReceivedMail[]): Promise<Mail[]> {
  return Promise.all(
    received.map(async (r) => {
      const parsed = await simpleParser(r.raw);
      return { parsed, envelopeTo: r.envelopeTo, kind: String(parsed.headers.get("x-duban-kind") ?? ""), key: String(parsed.headers.get("x-duban-key") ?? "") };
    }),
  );
}

/** How many times each Message-ID reached the server. */
export function countById(received: readonly ReceivedMail[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of received) {
    if (r.messageId === undefined) throw new Error("a message without a Message-ID reached the server");
    counts.set(r.messageId, (counts.get(r.messageId) ?? 0) + 1);
  }
  return counts;
}

export function toAddress(m: Mail): string {
  const to = m.parsed.to;
  const list = Array.isArray(to) ? to : to ? [to] : [];
  return list.flatMap((a) => a.value.map((v) => v.address ?? "")).join(",");
}

export async function until(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 20_000, stepMs = 20): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

export interface Child {
  proc: ChildProcess;
  stderr(): string;
  stdout(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
});

/** Runs `node <args>` in the worktree with `env` on top of a copy of ours without any DUBAN_* variable. */
export function runNode(args: string[], env: Record<string, string> = {}): Child {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("DUBAN_")));
  const proc = spawn(process.execPath, args, { cwd: process.cwd(), env: { ...base, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  children.push(proc);
  let out = "";
  let err = "";
  proc.stdout!.on("data", (c: Buffer) => (out += c.toString("utf8")));
  proc.stderr!.on("data", (c: Buffer) => (err += c.toString("utf8")));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.on("exit", (code, signal) => resolve({ code, signal })));
  return { proc, stderr: () => err, stdout: () => out, exited };
}

/** `duban …` through the real entry point, on the sources (never a stale dist/; test/cli/dist.test.ts runs the build). */
export function runDuban(args: string[], env: Record<string, string> = {}): Child {
  return runNode(["bin/duban.js", ...args], { DUBAN_FROM_SOURCE: "1", ...env });
}

/**
 * The Message-ID the dispatcher gives an outbox key in a store (or store spec): the sender's domain (the
 * default From is duban@localhost) and the store's own id.
 */
export async function messageIdOf(store: EventStore | string, domain = "localhost"): Promise<(key: string) => string> {
  const s = typeof store === "string" ? await openStore(store) : store;
  try {
    const identity = { domain, store: await s.storeId() };
    return (key) => messageIdFromKey(key, identity);
  } finally {
    if (typeof store === "string") await s.close();
  }
}

/** Each outbox key's Message-ID as its `delivered` event recorded it (a digest group's for a row sent in one). */
export async function deliveredIds(log: EventStore): Promise<Map<string, { messageId: string; digest?: string }>> {
  const out = new Map<string, { messageId: string; digest?: string }>();
  for await (const e of log.read({ types: ["delivered"] })) {
    const p = e.payload as { key: string; messageId: string; digest?: string };
    out.set(p.key, { messageId: p.messageId, ...(p.digest ? { digest: p.digest } : {}) });
  }
  return out;
}

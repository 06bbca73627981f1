import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openSidecar } from "../../src/access/open.ts";
import { hashToken } from "../../src/access/tokens.ts";
import { openStore } from "../../src/store/open.ts";
import type { EventStore } from "../../src/store/store.ts";
import { pgSchema, pgSpec, pgUnavailable } from "../pg.ts";

/** Users, sessions and attachments behave the same on both backends, in the campaign's own database. */
async function exercise(store: EventStore) {
  const s = await openSidecar(store);
  try {
    await s.access.addUser({ name: "a", unit: "yuzhong", role: "unit", createdAt: "2021-05-18T10:00:00+08:00" }, hashToken("t1"));
    await expect(s.access.addUser({ name: "a", unit: "fuling", role: "unit", createdAt: "x" }, hashToken("t2"))).rejects.toMatchObject({ code: "USER_EXISTS" });
    expect((await s.access.userByTokenHash(hashToken("t1")))?.name).toBe("a");
    await s.access.createSession(hashToken("sid"), { user: "a", csrf: "c", expiresAt: 1000 });
    expect(await s.access.getSession(hashToken("sid"))).toEqual({ user: "a", csrf: "c", expiresAt: 1000 });
    await s.access.revokeUser("a", "2021-05-19T10:00:00+08:00");
    await expect(s.access.revokeUser("a", "x")).rejects.toMatchObject({ code: "ALREADY_REVOKED" });
    expect(await s.access.userByTokenHash(hashToken("t1"))).toBeUndefined();
    expect(await s.access.getSession(hashToken("sid"))).toBeUndefined();
    const file = { sha256: "ab".repeat(32), name: "a.pdf", mime: "application/pdf", size: 3, bytes: Buffer.from("%PD") };
    expect(await s.attachments.put(file, "now")).toBe(true);
    expect(await s.attachments.put(file, "now")).toBe(false);
    expect((await s.attachments.get(file.sha256))?.bytes.equals(file.bytes)).toBe(true);
    await s.attachments.delete(file.sha256);
    expect(await s.attachments.count()).toBe(0);
    // A server secret: the first one stored stays, whoever asks later with a fresh one.
    expect(await s.access.secret("login-form", "first")).toBe("first");
    expect(await s.access.secret("login-form", "second")).toBe("first");
    expect(await s.access.secret("other", "x")).toBe("x");
  } finally {
    s.close();
  }
}

describe("web sidecar tables", () => {
  it("on SQLite, in the store's file", async () => {
    const store = await openStore(join(mkdtempSync(join(tmpdir(), "duban-side-")), "d.db"));
    await exercise(store).finally(() => store.close());
  });
  it.skipIf(pgUnavailable)("on PostgreSQL, in the store's schema", async () => {
    const store = await openStore(pgSpec(pgSchema()));
    await exercise(store).finally(() => store.close());
  });
});

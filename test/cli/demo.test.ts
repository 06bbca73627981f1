import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import { captureIo } from "../helpers.ts";

describe("duban demo", () => {
  it("reports a plan it cannot read as one line with its position, never a stack trace", async () => {
    const io = captureIo();
    const dir = mkdtempSync(join(tmpdir(), "duban-demo-"));
    expect(await main(["node", "duban", "demo", "--plan", join(dir, "nope.yaml"), "--dir", join(dir, "out")], io)).toBe(1);
    expect(io.stderr).toMatch(/^duban: .*nope\.yaml:1:1: error\[FILE_UNREADABLE\]/);
    expect(io.stderr).not.toMatch(/\n\s+at /);
  });
});

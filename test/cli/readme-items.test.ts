import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import { captureIo } from "../helpers.ts";

/**
 * The README's transcripts of opened items and of an import, run as written on a fresh store: every
 * `$ duban …` line is run and what it printed (standard output, then standard error) must be the lines
 * under it, word for word. `$ sed -i 's/A/B/' FILE` edits the sheet as the reader would; the ```csv block
 * is the sheet. The transcripts cannot drift from what the CLI says.
 */
const SECTIONS = ["## Items opened while the campaign runs: 交办, 签收, 办结, 销号", "### Importing a 问题清单 or 台账"];

function section(md: string, heading: string): string {
  const start = md.indexOf(`${heading}\n`);
  if (start < 0) throw new Error(`README.md has no "${heading}"`);
  const next = md.slice(start + heading.length).search(/\n#{2,3} /);
  return next < 0 ? md.slice(start) : md.slice(start, start + heading.length + next);
}

/** Words of a shell line, double quotes kept together (the transcripts use nothing else). */
function words(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
}

interface Step {
  line: string;
  expected: string[];
}

function transcript(text: string): Step[] {
  const steps: Step[] = [];
  for (const block of text.matchAll(/```console\n([\s\S]*?)```/g))
    for (const line of block[1]!.replace(/\n$/, "").split("\n")) {
      if (line.startsWith("$ ")) steps.push({ line: line.slice(2), expected: [] });
      else steps.at(-1)!.expected.push(line);
    }
  return steps;
}

describe("README: opened items and an import, as transcribed", () => {
  const cwd = process.cwd();
  const dir = mkdtempSync(join(tmpdir(), "duban-readme-items-"));
  const saved: Record<string, string | undefined> = {};
  beforeAll(() => {
    for (const k of ["DUBAN_DB", "DUBAN_SMTP_URL", "DUBAN_EML_DIR", "DUBAN_WEBHOOKS", "DUBAN_BASE_URL"]) {
      saved[k] = process.env[k];
      delete process.env[k];
    }
    symlinkSync(resolve(cwd, "plans"), join(dir, "plans"));
    process.chdir(dir);
  });
  afterAll(() => {
    process.chdir(cwd);
    for (const [k, v] of Object.entries(saved)) if (v !== undefined) process.env[k] = v;
  });

  it("every command says what the README says it says", async () => {
    const md = readFileSync(resolve(cwd, "README.md"), "utf8");
    const texts = SECTIONS.map((h) => section(md, h));
    const sheet = /```csv\n([\s\S]*?)```/.exec(texts[1]!)![1]!;
    writeFileSync(join(dir, "问题清单.csv"), sheet);
    const steps = texts.flatMap(transcript);
    expect(steps.length).toBeGreaterThanOrEqual(10);
    for (const { line, expected } of steps) {
      const w = words(line);
      if (w[0] === "sed") {
        const [, from, to] = /^s\/(.*)\/(.*)\/$/.exec(w[2]!)!;
        const file = join(dir, w[3]!);
        writeFileSync(file, readFileSync(file, "utf8").replace(from!, to!));
        continue;
      }
      expect(w[0], line).toBe("duban");
      const io = captureIo();
      await main(["node", "duban", ...w.slice(1)], io);
      const lines = (text: string) => (text === "" ? [] : text.replace(/\n$/, "").split("\n"));
      const said = [...lines(io.stdout), ...lines(io.stderr)];
      expect(said, line).toEqual(expected);
    }
  });
});

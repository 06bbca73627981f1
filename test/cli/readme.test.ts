import { existsSync, mkdtempSync, readdirSync, readFileSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import { captureIo } from "../helpers.ts";

/**
 * The README's "Running it for real" commands, taken from README.md itself and run as written, in order,
 * on a fresh store in a fresh folder: the section cannot drift from what the CLI does on the day it is read.
 */
const SECTION = "### Running it for real";

function section(md: string, heading: string): string {
  const start = md.indexOf(`${heading}\n`);
  if (start < 0) throw new Error(`README.md has no "${heading}"`);
  const next = md.slice(start + heading.length).search(/\n#{2,3} /);
  return next < 0 ? md.slice(start) : md.slice(start, start + heading.length + next);
}

/** A shell line split into words as sh would (double and single quotes), and its trailing `# comment`. */
function shellWords(line: string): { words: string[]; comment: string } {
  const words: string[] = [];
  let word: string | undefined;
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quote) {
      if (ch === quote) quote = undefined;
      else word += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      word ??= "";
    } else if (ch === " " || ch === "\t") {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (ch === "#" && word === undefined) {
      return { words, comment: line.slice(i + 1).trim() };
    } else word = (word ?? "") + ch;
  }
  if (quote) throw new Error(`unclosed quote in: ${line}`);
  if (word !== undefined) words.push(word);
  return { words, comment: "" };
}

function commands(md: string): { line: string; args: string[]; comment: string }[] {
  const text = section(md, SECTION);
  const out = [];
  for (const block of text.matchAll(/```sh\n([\s\S]*?)```/g)) {
    for (const line of block[1]!.split("\n")) {
      if (!line.trim()) continue;
      const { words, comment } = shellWords(line);
      expect(words.slice(0, 2), `every line of the section is a duban command: ${line}`).toEqual(["npx", "duban"]);
      out.push({ line, args: words.slice(2), comment });
    }
  }
  return out;
}

/** What each command must say when it works. */
const SAYS: Record<string, { out?: RegExp; err?: RegExp }> = {
  init: { out: /^已建立专项行动“重庆市劳务中介专项整治行动”/ },
  submit: { out: /^已报送：implementation-plan\/yuzhong/ },
  return: { out: /^已退回：implementation-plan\/yuzhong/ },
  status: { out: /逾期\d+个工作日/ },
  run: { err: /"msg":"once at=\S+ events=\d+ queued=\d+ sent=[1-9]\d* retrying=0 failed=0/ },
};

describe("README: Running it for real", () => {
  const cwd = process.cwd();
  const saved: Record<string, string | undefined> = {};
  const dir = mkdtempSync(join(tmpdir(), "duban-readme-"));

  beforeAll(() => {
    // A newcomer's shell: no store, mail server or robots configured; the plans where the README says.
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

  it("runs as written on a fresh store, with the exit codes and answers the README promises", async () => {
    const list = commands(readFileSync(resolve(cwd, "README.md"), "utf8"));
    expect(list.length).toBeGreaterThanOrEqual(5);
    expect(list[0]!.args[0]).toBe("init");
    for (const { line, args, comment } of list) {
      // The daemon proper never returns: the section runs single cycles, and so does this test.
      if (args[0] === "run" && !args.includes("--once")) continue;
      const io = captureIo();
      const code = await main(["node", "duban", ...args], io);
      const refused = /^refused:\s*(.*)$/.exec(comment);
      if (refused) {
        expect(code, line).toBe(1);
        expect(io.stderr, line).toContain(refused[1]!.replace(/…$/, ""));
        expect(io.stdout, line).toBe("");
        continue;
      }
      expect(code, `${line}\n${io.stderr}`).toBe(0);
      const says = SAYS[args[0]!];
      if (says?.out) expect(io.stdout, line).toMatch(says.out);
      if (says?.err) expect(io.stderr, line).toMatch(says.err);
      // Nothing a newcomer would read as a problem: no refusal, no stack trace.
      expect(io.stderr, line).not.toMatch(/duban: |\n\s+at /);
    }
    expect(existsSync(join(dir, "duban.db"))).toBe(true);
    expect(readdirSync(join(dir, "outbox-eml")).some((n) => n.endsWith(".eml"))).toBe(true);
  });

  it("splits shell lines as sh does", () => {
    expect(shellWords(`npx duban submit a/b --as x --note "见 附件" --now 2021-05-18T10:00   # refused: 不行…`)).toEqual({
      words: ["npx", "duban", "submit", "a/b", "--as", "x", "--note", "见 附件", "--now", "2021-05-18T10:00"],
      comment: "refused: 不行…",
    });
    expect(shellWords("npx duban x --note 'a # b'").words).toEqual(["npx", "duban", "x", "--note", "a # b"]);
  });
});

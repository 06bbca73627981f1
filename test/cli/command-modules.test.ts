import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { buildProgram, commandOf, COMMAND_MODULES, main } from "../../src/cli/main.ts";
import { captureIo } from "../helpers.ts";

/** Issue 16: a command line loads only the module of the command it runs, so each list must say what its module adds. */
describe("the command modules", () => {
  it("each add exactly the commands listed for them, and together every command of the whole program in its order", async () => {
    const listed: string[] = [];
    for (const m of COMMAND_MODULES) {
      const p = new Command("duban");
      for (const register of await m.load()) register(p, captureIo(), () => {});
      expect(p.commands.map((c) => c.name())).toEqual(m.commands);
      listed.push(...m.commands);
    }
    const whole = (await buildProgram(captureIo(), "en")).commands.map((c) => c.name());
    expect(whole.filter((n) => !["validate", "plan", "simulate"].includes(n))).toEqual(listed);
  });

  it("are chosen by the command word, past the program's options and their values", () => {
    expect(commandOf(["status", "--overdue"])).toBe("status");
    expect(commandOf(["--db", "x.db", "--now", "2021-05-20T09:00+08:00", "status"])).toBe("status");
    expect(commandOf(["--db=status", "history", "a/b"])).toBe("history");
    expect(commandOf(["--campaign", "serve", "run"])).toBe("run");
    // Help, an option that is none of the program's, the end of options: every module.
    expect(commandOf(["--help"])).toBeUndefined();
    expect(commandOf(["--bogus", "status"])).toBeUndefined();
    expect(commandOf(["--", "status"])).toBeUndefined();
    expect(commandOf([])).toBeUndefined();
  });

  it("leave commander's suggestion for a mistyped command and the help of the whole program as they were", async () => {
    const typo = captureIo();
    expect(await main(["node", "duban", "--lang", "en", "statuss"], typo)).not.toBe(0);
    expect(typo.stderr).toMatch(/status/);
    const help = captureIo();
    await main(["node", "duban", "--lang", "en", "--help"], help);
    for (const m of COMMAND_MODULES) for (const n of m.commands) expect(help.stdout).toMatch(new RegExp(`^  ${n}\\b`, "m"));
  });
});

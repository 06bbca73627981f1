import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { HELP_ZH } from "../../src/cli/help-zh.ts";
import { cliLang } from "../../src/cli/lang.ts";
import { buildProgram, main } from "../../src/cli/main.ts";
import { captureIo } from "../helpers.ts";

async function duban(args: string[], env: NodeJS.ProcessEnv = { LANG: "C.UTF-8" }) {
  const io = captureIo();
  const code = await main(["node", "duban", ...args], io, env);
  return { code, ...io };
}

function descriptions(cmd: Command): string[] {
  return [cmd.description(), ...cmd.options.map((o) => o.description), ...cmd.registeredArguments.map((a) => a.description), ...cmd.commands.flatMap(descriptions)].filter(Boolean);
}

describe("the command line's own words", () => {
  it("help is Chinese by default, also under C.UTF-8, and English with --lang en or LANG=en*", async () => {
    const zh = await duban(["run", "--help"]);
    expect(zh.code).toBe(0);
    expect(zh.stdout).toMatch(/^用法：duban run \[options\]\n\n守护进程：执行截止和督办阶梯/);
    expect(zh.stdout).toContain("选项：");
    expect(zh.stdout).toContain("--catch-up <policy>");
    expect(zh.stdout).toContain("（默认：\"send\"）");
    expect(zh.stdout).toContain("-h, --help             显示帮助");
    expect(zh.stdout).not.toMatch(/Usage:|Options:|display help/);
    for (const en of [await duban(["--lang", "en", "run", "--help"]), await duban(["run", "--help", "--lang=en"]), await duban(["run", "--help"], { LANG: "en_US.UTF-8" }), await duban(["run", "--help"], { LC_ALL: "en_GB.UTF-8", LANG: "zh_CN.UTF-8" })]) {
      expect(en.stdout).toMatch(/^Usage: duban run \[options\]\n\nthe daemon: apply deadlines/);
      expect(en.stdout).toMatch(/\(default:\s+"1wd"\)/);
    }
    expect((await duban(["--help"], { LANG: "en_US.UTF-8", LC_ALL: "zh_CN.UTF-8" })).stdout).toMatch(/^用法：duban/);
    expect((await duban(["--lang", "zh", "--help"], { LANG: "en_US.UTF-8" })).stdout).toMatch(/^用法：duban/);
  });

  it("commander's own errors are Chinese, with the suggestion, then the help", async () => {
    const unknown = await duban(["stauts"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^错误：未知命令“stauts”\n（是否应为以下之一：stats, status？）\n\n用法：duban/);
    expect((await duban(["simulat"])).stderr).toMatch(/^错误：未知命令“simulat”\n（是否应为 simulate？）/);
    const option = await duban(["run", "--once", "--metrics-prot", "1"]);
    expect(option.stderr).toMatch(/^错误：未知选项“--metrics-prot”\n（是否应为 --metrics-port？）/);
    expect((await duban(["history"])).stderr).toMatch(/^错误：缺少必填参数“assignment”/);
    expect((await duban(["run", "--window"])).stderr).toMatch(/^错误：选项“--window <hours>”缺少取值/);
    expect((await duban(["plan", "x.yaml", "--format", "xml"])).stderr).toMatch(/^错误：选项“--format <format>”的取值“xml”无效；可选值：table, json, mermaid/);
    expect((await duban(["users", "add", "zhang"])).stderr).toMatch(/^错误：必须指定选项“--unit <unit-or-person>”/);
    expect((await duban(["tick", "extra"])).stderr).toMatch(/^错误：命令“tick”的参数过多：应为 0 个，实际 1 个/);
    const en = await duban(["stauts"], { LANG: "en_US.UTF-8" });
    expect(en.stderr).toMatch(/^error: unknown command 'stauts'\n\(Did you mean one of stats, status\?\)\n\nUsage: duban/);
  });

  it("our own refusals of an option are Chinese too", async () => {
    expect((await duban(["run", "--log-level", "loud"])).stderr).toBe("duban: --log-level loud：只能是 trace、debug、info、warn、error、fatal、silent 之一\n");
    expect((await duban(["run", "--metrics-port", "http"])).stderr).toBe("duban: --metrics-port http：不是端口号；请写 0 至 65535 的整数\n");
    expect((await duban(["serve", "--port", "99999"])).stderr).toBe("duban: --port 99999：不是端口号；请写 0 至 65535 的整数\n");
  });

  it("every description has its Chinese, so no new option reaches the office in English only", async () => {
    const english = descriptions(await buildProgram(captureIo(), "en")).filter((d) => !/[\u4e00-\u9fff]/.test(d.slice(0, 2)));
    expect(english.filter((d) => HELP_ZH[d] === undefined)).toEqual([]);
  });

  it("reads --lang before the locale and stops at --", () => {
    expect(cliLang(["--", "--lang", "en"], { LANG: "zh_CN.UTF-8" })).toBe("zh");
    expect(cliLang([], {})).toBe("zh");
    expect(cliLang([], { LC_MESSAGES: "en_US" })).toBe("en");
  });
});

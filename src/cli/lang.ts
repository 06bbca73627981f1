import { Help, type Argument, type Command, type HelpConfiguration, type Option } from "commander";
import { HELP_ZH } from "./help-zh.ts";

/** The language of the command line's own words (help, commander's errors). Messages about the campaign follow the plan. */
export type CliLang = "zh" | "en";

/**
 * `--lang en` (or `--lang=en`) wins, then the locale (LC_ALL, LC_MESSAGES, LANG, in POSIX order):
 * English for en*, Chinese otherwise, C.UTF-8 included, since the office's machines often say C.
 */
export function cliLang(argv: readonly string[], env: NodeJS.ProcessEnv): CliLang {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") break;
    const v = a === "--lang" ? argv[i + 1] : a.startsWith("--lang=") ? a.slice(7) : undefined;
    if (v !== undefined) return /^en/i.test(v) ? "en" : "zh";
  }
  const locale = env.LC_ALL || env.LC_MESSAGES || env.LANG || "";
  return /^en/i.test(locale) ? "en" : "zh";
}

export function zh(text: string): string {
  return HELP_ZH[text] ?? text;
}

const TITLES: [RegExp, string][] = [
  [/^Usage: ?/gm, "用法："],
  [/^Arguments:/gm, "参数："],
  [/^Options:/gm, "选项："],
  [/^Global Options:/gm, "全局选项："],
  [/^Commands:/gm, "命令："],
];

/** commander's own annotations after a description. */
function extras(text: string): string {
  return text.replace(/ ?\(default: /g, "（默认：").replace(/ ?\(choices: /g, "（可选：").replace(/ ?\(env: /g, "（环境变量：").replace(/(（(?:默认|可选|环境变量)：[^)]*)\)/g, "$1）");
}

/** Help in Chinese: the titles, each description from HELP_ZH, commander's annotations. */
export function helpConfiguration(lang: CliLang): HelpConfiguration {
  if (lang === "en") return {};
  const base = Help.prototype;
  return {
    formatHelp(cmd: Command, helper: Help) {
      let out = base.formatHelp.call(this as Help, cmd, helper);
      for (const [re, title] of TITLES) out = out.replace(re, title);
      return out;
    },
    commandDescription: (cmd: Command) => zh(base.commandDescription.call(new Help(), cmd)),
    subcommandDescription: (cmd: Command) => zh(base.subcommandDescription.call(new Help(), cmd)),
    optionDescription(option: Option) {
      return extras(base.optionDescription.call(this as Help, option).replace(option.description, zh(option.description)));
    },
    argumentDescription(argument: Argument) {
      return extras(base.argumentDescription.call(this as Help, argument).replace(argument.description, zh(argument.description)));
    },
  };
}

/** commander's error lines in Chinese; a line it does not recognise stays as commander wrote it. */
export function commanderErrorZh(text: string): string {
  const rules: [RegExp, (...m: string[]) => string][] = [
    [/^error: unknown option '(.+?)'/, (_, f) => `错误：未知选项“${f}”`],
    [/^error: unknown command '(.+?)'/, (_, c) => `错误：未知命令“${c}”`],
    [/^error: missing required argument '(.+?)'/, (_, a) => `错误：缺少必填参数“${a}”`],
    [/^error: option '(.+?)' argument missing/, (_, f) => `错误：选项“${f}”缺少取值`],
    [/^error: required option '(.+?)' not specified/, (_, f) => `错误：必须指定选项“${f}”`],
    [/^error: option '(.+?)' argument '(.*?)' is invalid\. Allowed choices are (.+?)\./, (_, f, v, c) => `错误：选项“${f}”的取值“${v}”无效；可选值：${c}`],
    [/^error: too many arguments(?: for '(.+?)')?\. Expected (\d+) arguments? but got (\d+)\./, (_, c, e, g) => `错误：${c ? `命令“${c}”的` : ""}参数过多：应为 ${e} 个，实际 ${g} 个`],
    [/^error: (.+?) cannot be used with (.+)$/, (_, a, b) => `错误：${a} 不能与 ${b} 同时使用`],
    [/^\(Did you mean one of (.+)\?\)/, (_, s) => `（是否应为以下之一：${s}？）`],
    [/^\(Did you mean (.+)\?\)/, (_, s) => `（是否应为 ${s}？）`],
  ];
  return text
    .split("\n")
    .map((line) => {
      for (const [re, fn] of rules) {
        const m = re.exec(line);
        if (m) return fn(...(m as unknown as string[])) + line.slice(m[0].length);
      }
      return line;
    })
    .join("\n");
}

import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import { loadHostSettings } from "../../src/ops/config.ts";
import { formatDiagnostic } from "../../src/plan/diagnostics.ts";
import { captureIo } from "../helpers.ts";

function configFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "duban-config-")), "duban.config.yaml");
  writeFileSync(file, text);
  return file;
}

const GOOD = `db: /var/lib/duban/duban.db
publicUrl: https://duban.example.gov.cn
log: { level: warn }
serve: { port: 8081 }
metrics: { port: 9464 }
readiness: { maxOutboxAgeMinutes: 30 }
smtp:
  urlEnv: TEST_SMTP_URL
  from: 督办办公室 <duban@example.gov.cn>
robots:
  - id: cq-districts-ding
    kind: dingtalk
    urlEnv: TEST_DING_URL
    secretEnv: TEST_DING_SECRET
`;

describe("duban.config.yaml", () => {
  it("reads every setting, secrets from the environment, and environment variables win over the file", () => {
    const file = configFile(GOOD);
    const env = { TEST_SMTP_URL: "smtp://relay:25", TEST_DING_URL: "https://oapi.dingtalk.com/robot/send?access_token=abc123456", TEST_DING_SECRET: "SEC0123456789" };
    const r = loadHostSettings({ file, env });
    expect(r.diagnostics).toEqual([]);
    expect(r.settings).toMatchObject({
      db: "/var/lib/duban/duban.db",
      publicUrl: "https://duban.example.gov.cn",
      logLevel: "warn",
      serve: { port: 8081 },
      metrics: { port: 9464 },
      maxOutboxAgeMs: 30 * 60_000,
      smtp: { url: "smtp://relay:25", from: "督办办公室 <duban@example.gov.cn>" },
      robots: [{ id: "cq-districts-ding", kind: "dingtalk", url: env.TEST_DING_URL, secret: "SEC0123456789" }],
    });
    const over = loadHostSettings({ file, env: { ...env, DUBAN_DB: "postgres://db/duban", DUBAN_LOG_LEVEL: "debug", DUBAN_PORT: "9000", DUBAN_SMTP_URL: "smtp://other:25", DUBAN_BASE_URL: "https://other.example" } });
    expect(over.settings).toMatchObject({ db: "postgres://db/duban", logLevel: "debug", serve: { port: 9000 }, smtp: { url: "smtp://other:25" }, publicUrl: "https://other.example" });
  });

  it("reports a wrong key, a wrong type and a bad value all at once, each as file:line:col", () => {
    const file = configFile(`db: ./duban.db
serve:
  prot: 8080
metrics:
  port: "9464"
log:
  level: verbose
robots:
  - id: Ding
    kind: dingtalk
    url: ftp://x
`);
    const r = loadHostSettings({ file, env: {} });
    expect(r.settings).toBeUndefined();
    const lines = r.diagnostics.map(formatDiagnostic);
    expect(lines).toEqual([
      `${file}:3:3: error[SCHEMA_UNKNOWN_KEY]: serve 中有未知键“prot”（是否应为“port”？）；可用的键：host、port`,
      `${file}:5:9: error[SCHEMA_TYPE]: metrics.port 应为整数，但这里是字符串`,
      `${file}:7:10: error[SCHEMA_VALUE]: log.level：“verbose”不是可选值；请改为以下之一：“trace”、“debug”、“info”、“warn”、“error”、“fatal”、“silent”`,
      `${file}:9:9: error[SCHEMA_VALUE]: robots[0].id：不是有效的 id，只能使用小写英文字母、数字、- 和 _`,
      `${file}:11:10: error[SCHEMA_VALUE]: robots[0].url：应以 http:// 或 https:// 开头`,
    ]);
  });

  it("names a YAML syntax error by position", () => {
    const file = configFile("serve:\n  port: [8080\n");
    const r = loadHostSettings({ file, env: {} });
    expect(r.diagnostics[0]).toMatchObject({ file, code: "YAML_SYNTAX", line: expect.any(Number) });
  });

  it("a robot secret that is not there stops the start, at the key that names it, without printing any secret", () => {
    const dir = mkdtempSync(join(tmpdir(), "duban-secret-"));
    const file = join(dir, "duban.config.yaml");
    writeFileSync(file, `robots:\n  - id: ding\n    kind: dingtalk\n    url: https://oapi.dingtalk.com/robot/send?access_token=tok-visible-in-file\n    secretEnv: DING_SECRET\n  - id: wecom\n    kind: wecom\n    urlFile: wecom.url\n`);
    const r = loadHostSettings({ file, env: {} });
    expect(r.settings).toBeUndefined();
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([
      `${file}:5:16: error[SECRET_MISSING]: 群机器人 ding 的加签密钥应从环境变量 DING_SECRET 读取，但该变量未设置或为空；请在服务的 EnvironmentFile 中设置它`,
      `${file}:8:14: error[SECRET_MISSING]: 群机器人 wecom 的地址应从文件 ${join(dir, "wecom.url")} 读取，但无法读取（ENOENT）；请检查文件是否存在、运行服务的用户能否读取`,
    ]);
    // Relative to the configuration file, trimmed.
    writeFileSync(join(dir, "wecom.url"), "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=KEY123456\n");
    const ok = loadHostSettings({ file, env: { DING_SECRET: "SECabc123456" } });
    expect(ok.settings?.robots?.map((x) => x.url)).toEqual(["https://oapi.dingtalk.com/robot/send?access_token=tok-visible-in-file", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=KEY123456"]);
  });

  it("an environment variable with a bad value is named as such", () => {
    const r = loadHostSettings({ env: { DUBAN_PORT: "http", DUBAN_LOG_LEVEL: "loud" }, cwd: mkdtempSync(join(tmpdir(), "duban-noconf-")) });
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([
      "环境变量 DUBAN_LOG_LEVEL:1:1: error[SCHEMA_VALUE]: “loud”不是可选值；请改为以下之一：trace、debug、info、warn、error、fatal、silent",
      "环境变量 DUBAN_PORT:1:1: error[SCHEMA_VALUE]: “http”不是端口号；请写 0 至 65535 的整数",
    ]);
  });

  it("`duban run` with a bad configuration prints every problem and starts nothing: no store is created", async () => {
    const dir = mkdtempSync(join(tmpdir(), "duban-badconf-"));
    const file = join(dir, "duban.config.yaml");
    writeFileSync(file, "robots:\n  - id: ding\n    kind: dingtalk\n    urlEnv: NOT_SET_ANYWHERE\nsmtp: { url: 25 }\n");
    const db = join(dir, "duban.db");
    const io = captureIo();
    expect(await main(["node", "duban", "--db", db, "--config", file, "run", "--once", "--plan", "plans/chongqing-2021.yaml"], io)).toBe(1);
    expect(io.stderr).toBe(`${file}:5:14: error[SCHEMA_TYPE]: smtp.url 应为字符串，但这里是数字\nduban: 配置有 1 个错误，未启动；请按以上提示修改后重试\n`);
    expect(existsSync(db)).toBe(false);
    writeFileSync(file, "robots:\n  - id: ding\n    kind: dingtalk\n    urlEnv: NOT_SET_ANYWHERE\n");
    const io2 = captureIo();
    expect(await main(["node", "duban", "--db", db, "--config", file, "run", "--once", "--plan", "plans/chongqing-2021.yaml"], io2)).toBe(1);
    expect(io2.stderr).toContain(`${file}:4:13: error[SECRET_MISSING]: 群机器人 ding 的地址应从环境变量 NOT_SET_ANYWHERE 读取`);
    expect(existsSync(db)).toBe(false);
  });

  it("a missing --config file is one line, not a stack", async () => {
    const io = captureIo();
    expect(await main(["node", "duban", "--config", "/nonexistent/duban.config.yaml", "status"], io)).toBe(1);
    expect(io.stderr).toBe("/nonexistent/duban.config.yaml:1:1: error[FILE_UNREADABLE]: 无法读取配置文件（ENOENT）；请检查 --config 或 DUBAN_CONFIG 指向的路径和读取权限\nduban: 配置有 1 个错误，未启动；请按以上提示修改后重试\n");
  });

  it("the store the file names serves every command, unless --db names one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "duban-confdb-"));
    const db = join(dir, "from-config.db");
    const file = configFile(`db: ${db}\n`);
    const io = captureIo();
    expect(await main(["node", "duban", "--config", file, "--now", "2021-05-10T09:00+08:00", "init", "plans/chongqing-2021.yaml"], io), io.stderr).toBe(0);
    expect(existsSync(db)).toBe(true);
  });
});

describe("DUBAN_WEBHOOKS, the older list of robots", () => {
  it("a broken file is one line at start that does not quote it (it holds the tokens)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "duban-hooks-"));
    const hooks = join(dir, "webhooks.json");
    writeFileSync(hooks, '[{ "id": "ding", "kind": "dingtalk", "url": "https://oapi.dingtalk.com/robot/send?access_token=LEAKME0123456789" ');
    const saved = process.env.DUBAN_WEBHOOKS;
    process.env.DUBAN_WEBHOOKS = hooks;
    try {
      const io = captureIo();
      expect(await main(["node", "duban", "--db", join(dir, "duban.db"), "run", "--once", "--plan", "plans/chongqing-2021.yaml"], io)).toBe(1);
      expect(io.stderr).toBe(`duban: 无法读取群机器人列表 ${hooks}（DUBAN_WEBHOOKS）：不是有效的 JSON；未启动\n`);
      expect(existsSync(join(dir, "duban.db"))).toBe(false);
    } finally {
      if (saved === undefined) delete process.env.DUBAN_WEBHOOKS;
      else process.env.DUBAN_WEBHOOKS = saved;
    }
  });
});

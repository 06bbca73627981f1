import { readFileSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import { NotifierConfigError } from "./errors.ts";
import type { WebhookEndpoint } from "./webhook-format.ts";
import { secretEnvName } from "./webhook.ts";

/** A robot as the host lists it: like WebhookEndpoint, with where its secret comes from. */
export interface RobotConfig extends WebhookEndpoint {
  /** A file holding the secret (one line); relative to the robots file. */
  secretFile?: string;
  /** DingTalk: the robot has "加签" on, so a secret is required. Feishu/Lark robots always are. */
  signed?: boolean;
}

/**
 * Puts each robot's secret in place from DUBAN_ROBOT_SECRET_<ID> (first), `secretFile`, or the robots file
 * itself; the plan never holds one. A robot that must sign and has no secret is refused here, at start,
 * all of them in one error, rather than at its first send hours later.
 */
export function resolveRobotSecrets(robots: readonly RobotConfig[], env: NodeJS.ProcessEnv, file?: string): WebhookEndpoint[] {
  const problems: string[] = [];
  const out = robots.map((r) => {
    const { secretFile, signed, ...endpoint } = r;
    const name = typeof r.id === "string" ? r.id : "";
    let secret = env[secretEnvName(name)]?.trim() || undefined;
    if (secret === undefined && secretFile !== undefined) {
      const path = isAbsolute(secretFile) || !file ? secretFile : join(dirname(file), secretFile);
      try {
        secret = readFileSync(path, "utf8").trim() || undefined;
        if (secret === undefined) problems.push(`群机器人 ${name}：密钥文件 ${path} 是空的`);
      } catch (err) {
        problems.push(`群机器人 ${name}：无法读取密钥文件 ${path}（${(err as NodeJS.ErrnoException).code ?? (err as Error).message}）`);
      }
    }
    secret ??= endpoint.secret;
    const needs = endpoint.kind === "feishu" || (endpoint.kind === "dingtalk" && signed === true);
    if (needs && secret === undefined && !problems.some((p) => p.startsWith(`群机器人 ${name}：`))) {
      const what = endpoint.kind === "feishu" ? "飞书群机器人须签名校验" : "钉钉群机器人已设为加签（signed: true）";
      problems.push(`群机器人 ${name}：${what}，但没有密钥；请设置环境变量 ${secretEnvName(name)}，或在机器人配置中给出 secretFile`);
    }
    return { ...endpoint, ...(secret !== undefined ? { secret } : {}) };
  });
  if (problems.length > 0) throw new NotifierConfigError(problems.join("\n"));
  return out;
}

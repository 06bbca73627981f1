import { actingUnits } from "../engine/authorize.ts";
import { formatInstant, type EpochMs } from "../engine/calendar.ts";
import type { Actor } from "../engine/types.ts";
import type { Campaign } from "../campaign/campaign.ts";
import type { ResolvedPlan } from "../plan/types.ts";
import { logAccess } from "./audit.ts";
import type { AccessStore } from "./store.ts";
import { hashToken, newToken } from "./tokens.ts";
import { AccessError, ROLES, type Role, type User } from "./types.ts";

/** The engine actor a user acts as; auditors act as nobody, so they cannot change anything. */
export function actorOf(user: User): Actor | undefined {
  return user.role === "auditor" ? undefined : { kind: "unit", unit: user.unit };
}

/** Whether the plan makes this unit or person the office (its unit, its director, the group leader). */
export function speaksForOffice(plan: ResolvedPlan, unit: string): boolean {
  const lg = plan.leadingGroup;
  return actingUnits(plan, { kind: "unit", unit }).has(lg.office.unit) || unit === lg.leader || unit === lg.office.director;
}

/**
 * Creates a user and returns their access token: shown once, stored only as a hash.
 * An office account must belong to the office, so the role never grants what the plan's rules do not.
 * An instant before the log's last one is refused before the account is created: nothing is written.
 */
export async function addUser(campaign: Campaign, access: AccessStore, input: { name: string; unit: string; role?: string }, now: EpochMs): Promise<{ user: User; token: string }> {
  await campaign.refresh();
  const plan = campaign.plan;
  const role = (input.role ?? "unit") as Role;
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(input.name)) throw new AccessError("BAD_NAME", `用户名“${input.name}”无效：只能用字母、数字、点、下划线和连字符`);
  if (!ROLES.includes(role)) throw new AccessError("BAD_ROLE", `角色“${input.role}”无效：只能是 unit、office 或 auditor`);
  if (!plan.units.has(input.unit)) throw new AccessError("BAD_UNIT", `计划中没有单位或人员“${input.unit}”`);
  if (role === "office" && !speaksForOffice(plan, input.unit))
    throw new AccessError("BAD_UNIT", `“${input.unit}”不属于领导小组办公室，不能开设办公室账号`);
  await campaign.assertNotBehind(now);
  const token = newToken();
  const user: User = { name: input.name, unit: input.unit, role, createdAt: formatInstant(now, plan.campaign.timezone) };
  await access.addUser(user, hashToken(token));
  await logAccess(campaign, now, "userAdded", { user: user.name, unit: user.unit, role });
  return { user, token };
}

export async function revokeUser(campaign: Campaign, access: AccessStore, name: string, now: EpochMs): Promise<void> {
  await campaign.refresh();
  await campaign.assertNotBehind(now);
  await access.revokeUser(name, formatInstant(now, campaign.plan.campaign.timezone));
  await logAccess(campaign, now, "userRevoked", { user: name });
}

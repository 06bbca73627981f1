import { cst } from "../helpers.ts";
import type { Fixture } from "./setup.ts";

const office = { kind: "unit" as const, unit: "flow" };
const district = (unit: string) => ({ kind: "unit" as const, unit });

/**
 * The web fixture moved on to 2021-05-27 10:00, a week after the implementation plans fell due (05-20):
 * 渝中区 handed its plan in on time, 涪陵区 late (both accepted), 万州区 had its deadline extended to 05-25
 * and is one ladder level up, every other district is at 三级督办.
 */
export async function boardStory(f: Fixture): Promise<void> {
  const c = f.campaign;
  await c.step({ type: "submit", assignment: "implementation-plan/yuzhong", actor: district("yuzhong"), note: "实施方案" }, cst("2021-05-19T10:00"));
  await c.step({ type: "accept", assignment: "implementation-plan/yuzhong", actor: office }, cst("2021-05-19T15:00"));
  await c.step({ type: "extend", assignment: "implementation-plan/wanzhou", actor: office, until: cst("2021-05-25T18:00"), note: "因故延期" }, cst("2021-05-20T11:00"));
  await c.step({ type: "submit", assignment: "implementation-plan/fuling", actor: district("fuling"), note: "迟交的实施方案" }, cst("2021-05-24T10:00"));
  await c.step({ type: "accept", assignment: "implementation-plan/fuling", actor: office }, cst("2021-05-24T15:00"));
  f.clock.now = cst("2021-05-27T10:00");
  await c.tick(f.clock.now);
}

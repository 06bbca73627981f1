import { calendarOf } from "../engine/calendar-of.ts";
import type { EpochMs } from "../engine/calendar.ts";
import { inAudience } from "../engine/open-item.ts";
import type { Actor, OpenRequest, UnitAction } from "../engine/types.ts";
import type { Item } from "../model/item.ts";
import type { FieldSpec, ItemKind } from "../model/kind.ts";
import type { ResolvedPlan } from "../plan/types.ts";
import { rng } from "./synthetic-actions.ts";

/**
 * A stream of items that arise while a campaign runs, for the demo: a few items of each kind the office
 * opens (交办, 督办单), reports districts open for themselves (一事一报), items opened by the units the
 * plan names as openers, and one 问题清单 of `importRows` rows. Only the openings are planned ahead; what
 * the owing units and the reviewers then do depends on the deadline the engine gives each item, and
 * comes from {@link syntheticResponses} once it is open.
 */
export interface SyntheticOpenings {
  /** Single openings, in time order. */
  openings: { at: EpochMs; request: OpenRequest }[];
  /** The 问题清单: a sheet of one kind, as its header and rows (cells as people type them), and when it is imported by whom. */
  sheet?: { at: EpochMs; kind: string; actor: Actor; header: string[]; rows: (string | Date)[][] };
}

const COMPANY_WORDS = ["渝新", "巴渝", "山城", "嘉陵", "两江", "长江", "缙云", "南山", "朝天门", "解放碑", "江北嘴", "歌乐", "鹅岭", "磁器口", "龙门", "金佛", "仙女", "武陵", "大足", "合川", "綦江", "铜梁", "璧山", "荣昌", "潼南", "梁平", "城口", "丰都", "垫江", "忠州", "开州", "云阳", "奉节", "巫溪"];
const COMPANY_TRADES = ["人力资源服务", "劳务派遣", "职业中介", "网络招聘", "人才服务"];
const PROBLEMS = [
  "未经许可从事职业中介活动",
  "发布含有歧视性内容的招聘信息",
  "劳务派遣用工比例超过规定",
  "未按规定建立服务台账",
  "向求职者收取押金",
  "提供虚假招聘信息",
  "违规泄露求职者个人信息",
  "未公示许可证及收费标准",
];
const EVENTS = [
  "某建筑企业拖欠农民工工资引发集中讨薪",
  "网络招聘平台发布虚假岗位信息被集中投诉",
  "某劳务派遣公司突然停业，派遣员工待安置",
  "求职者反映中介收费后未安排工作",
  "节前用工需求激增，无证中介活跃",
  "某人力资源服务机构负责人失联",
];

/** Units of the plan (not people) a kind lets `opener` open an item to. */
function recipientsOf(plan: ResolvedPlan, kind: ItemKind, opener: string): string[] {
  return [...plan.units.values()].filter((u) => u.kind !== "person" && inAudience(plan, kind.recipients, u.id, new Set([opener]))).map((u) => u.id);
}

/** Units of the plan (not people) that may open a kind, the office first. */
function openersOf(plan: ResolvedPlan, kind: ItemKind): string[] {
  const office = plan.leadingGroup.office.unit;
  const others = [...plan.units.values()].filter((u) => u.kind !== "person" && u.id !== office && inAudience(plan, { ...kind.openers, office: false }, u.id, new Set([u.id]))).map((u) => u.id);
  return [...(kind.openers.office ? [office] : []), ...others];
}

export function syntheticOpenings(plan: ResolvedPlan, seed = 2021, importRows = 30): SyntheticOpenings {
  const random = rng(seed + 7);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const cal = calendarOf(plan);
  const office = plan.leadingGroup.office.unit;
  // Openings fall on working days between the first week and six weeks before the end, in office hours,
  // so every deadline a kind gives (or a default one) falls inside the campaign.
  const first = cal.addWorkingDays(plan.campaign.start, 5);
  const last = cal.addWorkingDays(plan.campaign.end, -30);
  const span = cal.workingDaysBetween(first, last);
  const when = () => cal.at(cal.addWorkingDays(first, Math.floor(random() * Math.max(1, span))), `${String(9 + Math.floor(random() * 8)).padStart(2, "0")}:${String(Math.floor(random() * 60)).padStart(2, "0")}`);
  const openings: SyntheticOpenings["openings"] = [];
  let n = 0;
  const values = (kind: ItemKind, i: number, to: string) => fieldValues(plan, kind, i, to, pick);
  const importKind = [...plan.kinds.values()].find((k) => k.key.length > 0 && k.fields.length >= 2 && !k.recipients.self && !k.fields.some((f) => f.required && f.type === "attachment"));
  for (const kind of plan.kinds.values()) {
    if (kind.fields.some((f) => f.required && f.type === "attachment")) continue;
    const openers = openersOf(plan, kind);
    if (openers.length === 0) continue;
    // 一事一报: units report their own events; otherwise the office (or the units the plan names) opens a few.
    const selfOnly = kind.recipients.self && !kind.recipients.office && !kind.recipients.any && kind.recipients.units.size === 0 && !kind.recipients.taskLeads;
    const count = selfOnly ? 8 : 4;
    const used = new Set<string>();
    for (let j = 0; j < count; j++) {
      const opener = selfOnly ? pick(openers) : openers[0]!;
      const to = selfOnly ? [opener] : [pick(recipientsOf(plan, kind, opener))];
      if (!to[0]) continue;
      const fields = values(kind, n++, to[0]);
      const key = kind.key.map((k) => String(fields[k] ?? "")).join("|");
      if (kind.key.length && used.has(key)) continue;
      used.add(key);
      const title = selfOnly ? pick(EVENTS) : titleOf(plan, kind, fields);
      const level = kind.levels.length > 1 && random() < 0.3 ? kind.levels[1]!.id : undefined;
      const at = when();
      // A kind whose opener must give the date (no default) gets ten working days.
      const due = kind.due.kind === "given" && !kind.due.default ? { due: cal.at(cal.addWorkingDays(cal.dateOf(at), 10), plan.calendar.dueAt) } : {};
      openings.push({ at, request: { kind: kind.id, to, title, fields, ...(level ? { level } : {}), ...due, actor: { kind: "unit", unit: opener } } });
    }
  }
  openings.sort((a, b) => a.at - b.at);
  if (!importKind || importRows <= 0) return { openings };
  // The 问题清单 comes from the unit the plan names as opener (an inspection corps), else the office.
  const importer = openersOf(plan, importKind).find((u) => u !== office && importKind.openers.units.has(u)) ?? openersOf(plan, importKind)[0]!;
  const at = cal.at(cal.addWorkingDays(first, Math.floor(span / 3)), "10:30");
  const header = ["序号", "责任单位", ...importKind.fields.map((f) => f.title), ...(importKind.due.kind === "given" ? ["截止时间"] : [])];
  const rows: (string | Date)[][] = [];
  const keys = new Set<string>();
  for (let i = 0; rows.length < importRows && i < importRows * 4; i++) {
    const to = pick(recipientsOf(plan, importKind, importer));
    const fields = values(importKind, n++, to);
    const key = importKind.key.map((k) => String(fields[k] ?? "")).join("|");
    if (keys.has(key)) continue;
    keys.add(key);
    const unit = plan.units.get(to)!;
    const due = importKind.due.kind === "given" ? [cal.addWorkingDays(cal.dateOf(at), 5 + Math.floor(random() * 15))] : [];
    rows.push([String(rows.length + 1), unit.short ?? unit.name, ...importKind.fields.map((f) => String(fields[f.id] ?? "")), ...due]);
  }
  return { openings, sheet: { at, kind: importKind.id, actor: { kind: "unit", unit: importer }, header, rows } };
}

function titleOf(plan: ResolvedPlan, kind: ItemKind, fields: Record<string, unknown>): string {
  const named = kind.fields.find((f) => f.type === "text" && fields[f.id] !== undefined) ?? kind.fields.find((f) => f.type === "unit" && fields[f.id] !== undefined);
  if (!named) return kind.title;
  const v = String(fields[named.id]);
  return `${kind.title}：${named.type === "unit" ? (plan.units.get(v)?.short ?? plan.units.get(v)?.name ?? v) : v}`;
}

/** Plausible values of a kind's fields, by their type (a company for a 机构名称, a violation for a problem). */
function fieldValues(plan: ResolvedPlan, kind: ItemKind, i: number, to: string, pick: <T>(xs: readonly T[]) => T): Record<string, string> {
  const out: Record<string, string> = {};
  const districts = plan.groups.get("districts")?.members ?? [...plan.units.keys()];
  for (const f of kind.fields) {
    const v = valueOf(f, i, to, districts, pick);
    if (v !== undefined) out[f.id] = v;
  }
  return out;
}

function valueOf(f: FieldSpec, i: number, to: string, districts: readonly string[], pick: <T>(xs: readonly T[]) => T): string | undefined {
  switch (f.type) {
    case "text":
      return /机构|企业|公司|单位名称/.test(f.title) ? `${COMPANY_WORDS[i % COMPANY_WORDS.length]}${pick(COMPANY_TRADES)}有限公司` : `${f.title}${i + 1}`;
    case "longText":
      return pick(PROBLEMS);
    case "choice":
      return f.choices?.[0];
    case "number":
      return String(1 + (i % 40));
    case "date":
      return undefined;
    case "unit":
      return districts[i % districts.length] ?? to;
    case "attachment":
      return undefined;
  }
}

/**
 * What happens to an opened item: its units acknowledge it (签收) within hours when the kind asks them
 * to, most hand it in on time, some late, a few never; a 一事一报 is reported first, then followed up,
 * then finally; the reviewer accepts, or returns it once. All within the campaign.
 */
export function syntheticResponses(plan: ResolvedPlan, item: Item, random: () => number): { at: EpochMs; action: UnitAction }[] {
  const cal = calendarOf(plan);
  const end = plan.campaign.endAt;
  const info = item.opened;
  if (!info || item.dueAt === null) return [];
  const owner: Actor = { kind: "unit", unit: item.unit };
  const reviewer: Actor = { kind: "unit", unit: item.to };
  const out: { at: EpochMs; action: UnitAction }[] = [];
  const hour = () => `${String(9 + Math.floor(random() * 8)).padStart(2, "0")}:${String(Math.floor(random() * 60)).padStart(2, "0")}`;
  const later = (from: EpochMs, wd: number) => cal.at(cal.addWorkingDays(cal.dateOf(from), wd), hour());
  const push = (at: EpochMs, action: UnitAction) => {
    if (at > item.opensAt && at < end) out.push({ at, action });
  };
  if (item.ackDueAt !== undefined && random() < 0.85) push(item.opensAt + (1 + Math.floor(random() * 4)) * 3_600_000, { type: "acknowledge", assignment: item.id, actor: owner });
  const r = random();
  if (r > 0.9) return out;
  // On time: somewhere between the opening and the deadline; late: one to five working days after it.
  const window = item.dueAt - item.opensAt;
  let at = r < 0.75 ? item.opensAt + Math.max(3_600_000, Math.floor((window * (0.3 + random() * 0.6)) / 60_000) * 60_000) : later(item.dueAt, 1 + Math.floor(random() * 5));
  if (info.followUpEveryWorkingDays !== undefined) {
    push(at, { type: "submit", assignment: item.id, actor: owner, note: "首报" });
    at = later(at, info.followUpEveryWorkingDays - 1);
    push(at, { type: "submit", assignment: item.id, actor: owner, note: "续报" });
    at = later(at, 2);
    push(at, { type: "submit", assignment: item.id, actor: owner, note: "终报：已处置完毕", final: true });
  } else push(at, { type: "submit", assignment: item.id, actor: owner, note: "已按要求办结" });
  if (random() < 0.12) {
    const back = later(at, 1);
    push(back, { type: "return", assignment: item.id, actor: reviewer, note: "办结材料不完整，请补充" });
    at = later(back, 2);
    push(at, { type: "submit", assignment: item.id, actor: owner, note: "已补充", ...(info.followUpEveryWorkingDays !== undefined ? { final: true } : {}) });
  }
  push(later(at, 1 + Math.floor(random() * 2)), { type: "accept", assignment: item.id, actor: reviewer, note: "同意销号" });
  return out;
}

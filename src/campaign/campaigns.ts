import type { EpochMs } from "../engine/calendar.ts";
import { formatDiagnostic } from "../plan/diagnostics.ts";
import type { ResolvedPlan } from "../plan/types.ts";
import { StoreError } from "../store/errors.ts";
import type { EventStore } from "../store/store.ts";
import type { CampaignRecord } from "../store/types.ts";
import { Campaign, type InitOptions } from "./campaign.ts";
import { CampaignError } from "./errors.ts";

/**
 * The campaigns of one store: adding one from a plan file, and finding the one a command means. Each
 * campaign runs on its own log (EventStore.campaignLog), so Campaign itself never knows it has neighbours.
 */

export interface StoreCampaign {
  record: CampaignRecord;
  log: EventStore;
}

/**
 * Adds the plan's campaign to the store, or opens it when the store already runs that very plan version.
 * The same campaign id with another plan is refused: a plan change goes through `plan apply`.
 */
export async function addCampaign(store: EventStore, file: string, now: EpochMs, opts: InitOptions = {}): Promise<Campaign> {
  const { loadPlan } = await import("../plan/load.ts");
  const loaded = loadPlan(file, opts.calendarData ? { calendarData: opts.calendarData } : {});
  if (!loaded.plan) throw new CampaignError("PLAN_INVALID", loaded.diagnostics.map(formatDiagnostic).join("\n"));
  const id = loaded.plan.campaign.id;
  const records = await store.campaigns();
  const existing = records.find((r) => r.id === id);
  if (existing) return initOn(store.campaignLog(existing.prefix), file, now, opts, id);
  // A sub-plan runs under its parent's plan as the store runs it now: checked before anything is written.
  const parent = loaded.plan.parent;
  if (parent) await checkAgainstParent(store, records, loaded.plan, loaded.text);
  let record: CampaignRecord;
  try {
    record = await store.addCampaign(id, parent ? { parent: parent.campaign } : {});
  } catch (err) {
    // Another process added it in between: open or refuse as above.
    if (err instanceof StoreError && err.code === "CAMPAIGN_EXISTS") return addCampaign(store, file, now, opts);
    throw err;
  }
  try {
    return await initOn(store.campaignLog(record.prefix), file, now, opts, id);
  } catch (err) {
    // A refused init (an ended campaign without --archive) leaves no empty campaign behind.
    await store.dropEmptyCampaign(id).catch(() => {});
    throw err;
  }
}

/**
 * Refuses a sub-plan whose parent campaign is not in the store, or that does not fit the parent's current
 * plan (checkParent): every problem at its position in the sub-plan, nothing written.
 */
export async function checkAgainstParent(store: EventStore, records: readonly CampaignRecord[], child: ResolvedPlan, text: string): Promise<void> {
  const ref = child.parent!;
  const record = records.find((r) => r.id === ref.campaign);
  const parentPlan = record ? (await Campaign.open(store.campaignLog(record.prefix))).plan : undefined;
  const { checkParentOfText } = await import("../plan/parent.ts");
  const problems = checkParentOfText(child, text, parentPlan);
  if (!problems.length) return;
  const known = records.length ? `；此存储中的专项行动：${records.map((r) => r.id).join("、")}` : "";
  throw new CampaignError("PARENT_INVALID", [...problems.map(formatDiagnostic), `未建立：下级计划与上级专项行动“${ref.campaign}”不符${record ? "" : known}`].join("\n"));
}

/**
 * Refuses a new version of a parent campaign's plan that its sub-plans in the store no longer fit (an item
 * they serve removed, a deadline moved before theirs): every problem, named by sub-plan.
 */
export async function checkChildrenOf(store: EventStore, parentId: string, next: ResolvedPlan): Promise<void> {
  const problems: string[] = [];
  // The sub-plans' texts are parsed only here: opening the store's campaigns never loads the YAML parser.
  const { checkParentOfText } = await import("../plan/parent.ts");
  for (const r of (await store.campaigns()).filter((x) => x.parent === parentId)) {
    const log = store.campaignLog(r.prefix);
    const child = (await Campaign.open(log)).plan;
    const text = await log.getPlan(child.hash);
    if (text === undefined) continue;
    const found = checkParentOfText(child, text, next);
    if (found.length) problems.push(`下级专项行动“${child.campaign.title}”（${r.id}）：`, ...found.map((d) => `  ${formatDiagnostic(d)}`));
  }
  if (problems.length) throw new CampaignError("PARENT_INVALID", [`新计划与此存储中的下级专项行动不符，未执行任何修改：`, ...problems, "请先修改下级计划（duban --campaign <下级> plan apply），或调整新计划"].join("\n"));
}

async function initOn(log: EventStore, file: string, now: EpochMs, opts: InitOptions, id: string): Promise<Campaign> {
  try {
    return await Campaign.init(log, file, now, opts);
  } catch (err) {
    if (err instanceof CampaignError && err.code === "ALREADY_INITIALISED") {
      const running = await Campaign.open(log);
      throw new CampaignError(
        "CAMPAIGN_EXISTS",
        `此存储中已有编号为 ${id} 的专项行动（计划版本 ${running.plan.hash.slice(0, 12)}），两个专项行动不能同用一个编号；如需修改它的计划，请使用 duban --campaign ${id} plan apply ${file}；如是另一项专项行动，请在计划中改用新的 campaign.id`,
      );
    }
    throw err;
  }
}

/** The ids, one a line, as the refusals below list them. */
function idList(records: CampaignRecord[]): string {
  return records.map((r) => `  ${r.id}`).join("\n");
}

/**
 * The campaign a command means: the one named (`--campaign`), else the store's only one. With several and
 * none named, the refusal lists them. An empty store gives its unprefixed log, where `init` puts the first.
 */
export async function campaignOf(store: EventStore, wanted: string | undefined): Promise<StoreCampaign> {
  const records = await store.campaigns();
  if (wanted !== undefined) {
    const r = records.find((x) => x.id === wanted);
    if (!r) {
      throw new CampaignError(
        "CAMPAIGN_UNKNOWN",
        records.length ? `--campaign ${wanted}：此存储中没有这个专项行动；现有：\n${idList(records)}` : `--campaign ${wanted}：此存储中还没有专项行动；请先运行 duban init <计划文件>`,
      );
    }
    return { record: r, log: store.campaignLog(r.prefix) };
  }
  if (records.length > 1) {
    throw new CampaignError("CAMPAIGN_REQUIRED", `此存储中有 ${records.length} 个专项行动，请用 --campaign 指定其一（duban campaigns 列出各项的状态）：\n${idList(records)}`);
  }
  const only = records[0];
  return only ? { record: only, log: store.campaignLog(only.prefix) } : { record: { id: "", prefix: "", createdAt: "" }, log: store };
}

/** Every campaign of the store with its log, in the order they were added. */
export async function allCampaigns(store: EventStore): Promise<StoreCampaign[]> {
  return (await store.campaigns()).map((record) => ({ record, log: store.campaignLog(record.prefix) }));
}

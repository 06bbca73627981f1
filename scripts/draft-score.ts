/**
 * Precision and recall of `duban draft` on the seed notice against the shipped plan:
 *   node --import tsx scripts/draft-score.ts [NOTICE] [PLAN]
 * The notice is drafted with the plan's own units (as an office drafts with its units file), so ids agree.
 * Elements: campaign window, phases (name and window), tasks (number, lead, support), leading-group people and
 * the office, deliverables (due date and recipient, or recurrence). A drafted element that the plan lacks
 * lowers precision; a plan element the draft lacks lowers recall. A plan deliverable marked `assumed:` has a
 * date the notice does not give (140号, 适时): the draft holds it as a todo, so a second recall leaves those out.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { draftNoticeFile } from "../src/draft/index.ts";

// The seed document lies outside the repository: name it, or set DUBAN_SEED_DIR to its folder.
const seedDir = process.env.DUBAN_SEED_DIR;
const notice = process.argv[2] ?? (seedDir ? join(seedDir, "chongqing-labour-intermediary-campaign-2021.txt") : undefined);
if (notice === undefined || !existsSync(notice)) {
  console.error(`draft-score: 找不到通知文件${notice ? ` ${notice}` : ""}；请写出文件路径（node --import tsx scripts/draft-score.ts 通知.txt），或设置 DUBAN_SEED_DIR 为种子文件所在目录`);
  process.exit(2);
}
const planFile = process.argv[3] ?? "plans/chongqing-2021.yaml";
const r = await draftNoticeFile(notice, { unitsFile: planFile, fallbackYear: new Date().getFullYear(), schemaPath: "" });
if (!r.ok) {
  console.error(r.message);
  process.exit(1);
}
type Obj = Record<string, any>;
const drafted = parse(r.emitted.text) as Obj;
const plan = parse(readFileSync(planFile, "utf8")) as Obj;

function elements(p: Obj): Map<string, string[]> {
  const phase = new Map<string, Obj>((p.phases ?? []).map((x: Obj) => [x.id, x]));
  const due = (d: Obj) => {
    const m = /^(start|end):([\w-]+)$/.exec(String(d.due ?? ""));
    return m ? String(phase.get(m[2]!)?.[m[1]!]) : String(d.due);
  };
  const sorted = (xs: unknown[] = []) => [...xs].map(String).sort().join(",");
  return new Map([
    ["campaign", [`${p.campaign?.start}..${p.campaign?.end}`]],
    ["phases", (p.phases ?? []).map((x: Obj) => `${x.name} ${x.start}..${x.end}`)],
    ["tasks", (p.tasks ?? []).map((t: Obj) => `${t.number ?? t.no} lead=${t.lead} support=${sorted((t.support ?? []).filter((s: string) => s !== t.lead))}`)],
    [
      "leadingGroup",
      [
        ...(p.leadingGroup?.leader ? [`leader ${p.leadingGroup.leader}`] : []),
        ...(p.leadingGroup?.deputies ?? []).map((d: string) => `deputy ${d}`),
        ...(p.leadingGroup?.members ?? []).map((m: Obj) => `member ${m.person}@${m.unit}`),
        ...(p.leadingGroup?.office ? [`office ${p.leadingGroup.office.unit}/${p.leadingGroup.office.director}`] : []),
      ],
    ],
    ["deliverables", (p.deliverables ?? []).map((d: Obj) => (d.recurring ? `recurring ${JSON.stringify(d.recurring)} to=${d.to ?? "office"}` : `due ${due(d)} to=${d.to ?? "office"}`))],
  ]);
}

const a = elements(drafted);
const b = elements(plan);
let tp = 0;
let nDraft = 0;
let nPlan = 0;
let missedAssumed = 0;
const assumed = new Set(elements({ ...plan, deliverables: (plan.deliverables ?? []).filter((d: Obj) => d.assumed) }).get("deliverables"));
console.log(`${notice} → 草稿 对照 ${planFile}`);
for (const [kind, mine] of a) {
  const theirs = [...(b.get(kind) ?? [])];
  let hit = 0;
  const extra: string[] = [];
  for (const e of mine) {
    const i = theirs.indexOf(e);
    if (i >= 0) {
      hit++;
      theirs.splice(i, 1);
    } else extra.push(e);
  }
  tp += hit;
  nDraft += mine.length;
  nPlan += b.get(kind)?.length ?? 0;
  console.log(`${kind.padEnd(13)} 草稿 ${mine.length}，计划 ${b.get(kind)?.length ?? 0}，一致 ${hit}`);
  for (const e of extra) console.log(`  草稿多出：${e}`);
  for (const e of theirs) console.log(`  草稿缺少：${e}${kind === "deliverables" && assumed.has(e) ? "（计划注明 assumed：文件未写日期，草稿列为待办）" : ""}`);
  if (kind === "deliverables") missedAssumed = theirs.filter((e) => assumed.has(e)).length;
}
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
console.log(`precision ${pct(tp / nDraft)} (${tp}/${nDraft})  recall ${pct(tp / nPlan)} (${tp}/${nPlan})  todo ${r.emitted.todoCount}`);
console.log(`recall of what the notice dates (without the ${missedAssumed} assumed) ${pct(tp / (nPlan - missedAssumed))} (${tp}/${nPlan - missedAssumed})`);

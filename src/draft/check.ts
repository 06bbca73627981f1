import { parse } from "yaml";
import { DiagnosticSink, formatDiagnostic } from "../plan/diagnostics.ts";
import { loadPlan } from "../plan/load.ts";
import { readPlanSource, toData, type PathSegment } from "../plan/source.ts";
import type { PlanInput } from "../plan/types.ts";
import { draftFromDocument } from "./draft.ts";
import { emitPlan } from "./emit.ts";
import { readNotice } from "./read-document.ts";
import { readUnitsFile } from "./units-file.ts";

/**
 * The faithfulness review: a notice against a plan. The notice is drafted with the plan's own units (so the
 * ids agree), and the two are compared element by element: what the plan asks that the notice does not
 * state, what the notice asks that the plan lacks, and dates that differ.
 */
export interface CheckReport {
  lines: string[];
  /** 0: nothing differs; 1: differences (or an unreadable input). */
  exit: number;
}

type Obj = Record<string, any>;

function bigrams(s: string): Set<string> {
  const out = new Set<string>();
  const t = s.replace(/[\s“”"（）()、，。]/g, "");
  for (let i = 0; i < t.length - 1; i++) out.add(t.slice(i, i + 2));
  return out;
}

/** Dice similarity of two titles by character pairs: 专项整治具体实施方案 ~ 具体实施方案. */
export function similarity(a: string, b: string): number {
  const x = bigrams(a);
  const y = bigrams(b);
  if (!x.size || !y.size) return 0;
  let n = 0;
  for (const g of x) if (y.has(g)) n++;
  return (2 * n) / (x.size + y.size);
}

const same = (a: unknown[] = [], b: unknown[] = []) => a.length === b.length && a.every((x) => b.includes(x));
/** The task's number in the document, under either spelling of the key (`no` is being renamed `number`). */
const taskNo = (t: Obj): number | undefined => (t.number ?? t.no) as number | undefined;

export async function checkDraft(noticeFile: string, planFile: string, opts: { year?: number; fallbackYear: number }): Promise<CheckReport> {
  const loaded = loadPlan(planFile);
  const blocking = loaded.diagnostics.filter((d) => d.severity === "error" && d.code !== "UNRESOLVED_TODO");
  if (blocking.length) return { lines: [...blocking.map(formatDiagnostic), `${planFile}：计划有错误，无法对照；请先修正`], exit: 1 };
  const sink = new DiagnosticSink();
  const source = readPlanSource(planFile, sink);
  const plan = toData(source, sink) as PlanInput & Obj;
  const at = (path: PathSegment[]) => {
    const p = source.position(path);
    return `${p.file}:${p.line}:${p.col}`;
  };

  const units = readUnitsFile(planFile);
  if (!units.ok) return { lines: [units.message], exit: 1 };
  const read = await readNotice(noticeFile);
  if (!read.ok) return { lines: [read.message], exit: 1 };
  const year = opts.year ?? (Number(String(plan.campaign.start).slice(0, 4)) || opts.fallbackYear);
  const draft = draftFromDocument(read.doc, { year, fallbackYear: opts.fallbackYear });
  const drafted = parse(emitPlan(draft, { schemaPath: "", registry: units.registry }).text) as Obj;

  const planOnly: string[] = [];
  const docOnly: string[] = [];
  const dates: string[] = [];
  const review: string[] = [];
  const agreed = { phases: 0, tasks: 0, deliverables: 0, kinds: 0, people: 0 };

  // Campaign window.
  if (drafted.campaign.start && drafted.campaign.start !== String(plan.campaign.start))
    dates.push(`${at(["campaign", "start"])}: 专项行动开始日期：计划 ${plan.campaign.start}，文件 ${drafted.campaign.start}（${draft.periodSource?.section ?? ""}）`);
  if (drafted.campaign.end && drafted.campaign.end !== String(plan.campaign.end))
    dates.push(`${at(["campaign", "end"])}: 专项行动结束日期：计划 ${plan.campaign.end}，文件 ${drafted.campaign.end}（${draft.periodSource?.section ?? ""}）`);

  // Phases by name.
  const phaseDate = new Map<string, { start: string; end: string }>();
  for (const p of plan.phases) phaseDate.set(p.id, { start: String(p.start), end: String(p.end) });
  const draftPhases = (drafted.phases ?? []) as Obj[];
  plan.phases.forEach((p, i) => {
    const d = draftPhases.find((x) => x.name === p.name);
    if (!d) return void planOnly.push(`${at(["phases", i])}: 阶段“${p.name}”：文件中没有这个阶段`);
    if (String(d.start) !== String(p.start) || String(d.end) !== String(p.end))
      dates.push(`${at(["phases", i])}: 阶段“${p.name}”：计划 ${p.start} 至 ${p.end}，文件 ${d.start} 至 ${d.end}（${draft.phases.find((x) => x.name === p.name)?.source.section}）`);
    else agreed.phases++;
  });
  for (const d of draftPhases) if (!plan.phases.some((p) => p.name === d.name)) docOnly.push(`阶段“${d.name}”（${d.start} 至 ${d.end}）：计划中没有`);

  // Tasks by number, else by title.
  const planTasks = (plan.tasks ?? []) as Obj[];
  const draftTasks = (drafted.tasks ?? []) as Obj[];
  const usedTasks = new Set<Obj>();
  const taskIdOf = new Map<string, string>(); // drafted task id → the plan's
  planTasks.forEach((t, i) => {
    const d = draftTasks.find((x) => !usedTasks.has(x) && (taskNo(x) === taskNo(t) || x.title === t.title));
    if (!d) return void planOnly.push(`${at(["tasks", i])}: 任务“${t.title}”：文件中没有这项任务`);
    usedTasks.add(d);
    taskIdOf.set(d.id, t.id);
    const diffs: string[] = [];
    if (d.title !== t.title) diffs.push(`标题：文件为“${d.title}”`);
    if (d.lead !== t.lead) diffs.push(`牵头单位：计划 ${t.lead}，文件 ${d.lead}`);
    const support = ((t.support ?? []) as string[]).filter((s) => s !== t.lead);
    if (!same(support, d.support ?? [])) diffs.push(`配合单位：计划 [${support.join(", ")}]，文件 [${(d.support ?? []).join(", ")}]`);
    if (diffs.length) docOnly.push(`${at(["tasks", i])}: 任务（${taskNo(t) ?? "?"}）与文件不一致：${diffs.join("；")}`);
    else agreed.tasks++;
  });
  for (const d of draftTasks) if (!usedTasks.has(d)) docOnly.push(`任务（${taskNo(d)}）“${d.title}”：计划中没有`);

  // The leading group.
  const lg = plan.leadingGroup as Obj;
  const dl = (drafted.leadingGroup ?? {}) as Obj;
  if (dl.leader && dl.leader !== lg.leader) docOnly.push(`${at(["leadingGroup", "leader"])}: 组长：计划 ${lg.leader}，文件 ${dl.leader}`);
  else if (dl.leader) agreed.people++;
  const planPeople = ((lg.members ?? []) as Obj[]).map((m) => m.person as string);
  const docPeople = ((dl.members ?? []) as Obj[]).map((m) => m.person as string);
  for (const p of planPeople) if (!docPeople.includes(p)) planOnly.push(`${at(["leadingGroup", "members"])}: 领导小组成员 ${p}：文件中没有`);
  for (const p of docPeople) if (!planPeople.includes(p)) docOnly.push(`领导小组成员 ${p}：计划中没有`);
  agreed.people += planPeople.filter((p) => docPeople.includes(p)).length;
  if (dl.office?.unit && dl.office.unit !== lg.office?.unit) docOnly.push(`${at(["leadingGroup", "office", "unit"])}: 办公室所在单位：计划 ${lg.office?.unit}，文件 ${dl.office.unit}`);
  if (dl.office?.director && dl.office.director !== lg.office?.director) docOnly.push(`${at(["leadingGroup", "office"])}: 办公室主任：计划 ${lg.office?.director ?? "（未写）"}，文件 ${dl.office.director}`);

  // Kinds: items opened while the campaign runs have no date to draft. A kind agrees when the words its
  // source quotes are the notice's own; it then settles the todo the drafter left for that sentence (an
  // event-driven report, a 适时 item), whose deadline the notice does not set: the plan must mark it assumed.
  const squeeze = (s: string) => s.replace(/\s+/g, "");
  const noticeText = squeeze(read.doc.blocks.map((b) => (b.kind === "para" ? b.text : b.rows.flat().join(""))).join(""));
  const settled = new Set<Obj>();
  ((plan.kinds ?? []) as Obj[]).forEach((k, i) => {
    const label = `${at(["kinds", i])}: 开启事项“${k.title}”（${k.id}）`;
    const quote = /“(.+)”/.exec(String(k.source ?? ""))?.[1];
    if (!quote) return void review.push(`${label}：出处没有引用文件原文（source 中用“”引出），无法对照`);
    if (!noticeText.includes(squeeze(quote))) return void planOnly.push(`${label}：文件中没有出处所引的原文“${quote}”`);
    const todos = ((drafted.todo ?? []) as Obj[]).filter((t) => t.source && squeeze(String(t.source)).includes(squeeze(quote)));
    for (const t of todos) settled.add(t);
    if (todos.length && k.assumed === undefined) dates.push(`${label}：计划写了期限，文件没有写明期限（${todos[0]!.source}）；请核实，或用 assumed 写明所依据的假定`);
    else agreed.kinds++;
  });

  // Deliverables: same due and recipient first (the closest title wins), then a similar title with another date.
  const dueOf = (d: Obj): string | undefined => {
    if (d.due === undefined) return undefined;
    const m = /^(start|end):([\w-]+)$/.exec(String(d.due).replace(/\s/g, ""));
    if (m) return phaseDate.get(m[2]!)?.[m[1] as "start" | "end"];
    return String(d.due);
  };
  const toOf = (d: Obj) => (d.to === undefined || d.to === "office" ? "office" : d.to);
  const planDel = ((plan.deliverables ?? []) as Obj[]).map((d, i) => ({ d, i, due: dueOf(d), done: false }));
  const docDel = ((drafted.deliverables ?? []) as Obj[]).map((d) => ({ d, due: dueOf(d), done: false }));
  for (const d of [...((drafted.deliverables ?? []) as Obj[]), ...((drafted.todo ?? []) as Obj[]).map((t) => t.draft ?? {})]) if (d.task) d.task = taskIdOf.get(d.task) ?? d.task;
  const todoDrafts = ((drafted.todo ?? []) as Obj[]).filter((t) => t.draft && !settled.has(t)).map((t) => ({ t, done: false }));
  const label = (p: { d: Obj; i: number; due?: string }) => `${at(["deliverables", p.i])}: “${p.d.title}”（${p.d.id}，${p.due ?? (p.d.recurring ? "定期" : p.d.due)}）`;
  const pairs = planDel.flatMap((p) => docDel.filter((x) => x.due === p.due && toOf(x.d) === toOf(p.d) && !x.d.recurring === !p.d.recurring).map((x) => ({ p, x, s: similarity(p.d.title, x.d.title) })));
  pairs.sort((a, b) => b.s - a.s);
  for (const { p, x } of pairs) {
    if (p.done || x.done) continue;
    p.done = x.done = true;
    agreed.deliverables++;
  }
  for (const p of planDel.filter((p) => !p.done)) {
    // The notice states it without a date: a todo whose title is the plan's (部分区县…成效评估, asked 适时), or
    // one with the plan's recipient and task (另行报送市劳动保障监察总队, its dates left to 140号).
    const deferred =
      todoDrafts.filter((t) => similarity(p.d.title, t.t.draft.title) >= 0.5).sort((a, b) => similarity(p.d.title, b.t.draft.title) - similarity(p.d.title, a.t.draft.title))[0] ??
      todoDrafts.find((t) => toOf(t.t.draft) === toOf(p.d) && (t.t.draft.task === undefined || t.t.draft.task === p.d.task));
    if (deferred) {
      // The plan may state the date it assumes (`assumed:`): then it says, as the notice does, that the date is not the notice's.
      deferred.done = true;
      if (p.d.assumed) {
        p.done = true;
        agreed.deliverables++;
        continue;
      }
      dates.push(`${label(p)}：计划写了日期，文件没有写明日期，${deferred.t.document ? `交由 ${deferred.t.document} 规定` : /“(适时|择机|适当时候|不定期)”/.test(deferred.t.what) ? `只写“${/“(适时|择机|适当时候|不定期)”/.exec(deferred.t.what)![1]}”` : "需另行确定"}（${deferred.t.source}）`);
      p.done = true;
      continue;
    }
    const similar = docDel.filter((x) => !x.done && toOf(x.d) === toOf(p.d) && similarity(p.d.title, x.d.title) >= 0.35).sort((a, b) => similarity(p.d.title, b.d.title) - similarity(p.d.title, a.d.title))[0];
    if (similar) {
      similar.done = p.done = true;
      dates.push(`${label(p)}：计划 ${p.due ?? "定期"}，文件 ${similar.due ?? "定期"}（${similar.d.source}）`);
      continue;
    }
  }
  for (const p of planDel.filter((p) => !p.done)) planOnly.push(`${label(p)}：文件没有要求报送此项${p.d.source ? `（计划注明的出处 ${p.d.source} 中没有这样的要求）` : ""}`);
  for (const x of docDel.filter((x) => !x.done)) docOnly.push(`“${x.d.title}”（${x.due ?? "定期"}，${(x.d.from ?? []).join(", ")} → ${toOf(x.d)}）：${x.d.source}`);
  for (const t of todoDrafts.filter((t) => !t.done)) docOnly.push(`“${t.t.draft.title}”（日期未定${t.t.document ? `，依 ${t.t.document}` : ""}）：${t.t.source}`);
  for (const t of (drafted.todo ?? []) as Obj[]) if (!t.draft && t.source && !settled.has(t)) review.push(`${t.what}：${t.source}`);

  const section = (title: string, items: string[]) => (items.length ? [`${title}（${items.length}）：`, ...items.map((l) => `  ${l}`)] : []);
  const lines = [
    `对照 ${noticeFile} 与 ${planFile}`,
    ...section("计划要求、文件未写明", planOnly),
    ...section("文件要求、计划缺少或不一致", docOnly),
    ...section("日期不同", dates),
    ...section("请人工核对（文件的要求没有固定日期，计划格式无法直接对照）", review),
    `一致：阶段 ${agreed.phases}，任务 ${agreed.tasks}，报送事项 ${agreed.deliverables}，${agreed.kinds ? `开启事项 ${agreed.kinds}，` : ""}领导小组 ${agreed.people} 人`,
  ];
  const differs = planOnly.length + docOnly.length + dates.length > 0;
  if (!differs) lines.push("计划与文件一致");
  return { lines, exit: differs ? 1 : 0 };
}

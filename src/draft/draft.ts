import { campaignPeriod, campaignYears, recognisePhases, recogniseTaskTables, recogniseTasks } from "./recognise-structure.ts";
import { inferYear } from "./dates.ts";
import type { Draft } from "./model.ts";
import { buildOutline, sectionText } from "./outline.ts";
import type { NoticeDocument } from "./read-document.ts";
import { recogniseJointGroups, recogniseLeadingGroup } from "./recognise-leading-group.ts";
import { recogniseObligations } from "./recognise-obligations.ts";

export interface DraftOptions {
  /** The campaign's year when the document does not say it. */
  year?: number;
  /** The year to assume when neither the document nor the caller gives one (the CLI passes today's). */
  fallbackYear: number;
}

/** 重庆市人力资源和社会保障局关于开展…的通知 → issuer and subject; …工作方案 → the campaign's name. */
function titles(t: string): { title: string; issuer?: string; document: string } {
  const notice = /^(.+?)关于(?:印发)?《?(.+?)》?的通知$/.exec(t);
  const subject = notice ? notice[2]! : t;
  const title = subject.replace(/^(开展|印发)/, "").replace(/(的)?(工作|实施)?方案$/, "");
  return { title: title || subject, document: t, ...(notice ? { issuer: notice[1]! } : {}) };
}

/** Reads the structure of a notice into a draft; pure (no I/O, no clock). */
export function draftFromDocument(doc: NoticeDocument, opts: DraftOptions): Draft {
  const o = buildOutline(doc.blocks);
  const allText = [...o.titles.map((t) => t.text), ...o.preamble, ...o.sections.map((s) => [s.title, ...s.paras].join("\n"))].join("\n");
  const yearFound = opts.year === undefined ? inferYear(allText, o.signature?.date?.year) : undefined;
  const year = opts.year ?? yearFound?.year ?? opts.fallbackYear;

  // The plan is the attachment's 方案 when there is one; the notice's own title names the issuer.
  const planTitle = o.titles.find((t) => t.attachment && /方案|计划/.test(t.text)) ?? o.titles[0];
  const noticeTitle = o.titles.find((t) => !t.attachment);
  const named = planTitle ? titles(planTitle.text) : { title: doc.file.replace(/^.*\//, "").replace(/\.[^.]+$/, ""), document: undefined };
  const issuerFromNotice = noticeTitle ? titles(noticeTitle.text).issuer : undefined;

  const draft: Draft = {
    file: doc.file,
    encoding: doc.encoding,
    title: named.title,
    ...(named.document ? { document: named.document } : {}),
    year,
    ...(yearFound ? { yearSource: yearFound.quote } : {}),
    phases: [],
    tasks: [],
    deliverables: [],
    groups: [],
    todos: [],
    warnings: [],
  };
  if (opts.year === undefined && !yearFound) {
    draft.todos.push({ what: `文件没有写明年份，草稿按 ${year} 年处理；请核对所有日期的年份` });
  }

  const issuer = o.signature?.issuer ?? issuerFromNotice ?? ("issuer" in named ? named.issuer : undefined);
  if (issuer) {
    draft.issuer = issuer;
    draft.issuerSource = { section: o.signature?.issuer ? "落款" : "标题", quote: o.signature?.issuer ? `${o.signature.issuer} ${o.signature.line}` : (noticeTitle ?? planTitle)!.text };
  } else {
    // 决定成立市人力社保局…领导小组: the body that sets up the group issues the plan.
    for (const s of o.sections) {
      const m = /决定成立(?:由)?((?:[\u4e00-\u9fff]{1,6}(?:省|市|区|县))?[\u4e00-\u9fff]{1,10}?(?:局|厅|委|部|政府|办))/.exec(sectionText(s));
      if (m) {
        draft.issuer = m[1]!;
        draft.issuerSource = { section: s.number, quote: m[0] };
        break;
      }
    }
  }

  const period = campaignPeriod(o, year);
  draft.phases = recognisePhases(o, year, period);
  if (period) {
    draft.start = period.start;
    draft.end = period.end;
    draft.periodSource = period.source;
  } else if (draft.phases.length) {
    draft.start = draft.phases[0]!.start;
    draft.end = draft.phases[draft.phases.length - 1]!.end;
    draft.periodSource = { section: draft.phases[0]!.source.section, quote: draft.phases.map((p) => p.source.quote).join("；") };
  }
  // A campaign from November to January: its months before the start month are in the next year.
  const years = draft.start ? campaignYears({ start: draft.start }) : { year };
  draft.tasks = [...recogniseTasks(o, years), ...recogniseTaskTables(o, years)];
  draft.leadingGroup = recogniseLeadingGroup(o);
  draft.groups = recogniseJointGroups(o);

  const known = new Set<string>();
  for (const t of draft.tasks) for (const u of [t.lead, ...t.support]) if (u) known.add(u);
  const found = recogniseObligations(o, {
    year: years,
    phases: draft.phases,
    ...(period ? { campaign: period } : {}),
    isUnit: (n) => known.has(n) || /(局|处|总队|中心|办|委)$/.test(n),
  });
  draft.deliverables = found.deliverables;
  draft.todos.push(...found.todos);

  if (!draft.phases.length && !draft.tasks.length && !draft.deliverables.length && !draft.leadingGroup) {
    draft.todos = [{ what: "文件中没有识别出阶段、任务、报送事项或领导小组（可能不是专项行动的通知或工作方案）；请对照文件手工编写计划" }];
    draft.warnings.push("没有识别出任何结构（阶段、任务、报送事项、领导小组）；草稿只有标题和一条待办");
    return draft;
  }
  if (!draft.start || !draft.end) draft.todos.push({ what: "文件没有写明专项行动的起止时间；请填写 campaign.start 和 campaign.end" });
  if (!draft.issuer) draft.todos.push({ what: "文件没有写明印发单位；请填写 campaign.issuer" });
  if (!draft.phases.length) draft.todos.push({ what: "文件没有分阶段；请至少写一个阶段（可与专项行动起止相同）" });
  if (!draft.leadingGroup?.leader) draft.todos.push({ what: "文件没有写明领导小组组长；请填写 leadingGroup.leader" });
  if (!draft.leadingGroup?.office?.unit) draft.todos.push({ what: "文件没有写明领导小组办公室设在哪个单位；请填写 leadingGroup.office.unit" });
  for (const t of draft.tasks) {
    if (!t.lead) draft.todos.push({ what: `任务（${t.number}）“${t.title}”没有牵头单位`, source: t.source });
    else if (/[、，]/.test(t.source.quote.split(/牵头(?:部门|单位)[:：]/)[1]?.split(/[；;]/)[0] ?? ""))
      draft.todos.push({ what: `任务（${t.number}）“${t.title}”写了多个牵头单位，计划只能有一个 lead（其余已列入 support）；请确认`, source: t.source });
  }
  return draft;
}

import type { IsoDate } from "../engine/calendar.ts";
import { cnNumber, deadlines, type YearRule } from "./dates.ts";
import type { DraftDeliverable, DraftPhase, DraftTodo, SourceRef } from "./model.ts";
import { sentences, type Outline, type Section } from "./outline.ts";
import { splitUnits } from "./recognise-structure.ts";

/**
 * Deliverables from sentences that ask someone to hand something in: by a date (于6月15日前…报送…), on a
 * recurrence (每月8日、18日、28日前), or by the end of the phase whose heading gives the window (自查阶段（5月20日前）：
 * 制定具体实施方案). What the document asks without a date, defers to another document, or asks "as it arises"
 * becomes a TODO with its quote: the drafter never supplies a date the document does not give.
 */

const VERB = /(报送|上报|提交|报至|报告|报)/;
const SEND = /(报送|上报|提交|报至)/;
const SUBJECT = /^([^，。；：]{2,60}?)(?:要|应当|应|须|必须|务必|将|于|负责|结合|按照|在|每月|每周|每季度|每个|每旬|定期|及时|对)/;
const UNITISH = /(部门|单位|局|处|中心|总队|支队|办|委|组|政府|队|所|院|会|室|厅)$/;

/** The units a sentence begins with: 各区县（自治县）人力社保部门、市局相关处室（单位）要… */
export function subjectOf(sentence: string): string[] | undefined {
  return subjectAndRest(sentence)?.names;
}

/** The subject's units and what the sentence says after them (要结合实际，制定…). */
export function subjectAndRest(sentence: string): { names: string[]; rest: string } | undefined {
  const m = SUBJECT.exec(sentence);
  if (!m) return undefined;
  const names = splitUnits(m[1]!.replace(/^(同时|此外|其中|另外)，?/, ""));
  if (!names.length || !names.every((n) => UNITISH.test(n) && n.length <= 30)) return undefined;
  return { names, rest: sentence.slice(m[1]!.length) };
}

/** Verbs that make a clause an obligation; the first group names a product (制定方案 → 方案). */
const PRODUCT_VERB = /^(?:制定|形成|完成|建立|编制|起草|报送|提交|上报|印发)/;
const ACTION_VERB = /^(?:指导|督促|组织|开展|部署|落实|召开|整改|排查|摸排|梳理|推动|实施)/;
/** Clauses that say how or where, not what: 结合实际，按照要求，通过…. */
const MANNER = /^(?:结合|按照|根据|围绕|通过|对照|依据|立足|在|以)/;
const MODAL = /^(?:要|应当|应|须|必须|务必|将|并|及时|认真|全面|切实|于[^，]*?前)+/;

/**
 * The obligations a subject's sentence states, one per verb phrase joined by "，" after the subject:
 * 各区县…部门结合实际，制定具体实施方案，指导…开展自查自纠 → 具体实施方案; 指导…开展自查自纠. A sentence
 * without a subject, or whose phrases start with no obligation verb, states none.
 */
export function obligationClauses(sentence: string): { title: string; clause: string }[] {
  const sr = subjectAndRest(sentence);
  if (!sr) return [];
  const out: { title: string; clause: string }[] = [];
  for (const raw of sr.rest.replace(/[。！？；]$/, "").split("，")) {
    const clause = raw.trim().replace(MODAL, "");
    if (!clause || MANNER.test(clause)) continue;
    const product = PRODUCT_VERB.exec(clause);
    if (product) {
      const object = cleanObject(clause.slice(product[0].length));
      if (object.length >= 2) out.push({ title: object, clause });
    } else if (ACTION_VERB.test(clause) && clause.length >= 4) out.push({ title: clause, clause });
  }
  return out;
}

/** 适时, 择机: the document asks for it but sets no date. */
const NO_DATE = /适时|择机|适当时候|不定期/;

const GENERIC = /^(相关|有关|工作|上述|以上)?(情况|材料|数据|资料|报告)$/;
const RECIPIENT_OFFICE = /领导小组办公室$|^办公室$/;

function cleanObject(s: string): string {
  return s
    .replace(/^(按要求|按时|及时|并|要|将|把|认真|如实)+/, "")
    .replace(/^(按照[^，]*?要求)/, "")
    .replace(/[。；，、]+$/, "")
    .replace(/等$/, "")
    .trim();
}

export interface ObligationContext {
  section: Section;
  /** The campaign's start year and month (a date in a month before it is in the next year). */
  year: YearRule;
  phases: DraftPhase[];
  campaign?: { start: IsoDate; end: IsoDate };
  /** Names the registry knows (units of the document so far): a text after 报送 that is one is a recipient. */
  isUnit(name: string): boolean;
}

/** What is handed in and to whom, from the clause around the verb. */
function objectAndRecipient(sentence: string, ctx: ObligationContext): { object?: string; to?: string } {
  const clause = sentence.replace(/[。！？]$/, "");
  const jiang = /将([^，；]+?)(?:报送|上报|提交|报至|报)(?:至|给)?([^，；]*)$/.exec(clause);
  if (jiang) return { object: cleanObject(jiang[1]!), ...recipient(jiang[2]!) };
  const xiang = /向([^，；]+?)(?:报送|上报|提交|报告)([^，；]*)$/.exec(clause);
  if (xiang) return { ...recipient(xiang[1]!), ...(xiang[2] ? { object: cleanObject(xiang[2]) } : {}) };
  // 报送检查进展情况（…），报送区…领导小组办公室: each verb is followed by what is sent or by whom it goes to.
  let object: string | undefined;
  let to: { to?: string } | undefined;
  for (const m of clause.matchAll(/(?:报送|上报|提交|报至)(?:至)?([^，；（(]*)/g)) {
    const t = cleanObject(m[1]!);
    if (!t) continue;
    if (RECIPIENT_OFFICE.test(t) || ctx.isUnit(t)) to ??= recipient(t);
    else object ??= t;
  }
  return { ...(object ? { object } : {}), ...(to ?? {}) };

  function recipient(t: string): { to?: string } {
    const name = cleanObject(t);
    if (!name || RECIPIENT_OFFICE.test(name)) return {};
    return { to: name };
  }
}

/** 情况 refers back: the noun of a 收集整理…/汇总… clause earlier in the sentence names it. */
function antecedent(sentence: string): string | undefined {
  const m = /(?:收集整理|收集|整理|汇总|梳理|形成|总结|制定)([^，。；]+?)(?:，|并|$)/.exec(sentence) ?? /^(?:针对|关于|对于)([^，。；]+?)，/.exec(sentence);
  return m ? cleanObject(m[1]!) : undefined;
}

function phaseOf(date: IsoDate, phases: DraftPhase[]): string | undefined {
  return phases.find((p) => p.start <= date && date <= p.end)?.name;
}

/** 重点任务及分工第二项 / 第2项任务 → 2. */
function taskNumber(sentence: string): number | undefined {
  const m = /(?:重点任务|任务)[^，。]*?第([一二三四五六七八九十\d]+)项|第([一二三四五六七八九十\d]+)项(?:重点)?任务/.exec(sentence);
  return m ? cnNumber(m[1] ?? m[2]!) : undefined;
}

const WEEKDAY: Record<string, number> = { 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 日: 7, 天: 7 };

export interface Recognised {
  deliverables: DraftDeliverable[];
  todos: DraftTodo[];
}

export function recogniseObligations(o: Outline, base: Omit<ObligationContext, "section">): Recognised {
  const out: Recognised = { deliverables: [], todos: [] };
  for (const section of o.sections) {
    const ctx: ObligationContext = { ...base, section };
    const phase = base.phases.find((p) => p.source.section === section.number);
    let inherited: string[] | undefined;
    for (const para of section.paras) {
      for (const sentence of sentences(para)) {
        const subject = subjectOf(sentence);
        if (subject) inherited = subject;
        const from = subject ?? inherited ?? [];
        recogniseSentence(sentence, from, phase, ctx, out);
      }
    }
  }
  return { deliverables: mergeSameDue(out.deliverables), todos: out.todos };
}

function recogniseSentence(sentence: string, from: string[], phase: DraftPhase | undefined, ctx: ObligationContext, out: Recognised): void {
  const source: SourceRef = { section: ctx.section.number, quote: sentence };
  const task = taskNumber(sentence);
  const base = (title: string, to?: string): DraftDeliverable => ({
    title,
    from,
    ...(to ? { to } : {}),
    ...(task !== undefined ? { task } : {}),
    sources: [source],
  });
  const noFrom = from.length === 0;
  const fromTodo = () => {
    if (noFrom) out.todos.push({ what: "文件未写明由哪些单位报送", source });
  };

  // Reports opened by events (一事一报, 及时报告): no date to draft; the plan declares them as a kind.
  if (/一事一报|(?:及时|随时|第一时间)(?:向[^，。；]*?)?(?:报告|上报|报送)(?!情况)/.test(sentence) && !/\d{1,2}月\d{1,2}日/.test(sentence)) {
    out.todos.push({ what: "文件要求按事件报告（如“一事一报”“及时报告”），没有固定截止日期；请在 kinds 中声明为运行中开启的事项（source 引用原文，期限用 assumed 写明所依据的假定），或确认无需跟踪，然后删除此条", source });
    return;
  }
  // 市人力社保局将对…进行成效评估，并…适时…: asked of a named unit, with no date: a todo naming the word.
  const when = NO_DATE.exec(sentence);
  if (when && !/\d{1,2}月/.test(sentence) && subjectOf(sentence)) {
    const what = /对([^，。；]+)(?:进行|开展)([^，。；]+)/.exec(sentence);
    out.todos.push({
      what: `文件要求“${when[0]}”开展，没有写明日期；请确定日期（并用 assumed 写明所依据的假定）后移入 deliverables；对象在行动中才确定的（如“部分区县”），可在 kinds 中声明为运行中开启的事项`,
      source,
      draft: { kind: "deliverable", deliverable: base(what ? cleanObject(what[1]! + what[2]!) : ctx.section.title) },
    });
    return;
  }
  if (!VERB.test(sentence)) {
    phaseDeliverable();
    return;
  }
  const { object, to } = objectAndRecipient(sentence, ctx);
  const title = object && !GENERIC.test(object) ? object : (antecedent(sentence) ?? object ?? ctx.section.title);

  const window = phase ? { from: `start:${phase.name}`, until: `end:${phase.name}` } : { from: "campaign:start", until: "campaign:end" };
  // Recurrences.
  const monthDays = /每月(\d{1,2})日(?:\s*[、和及]\s*(\d{1,2})日)?(?:\s*[、和及]\s*(\d{1,2})日)?/.exec(sentence) ?? (/旬/.test(sentence) ? /[（(](?:每月)?(\d{1,2})日\s*[、，和]\s*(\d{1,2})日\s*[、，和]\s*(\d{1,2})日(?:前)?[）)]/.exec(sentence) : null);
  if (monthDays) {
    const days = monthDays.slice(1).filter(Boolean).map(Number);
    out.deliverables.push({ ...base(title, to), recurring: { monthDays: days, ...window } });
    fromTodo();
    return;
  }
  const week = /每周([一二三四五六日天])/.exec(sentence);
  if (week) {
    out.deliverables.push({ ...base(title, to), recurring: { weekdays: [WEEKDAY[week[1]!]!], ...window } });
    fromTodo();
    return;
  }
  const unsupported = /每(?:个)?旬(?:末)?|每季度|每个季度|季度末|每月(?:底|末)|每半月|每半年|每两周|每月(?!\d)/.exec(sentence);
  if (unsupported) {
    out.todos.push({
      what: `文件要求定期报送（“${unsupported[0]}”），计划格式尚不能直接表达这种周期；请逐次写出截止日期，或改用 recurring 的 monthDays/weekdays`,
      source,
      draft: { kind: "deliverable", deliverable: base(title, to) },
    });
    return;
  }

  const dates = deadlines(sentence, ctx.year);
  if (dates.length) {
    for (const d of dates) {
      const ph = phaseOf(d.date, ctx.phases);
      out.deliverables.push({ ...base(title, to), due: d.date, ...(ph ? { phase: ph } : {}) });
    }
    fromTodo();
    return;
  }
  if (!SEND.test(sentence)) {
    phaseDeliverable();
    return;
  }
  // A date deferred to another document: name it, never guess it.
  const other = /《([^》]+)》\s*[（(]([^）)]*〔\d{4}〕[^）)]*号)[）)]/.exec(sentence) ?? /([\u4e00-\u9fff]{1,8}〔\d{4}〕\d+号)/.exec(sentence);
  if (other) {
    const docNo = other[2] ?? other[1]!;
    out.todos.push({
      what: `报送时间和要求由另一文件规定（${docNo}）：请按该文件写出截止日期（或写明所依据的假定）后移入 deliverables`,
      source,
      document: docNo,
      draft: { kind: "deliverable", deliverable: base(title, to) },
    });
    return;
  }
  out.todos.push({ what: "文件要求报送，但没有写明截止日期；请核实日期后移入 deliverables", source, draft: { kind: "deliverable", deliverable: base(title, to) } });

  function phaseDeliverable(): void {
    // 自查阶段（5月20日前）：各区县…制定具体实施方案 — due when the phase ends, as the heading says.
    if (!phase || !/(前|之前|以前)[）)]/.test(phase.source.quote)) return;
    // The units the sentence names owe each verb phrase after them, by the phase's end.
    if (subjectOf(sentence)) {
      for (const c of obligationClauses(sentence)) out.deliverables.push({ ...base(c.title), due: phase.end, phase: phase.name });
      return;
    }
    const m = /(?:制定|形成|完成|建立|报送|提交|上报)([^，。；]{0,14}?(?:方案|报告|清单|台账|计划|名单))/.exec(sentence);
    if (!m) return;
    out.deliverables.push({ ...base(cleanObject(m[1]!)), due: phase.end, phase: phase.name });
    fromTodo();
  }
}

/**
 * Two sentences asking for a report on the same day to the same recipient ask for one report (三（二） and
 * 五（四） of the seed both ask for 6月15日): one deliverable with both sources and both senders.
 */
function mergeSameDue(items: DraftDeliverable[]): DraftDeliverable[] {
  const out: DraftDeliverable[] = [];
  for (const d of items) {
    // Phrases of one sentence (制定…方案，指导…开展自查自纠) are distinct obligations, not one report told twice.
    const sameSentence = (x: DraftDeliverable) => x.sources.some((s) => d.sources.some((t) => t.quote === s.quote));
    const same = d.due && out.find((x) => x.due === d.due && x.to === d.to && x.task === d.task && !x.recurring && !sameSentence(x));
    if (!same) {
      out.push({ ...d, from: [...d.from], sources: [...d.sources] });
      continue;
    }
    for (const f of d.from) if (!same.from.includes(f)) same.from.push(f);
    for (const s of d.sources) if (!same.sources.some((x) => x.section === s.section && x.quote === s.quote)) same.sources.push(s);
    if (d.title !== same.title) same.description = [same.description, `另见${d.sources[0]!.section}：${d.title}`].filter(Boolean).join("；");
  }
  return out;
}

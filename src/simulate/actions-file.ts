import { isMap } from "yaml";
import { formatInstant, type EpochMs } from "../engine/calendar.ts";
import type { Actor, UnitAction } from "../engine/types.ts";
import { DiagnosticSink, hasErrors, sortDiagnostics, type Diagnostic } from "../plan/diagnostics.ts";
import { TASK_LEADS_GROUP } from "../plan/resolve.ts";
import { suggest } from "../plan/schema.ts";
import { readPlanSource, toData, type PlanSource } from "../plan/source.ts";
import { ACTION_ZH } from "../text/labels.ts";
import { instantOf, parseOpening } from "./opening-action.ts";
import type { ResolvedPlan } from "../plan/types.ts";
import { instanceOf } from "../plan/ids.ts";

export interface ScheduledAction {
  at: EpochMs;
  action: UnitAction;
  /** An opening's local name (`ref:` in the file): later actions name the item it opens by it. */
  ref?: string;
  /**
   * The local name this action's item got at its opening: the simulation puts the engine's id in its
   * place when it runs (the id exists only once the engine has opened the item).
   */
  target?: string;
}

const VERBS = ["open", "submit", "accept", "return", "extend", "waive", "acknowledge", "withdraw", "recall"] as const;
type Verb = (typeof VERBS)[number];
/** Verbs that only items opened at run time have. */
const OPENED_ONLY: readonly Verb[] = ["acknowledge", "withdraw"];

/**
 * Reads a simulation actions file: a list of `{ at, as, VERB: target, note?, until?, final? }`, VERB one
 * of submit, accept, return, extend, waive, acknowledge (签收), withdraw (撤销), recall (撤回报送), or an opening
 * `{ at, as, open: KIND, to?, title, level?, due?, fields?, ref? }` (see parseOpening). `as` may be a
 * unit, a person or @group. A target is a deliverable or task (without "/": the acting unit's own
 * assignment for submit, or every assignment of it otherwise), an assignment id, an opened item's id as
 * the engine numbers them (`dubandan-001`, per kind in opening order), or, better, the `ref:` an opening
 * of the file gave it, which does not change when an earlier opening is added or refused. `final: true`
 * makes a submit of a 一事一报 item its final report (终报). A bare date means 12:00 local time that day.
 * Every problem is reported at once, at its file:line:col.
 */
export function loadActionsFile(file: string, plan: ResolvedPlan): { actions?: ScheduledAction[]; diagnostics: Diagnostic[] } {
  const sink = new DiagnosticSink();
  const source = readPlanSource(file, sink);
  const data = hasErrors(sink.items) ? undefined : toData(source, sink);
  const out: ScheduledAction[] = [];
  const list = data && typeof data === "object" && !Array.isArray(data) ? (data as { actions?: unknown }).actions : data;
  if (data !== undefined && !Array.isArray(list)) sink.error("SCHEMA_TYPE", "动作文件应为动作列表（或含 actions 列表的映射）；请按 - { at: …, as: …, submit: … } 的形式逐条列出", source.position([]));
  const base = source.doc && isMap(source.doc.contents) ? ["actions"] : [];
  const entries = Array.isArray(list) ? list : [];
  const refs = openingRefs(plan, entries, base, source, sink);
  for (const [i, raw] of entries.entries()) {
    const path = [...base, i];
    const pos = (key?: (string | number)[] | string, opts?: { key?: boolean }) => source.position(key === undefined ? path : [...path, ...(Array.isArray(key) ? key : [key])], opts);
    if (!raw || typeof raw !== "object") {
      sink.error("SCHEMA_TYPE", "每个动作应为映射，例如 { at: 2021-05-18, as: yuzhong, submit: implementation-plan }", pos());
      continue;
    }
    const r = raw as Record<string, unknown>;
    const verbs = VERBS.filter((v) => v in r);
    if (verbs.length !== 1) {
      sink.error("SCHEMA_REQUIRED", `每个动作须写 ${VERBS.join("、")} 中的一个，且只能写一个`, pos());
      continue;
    }
    const verb = verbs[0]!;
    const before = sink.items.length;
    const atText = String(r.at ?? "");
    const at = instantOf(plan, atText, "12:00");
    if (Number.isNaN(at)) sink.error("BAD_DATE", `“${atText}”不是日期或日期时间；请写成 2021-05-18 或 2021-05-18T10:00`, pos("at"));
    const as = String(r.as ?? "");
    const actors = expandActors(plan, as);
    if (!actors) sink.error("UNKNOWN_REF", `未知单位、人员或组“${as}”${suggest(as.replace(/^@/, ""), [...plan.units.keys(), ...plan.groups.keys()])}`, pos("as"));
    const note = r.note === undefined ? undefined : String(r.note);
    if (verb === "open") {
      const requests = parseOpening(plan, r, actors ?? [], pos, sink);
      if (sink.items.length > before || !requests || !actors) continue;
      const ref = typeof r.ref === "string" ? r.ref : undefined;
      requests.forEach((req, j) => out.push({ at, action: { type: "open", ...req, actor: actors[j]! }, ...(ref ? { ref } : {}) }));
      continue;
    }
    if (r.final !== undefined && (verb !== "submit" || typeof r.final !== "boolean")) sink.error("SCHEMA_VALUE", "final 只用于 submit，写 true 表示终报（一事一报的最后一次报告），或 false", pos("final"));
    let until: EpochMs | undefined;
    if (verb === "extend") {
      until = instantOf(plan, String(r.until ?? ""), plan.calendar.dueAt);
      if (Number.isNaN(until)) sink.error("BAD_DATE", `extend 需要填写 until（新的截止日期），例如 2021-06-25`, pos("until"));
    }
    if (sink.items.length > before || !actors) continue;
    const target = String(r[verb]);
    const ref = refs.get(target);
    const opened = ref !== undefined || isOpenedId(plan, target);
    if (ref && ref.at > at) {
      sink.error("UNKNOWN_REF", `“${target}”在 ${formatInstant(ref.at, plan.campaign.timezone).slice(0, 16).replace("T", " ")} 才交办（第 ${ref.line} 行），不能在此之前${ACTION_ZH[verb]}`, pos(verb));
      continue;
    }
    if (!opened && OPENED_ONLY.includes(verb)) {
      sink.error("WRONG_KIND", `${ACTION_ZH[verb]}只用于运行中交办的事项：请写交办时的 ref，或事项编号（如 ${[...plan.kinds.keys()][0] ?? "dubandan"}-001）`, pos(verb));
      continue;
    }
    const ids = opened ? actors.map((actor) => ({ id: target, actor })) : targets(plan, verb, target, actors);
    if (ids.length === 0) {
      const known = new Set([...plan.assignments.map((a) => instanceOf(a.id)), ...refs.keys()]);
      sink.error("UNKNOWN_REF", `“${as}”没有责任事项“${target}”${suggest(target.split("/")[0]!, known)}`, pos(verb));
      continue;
    }
    for (const { id, actor } of ids) {
      const common = { assignment: id, actor, ...(note !== undefined ? { note } : {}) };
      const action: UnitAction =
        verb === "extend" ? { type: "extend", ...common, until: until! } : verb === "submit" ? { type: "submit", ...common, ...(r.final === true ? { final: true } : {}) } : { type: verb, ...common };
      out.push({ at, action, ...(ref ? { target } : {}) });
    }
  }
  const diagnostics = sortDiagnostics(sink.items);
  // Stable sort: actions at the same instant keep the file's order.
  return hasErrors(diagnostics) ? { diagnostics } : { actions: out.sort((a, b) => a.at - b.at), diagnostics };
}

/** An opened item's id as the engine gives it: a kind of the plan, a dash, its number. */
function isOpenedId(plan: ResolvedPlan, id: string): boolean {
  const m = /^(.+)-\d{3,}$/.exec(id);
  return m !== null && plan.kinds.has(m[1]!);
}

/**
 * The local names openings give their items (`ref:`), with when they open: a name once, for one item
 * (an opening by one unit, not a group), and never one that already names something in the plan.
 */
function openingRefs(plan: ResolvedPlan, entries: unknown[], base: (string | number)[], source: PlanSource, sink: DiagnosticSink): Map<string, { at: EpochMs; line: number }> {
  const refs = new Map<string, { at: EpochMs; line: number }>();
  const planIds = new Set(plan.assignments.flatMap((a) => [a.id, instanceOf(a.id)]));
  for (const [i, raw] of entries.entries()) {
    if (!raw || typeof raw !== "object" || !("open" in raw) || !("ref" in raw)) continue;
    const r = raw as Record<string, unknown>;
    const where = source.position([...base, i, "ref"]);
    const name = String(r.ref);
    if (typeof r.ref !== "string" || !/^[\p{L}\p{N}_.-]+$/u.test(name)) sink.error("SCHEMA_VALUE", `ref 应为一个名字（字母、数字、_ . -），例如 ref: d1`, where);
    else if (refs.has(name)) sink.error("DUPLICATE_ID", `ref “${name}”已在第 ${refs.get(name)!.line} 行用过；每次交办的 ref 须各不相同`, where);
    else if (planIds.has(name) || isOpenedId(plan, name)) sink.error("RESERVED_ID", `ref “${name}”与计划中的事项或事项编号同名；请换一个名字`, where);
    else if (String(r.as ?? "").startsWith("@")) sink.error("SCHEMA_VALUE", `ref 只能用于一个单位的交办；“${String(r.as)}”是一组单位，每个单位各开一项，请逐个写出并各给一个 ref`, where);
    else refs.set(name, { at: instantOf(plan, String(r.at ?? ""), "12:00"), line: where.line });
  }
  return refs;
}

function expandActors(plan: ResolvedPlan, as: string): Actor[] | undefined {
  if (as.startsWith("@")) {
    const name = as.slice(1);
    const members = name === TASK_LEADS_GROUP ? [...new Set(plan.tasks.map((t) => t.lead))] : plan.groups.get(name)?.members;
    return members?.map((unit) => ({ kind: "unit", unit }));
  }
  return plan.units.has(as) ? [{ kind: "unit", unit: as }] : undefined;
}

function targets(plan: ResolvedPlan, verb: Verb, target: string, actors: Actor[]): { id: string; actor: Actor }[] {
  const ids = new Set(plan.assignments.map((a) => a.id));
  if (target.includes("/")) return ids.has(target) ? actors.map((actor) => ({ id: target, actor })) : [];
  // A unit hands in, and recalls, its own assignment of a deliverable.
  if (verb === "submit" || verb === "recall")
    return actors.flatMap((actor) => {
      const unit = actor.kind === "unit" ? (plan.units.get(actor.unit)?.kind === "person" ? plan.units.get(actor.unit)?.parent : actor.unit) : undefined;
      const id = `${target}/${unit}`;
      return ids.has(id) ? [{ id, actor }] : [];
    });
  const prefix = `${target}/`;
  return actors.flatMap((actor) => plan.assignments.filter((a) => a.id.startsWith(prefix)).map((a) => ({ id: a.id, actor })));
}

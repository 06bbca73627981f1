import { isMap } from "yaml";
import { parseInstant, type EpochMs } from "../engine/calendar.ts";
import type { Actor, UnitAction } from "../engine/types.ts";
import { DiagnosticSink, hasErrors, sortDiagnostics, type Diagnostic } from "../plan/diagnostics.ts";
import { TASK_LEADS_GROUP } from "../plan/resolve.ts";
import { suggest } from "../plan/schema.ts";
import { readPlanSource, toData } from "../plan/source.ts";
import type { ResolvedPlan } from "../plan/types.ts";
import { instanceOf } from "../plan/ids.ts";

export interface ScheduledAction {
  at: EpochMs;
  action: UnitAction;
}

const VERBS = ["submit", "accept", "return", "extend", "waive"] as const;
type Verb = (typeof VERBS)[number];

/**
 * Reads a simulation actions file: a list of `{ at, as, submit|accept|return|extend|waive: target,
 * note?, until? }`. `as` may be a unit, a person or @group; a target without "/" means the acting
 * unit's own assignment of that deliverable or task (for submit), or every assignment of it (otherwise).
 * A bare date means 12:00 local time that day.
 */
export function loadActionsFile(file: string, plan: ResolvedPlan): { actions?: ScheduledAction[]; diagnostics: Diagnostic[] } {
  const sink = new DiagnosticSink();
  const source = readPlanSource(file, sink);
  const data = hasErrors(sink.items) ? undefined : toData(source, sink);
  const out: ScheduledAction[] = [];
  const zone = plan.campaign.timezone;
  const list = data && typeof data === "object" && !Array.isArray(data) ? (data as { actions?: unknown }).actions : data;
  if (data !== undefined && !Array.isArray(list)) sink.error("SCHEMA_TYPE", "动作文件应为动作列表（或含 actions 列表的映射）；请按 - { at: …, as: …, submit: … } 的形式逐条列出", source.position([]));
  const base = source.doc && isMap(source.doc.contents) ? ["actions"] : [];
  for (const [i, raw] of (Array.isArray(list) ? list : []).entries()) {
    const path = [...base, i];
    const pos = (key?: string) => source.position(key ? [...path, key] : path);
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
    const atText = String(r.at ?? "");
    const at = parseInstant(/^\d{4}-\d{2}-\d{2}$/.test(atText) ? `${atText}T12:00` : atText.replace(" ", "T"), zone);
    if (Number.isNaN(at)) {
      sink.error("BAD_DATE", `“${atText}”不是日期或日期时间；请写成 2021-05-18 或 2021-05-18T10:00`, pos("at"));
      continue;
    }
    const as = String(r.as ?? "");
    const actors = expandActors(plan, as);
    if (!actors) {
      sink.error("UNKNOWN_REF", `未知单位、人员或组“${as}”${suggest(as.replace(/^@/, ""), [...plan.units.keys(), ...plan.groups.keys()])}`, pos("as"));
      continue;
    }
    const target = String(r[verb]);
    let until: EpochMs | undefined;
    if (verb === "extend") {
      const u = String(r.until ?? "");
      until = parseInstant(/^\d{4}-\d{2}-\d{2}$/.test(u) ? `${u}T${plan.calendar.dueAt}` : u, zone);
      if (Number.isNaN(until)) {
        sink.error("BAD_DATE", `extend 需要填写 until（新的截止日期），例如 2021-06-25`, pos("until"));
        continue;
      }
    }
    const ids = targets(plan, verb, target, actors);
    if (ids.length === 0) {
      const known = new Set(plan.assignments.map((a) => instanceOf(a.id)));
      sink.error("UNKNOWN_REF", `“${as}”没有责任事项“${target}”${suggest(target.split("/")[0]!, known)}`, pos(verb));
      continue;
    }
    const note = r.note === undefined ? undefined : String(r.note);
    for (const { id, actor } of ids) {
      const common = { assignment: id, actor, ...(note !== undefined ? { note } : {}) };
      const action: UnitAction = verb === "extend" ? { type: "extend", ...common, until: until! } : { type: verb, ...common };
      out.push({ at, action });
    }
  }
  const diagnostics = sortDiagnostics(sink.items);
  // Stable sort: actions at the same instant keep the file's order.
  return hasErrors(diagnostics) ? { diagnostics } : { actions: out.sort((a, b) => a.at - b.at), diagnostics };
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
  if (verb === "submit")
    return actors.flatMap((actor) => {
      const unit = actor.kind === "unit" ? (plan.units.get(actor.unit)?.kind === "person" ? plan.units.get(actor.unit)?.parent : actor.unit) : undefined;
      const id = `${target}/${unit}`;
      return ids.has(id) ? [{ id, actor }] : [];
    });
  const prefix = `${target}/`;
  return actors.flatMap((actor) => plan.assignments.filter((a) => a.id.startsWith(prefix)).map((a) => ({ id: a.id, actor })));
}

import { isRealDate, parseInstant, type EpochMs } from "../engine/calendar.ts";
import { unitLookup } from "../engine/open-item.ts";
import type { Actor, OpenRequest } from "../engine/types.ts";
import { checkFields } from "../model/fields.ts";
import type { DiagnosticSink, SourcePosition } from "../plan/diagnostics.ts";
import { nearest } from "../plan/schema.ts";
import type { ResolvedPlan } from "../plan/types.ts";
import { renderFieldProblem } from "../text/fields.ts";

/** Where in the actions file a key of this action, or one of its list entries or fields, is. */
export type PositionOf = (path?: (string | number)[], opts?: { key?: boolean }) => SourcePosition;

const hint = (word: string, candidates: Iterable<string>) => {
  const n = nearest(word, candidates);
  return n ? `（是否应为“${n}”？）` : "";
};

/** `at:` of an action, or `due:` of an opening: a bare date means `time` that day. */
export function instantOf(plan: ResolvedPlan, text: string, time: string): EpochMs {
  return parseInstant(isRealDate(text) ? `${text}T${time}` : text.replace(" ", "T"), plan.campaign.timezone);
}

/**
 * An opening in an actions file: `{ open: KIND, to?, title, level?, due?, fields?, note?, key? }` beside
 * `at` and `as`. Checked here as far as the file alone can be (the kind, the units, the dates, the level,
 * the fields against the kind's field list), every problem at its own position; what depends on the
 * running campaign (who may open, the due bound at that instant) is the engine's to refuse, and shows
 * in the timeline as a refusal. Without `to` the item is opened to the acting unit itself (一事一报).
 * Returns one request per acting unit, or undefined when the entry has a problem.
 */
export function parseOpening(plan: ResolvedPlan, r: Record<string, unknown>, actors: Actor[], pos: PositionOf, sink: DiagnosticSink): Omit<OpenRequest, "actor">[] | undefined {
  const before = sink.items.length;
  const kindId = String(r.open ?? "");
  const kind = plan.kinds.get(kindId);
  if (!kind) {
    const known = [...plan.kinds.keys()];
    const list = known.length ? `；计划中的事项类型：${known.join("、")}` : "；计划没有可在运行中交办的事项类型（kinds:）";
    sink.error("UNKNOWN_REF", `没有事项类型“${kindId}”${hint(kindId, known)}${list}`, pos(["open"]));
  }
  const toRaw = r.to === undefined ? undefined : Array.isArray(r.to) ? r.to : [r.to];
  const to: string[] = [];
  for (const [j, u] of (toRaw ?? []).entries()) {
    const id = String(u);
    if (plan.units.has(id)) to.push(id);
    else sink.error("UNKNOWN_REF", `未知单位“${id}”${hint(id, plan.units.keys())}；to 写承办单位的 id，几个单位共同承办时写成列表`, pos(Array.isArray(r.to) ? ["to", j] : ["to"]));
  }
  if (toRaw !== undefined && toRaw.length === 0) sink.error("SCHEMA_VALUE", "to 不能为空：请写承办单位，或删去 to 表示交给交办单位自己", pos(["to"]));
  const title = r.title === undefined ? "" : String(r.title).trim();
  if (!title) sink.error("SCHEMA_REQUIRED", `交办须写 title（事项标题），例如 title: 某公司欠薪线索核查`, pos(r.title === undefined ? [] : ["title"]));
  let due: EpochMs | undefined;
  if (r.due !== undefined) {
    due = instantOf(plan, String(r.due), plan.calendar.dueAt);
    if (Number.isNaN(due)) sink.error("BAD_DATE", `截止时间“${String(r.due)}”不是日期或日期时间；请写成 2021-06-10（当天 ${plan.calendar.dueAt} 截止）或 2021-06-10T10:00`, pos(["due"]));
  }
  const level = r.level === undefined ? undefined : String(r.level);
  if (kind && level !== undefined && !kind.levels.some((l) => l.id === level))
    sink.error("UNKNOWN_REF", `“${kind.title}”没有紧急程度“${level}”${hint(level, kind.levels.map((l) => l.id))}；可选：${kind.levels.map((l) => l.id).join("、")}`, pos(["level"]));
  const fields = r.fields ?? {};
  if (typeof fields !== "object" || fields === null || Array.isArray(fields)) sink.error("SCHEMA_TYPE", "fields 应为映射，例如 fields: { basis: 领导批示 }", pos(["fields"]));
  else if (kind) {
    // The same checks as every other way of opening, so a value means the same in a drill as live.
    for (const p of checkFields(kind, fields as Record<string, unknown>, unitLookup(plan)).problems) {
      const at = p.code === "FIELD_UNKNOWN" ? pos(["fields", p.field ?? ""], { key: true }) : p.code === "FIELD_REQUIRED" ? pos(r.fields === undefined ? [] : ["fields"]) : pos(["fields", fieldKey(kind.fields, fields as object, p.field)]);
      const message =
        p.code === "FIELD_UNKNOWN" ? `“${kind.title}”没有字段“${p.field}”${hint(p.field ?? "", kind.fields.map((f) => f.id))}；可用：${kind.fields.map((f) => `${f.id}（${f.title}）`).join("、")}` : renderFieldProblem(p);
      sink.error("SCHEMA_VALUE", message, at);
    }
  }
  if (sink.items.length > before) return undefined;
  const common = {
    kind: kindId,
    title,
    ...(due !== undefined ? { due } : {}),
    ...(level !== undefined ? { level } : {}),
    fields: fields as Record<string, unknown>,
    ...(r.note !== undefined ? { note: String(r.note) } : {}),
    ...(r.key !== undefined ? { key: String(r.key) } : {}),
  };
  // Without `to`, the acting unit opens it to itself (a person, to the unit they belong to).
  const self = (a: Actor) => (a.kind !== "unit" ? "" : plan.units.get(a.unit)?.kind === "person" ? (plan.units.get(a.unit)!.parent ?? a.unit) : a.unit);
  return actors.map((a) => ({ ...common, to: toRaw === undefined ? [self(a)] : to }));
}

/** The key a field was written under (its id or its title), for pointing at its value. */
function fieldKey(specs: readonly { id: string; title: string }[], given: object, id: string | undefined): string {
  const spec = specs.find((f) => f.id === id);
  return spec && !(spec.id in given) && spec.title in given ? spec.title : (id ?? "");
}

import { NOBODY, type AckRule, type Audience, type DueRule, type FieldSpec, type FollowUpRule, type ItemKind, type Offset, type UrgencyLevel } from "../model/kind.ts";
import { AUDIENCE_WORDS, TASK_LEADS_GROUP, type References } from "./references.ts";
import type { ResolveContext } from "./resolve-context.ts";
import { suggest } from "./schema.ts";
import type { PathSegment } from "./source.ts";
import { parseKindOffset } from "./time-expr.ts";
import { RecipientRole, type KindDueInput, type KindInput, type Policy, type UnitId } from "./types.ts";

/** The default urgency level of a kind that lists none. */
export const DEFAULT_LEVEL = "一般";
const DEFAULT_MAX_ATTACHMENT_MB = 20;

const UNIT_ZH = { wd: "个工作日", d: "天", h: "小时" } as const;
/** An offset in words: "5 个工作日", "3 天", "24 小时". */
export const offsetZh = (o: Offset) => `${o.n} ${UNIT_ZH[o.unit]}`;
const showOffset = (o: Offset) => `+${o.n}${o.unit}（${offsetZh(o)}）`;

type ListName = "openers" | "to" | "withdraw" | "extend";
/** What each list may say: `self` is the acting unit in openers and the opener in `to`; `opener` is for withdraw and extend. */
const WORDS: Record<ListName, readonly string[]> = {
  openers: ["office", "self", "any"],
  to: ["office", "self", "any"],
  withdraw: ["office", "opener", "any"],
  extend: ["office", "opener", "any"],
};

/**
 * The span an offset can cover, in hours, whatever the instant it is counted from: `+Nd` and `+Nwd` run
 * to the calendar's due time of their day, so a day's worth either way; working days skip rest days
 * (a holiday week), so they have no upper bound. With `workingHours`, hours skip nights too.
 */
function span(o: Offset, workingHours: boolean): [number, number] {
  if (o.unit === "h") return [o.n, workingHours ? Infinity : o.n];
  if (o.unit === "d") return [24 * (o.n - 1), 24 * (o.n + 1)];
  return [24 * (o.n - 1), Infinity];
}

/** a is later than b for every opening instant (same unit: by number; otherwise by {@link span}). */
function surelyLater(a: Offset, b: Offset, workingHours: boolean): boolean {
  if (a.unit === b.unit) return a.n > b.n;
  return span(a, workingHours)[0] > span(b, workingHours)[1];
}

/**
 * The plan's `kinds:` as ItemKind values, every reference looked up and every rule checked: the engine
 * opens items of these kinds at run time and validates each opening against them.
 */
export class KindResolver {
  constructor(
    private readonly ctx: ResolveContext,
    private readonly refs: References,
    private readonly policies: Map<string, Policy>,
  ) {}

  resolve(): Map<string, ItemKind> {
    const out = new Map<string, ItemKind>();
    const planned = new Map<string, string>([...(this.ctx.p.tasks ?? []).map((t) => [t.id, "任务"] as const), ...(this.ctx.p.deliverables ?? []).map((d) => [d.id, "报送事项"] as const)]);
    for (const [i, k] of (this.ctx.p.kinds ?? []).entries()) {
      const path: PathSegment[] = ["kinds", i];
      const kind = this.kind(k, path);
      if (out.has(k.id)) this.ctx.err("DUPLICATE_ID", `事项类别 id“${k.id}”已被第 ${this.lineOfKind(k.id)} 行的类别使用；请换一个 id`, [...path, "id"]);
      else if (planned.has(k.id)) this.ctx.err("DUPLICATE_ID", `“${k.id}”已是一项${planned.get(k.id)}的 id；事项类别与任务、报送事项共用一套 id，请换一个 id`, [...path, "id"]);
      else out.set(k.id, kind);
    }
    return out;
  }

  private lineOfKind(id: string): number {
    const i = (this.ctx.p.kinds ?? []).findIndex((k) => k.id === id);
    return this.ctx.source.position(["kinds", i, "id"]).line;
  }

  private kind(k: KindInput, path: PathSegment[]): ItemKind {
    const workingHours = k.workingHours ?? false;
    const openers = this.audience(k.openers, [...path, "openers"], "openers");
    const recipients = this.audience(k.to, [...path, "to"], "to");
    const reviewer = k.reviewer ?? "office";
    const followUp = this.followUp(k, path);
    const due = this.kindDue(k, path, followUp, workingHours);
    const levels = this.levels(k, path, followUp, workingHours);
    const fields = this.fields(k.fields ?? [], [...path, "fields"]);
    const onlySelf = recipients.self && !recipients.office && !recipients.any && !recipients.taskLeads && recipients.units.size === 0;
    if (k.joint && onlySelf)
      this.ctx.err("KIND_CONFLICT", `“${k.id}”只能开给开启单位自身（to: [self]），不能由多个单位共同承办；请删去 joint，或在 to 中列出可承办的单位`, [...path, "joint"], true);
    if (reviewer === "opener" && onlySelf)
      this.ctx.err("KIND_CONFLICT", `“${k.id}”由开启单位开给自身，又由开启单位审核（reviewer: opener），等于自己审核自己；请改为 reviewer: office，或在 to 中列出其他单位`, [...path, "reviewer"]);
    this.checkKey(k, fields, path);
    if (k.assumed !== undefined) {
      const rule = followUp ? `首报 ${showOffset(followUp.first)}` : due ? this.showDue(due) : "";
      this.ctx.warn("ASSUMED_DATE", `“${k.id}”的期限${rule.startsWith("+") ? " " : ""}${rule}是假定的，不是方案写明的期限（${k.assumed}）；核实后请改为确定期限并删去 assumed`, [...path, "assumed"]);
    }
    return {
      id: k.id,
      title: k.title,
      ...(k.source !== undefined ? { source: k.source } : {}),
      ...(k.description !== undefined ? { description: k.description } : {}),
      openers,
      recipients,
      joint: k.joint ? { maxUnits: k.joint.maxUnits, submit: k.joint.submit ?? "any" } : null,
      reviewer,
      due: due ?? { kind: "offset", offset: followUp?.first ?? { n: 1, unit: "wd" } },
      workingHours,
      acknowledge: this.acknowledge(k, path),
      levels,
      fields,
      followUp,
      withdraw: k.withdraw ? this.audience(k.withdraw, [...path, "withdraw"], "withdraw") : NOBODY,
      extend: k.extend ? this.audience(k.extend, [...path, "extend"], "extend") : NOBODY,
      key: k.key ?? [],
      maxAttachmentBytes: Math.round((k.maxAttachmentMb ?? DEFAULT_MAX_ATTACHMENT_MB) * 1024 * 1024),
      ...(k.assumed !== undefined ? { assumed: k.assumed } : {}),
    };
  }

  /** A unit list of a kind: the words its list allows, @task-leads, @groups (expanded) and unit ids. */
  private audience(list: readonly string[], path: PathSegment[], name: ListName): Audience {
    const a = { office: false, taskLeads: false, self: false, any: false, units: new Set<UnitId>() };
    const words = WORDS[name];
    const groupNames = Object.keys(this.ctx.p.groups ?? {});
    for (const [i, ref] of list.entries()) {
      const at = [...path, i];
      if ((AUDIENCE_WORDS as readonly string[]).includes(ref)) {
        if (!words.includes(ref)) {
          const hint = ref === "opener" ? "“opener”（开启单位）只能用于 withdraw 和 extend" : "withdraw 和 extend 中请写 opener（开启事项的单位），不写 self";
          this.ctx.err("UNKNOWN_REF", `${name} 中不能写“${ref}”：${hint}`, at);
        } else if (ref === "office") a.office = true;
        else if (ref === "any") a.any = true;
        else a.self = true;
      } else if (ref === `@${TASK_LEADS_GROUP}`) a.taskLeads = true;
      else if (ref.startsWith("@")) {
        const g = this.refs.groups.get(ref.slice(1));
        if (g) for (const m of g.members) a.units.add(m);
        else if (!groupNames.includes(ref.slice(1))) this.ctx.err("UNKNOWN_REF", `未知组“${ref}”${suggest(ref.slice(1), [...groupNames, TASK_LEADS_GROUP])}`, at);
      } else if (this.refs.units.has(ref) || !this.suggestWord(ref, words, at)) {
        // Owing units are organisations; a person (the leader) may open, withdraw or extend.
        if (this.refs.unitRef(ref, at, name === "to" ? "organisation" : undefined)) a.units.add(ref);
      }
    }
    return a;
  }

  /** A near miss of a list's word (`ofice`) is named as such, not as an unknown unit. */
  private suggestWord(ref: string, words: readonly string[], at: PathSegment[]): boolean {
    const hint = suggest(ref, words);
    if (!hint || suggest(ref, this.refs.units.keys())) return false;
    this.ctx.err("UNKNOWN_REF", `“${ref}”既不是单位，也不是可用的写法（${words.join("、")}）${hint}`, at);
    return true;
  }

  private offset(text: string, path: PathSegment[]): Offset {
    const o = parseKindOffset(text);
    if (o.n === 0) this.ctx.err("BAD_OFFSET", `期限“${text}”为 0，开启即到期；请写至少 1 个单位的期限，例如 +1wd 或 +24h`, path);
    return o;
  }

  private due(d: KindDueInput, path: PathSegment[], workingHours: boolean): DueRule {
    if (typeof d === "string") return { kind: "offset", offset: this.offset(d, path) };
    const g = d.given;
    const gp = [...path, "given"];
    const min = g.min !== undefined ? this.offset(g.min, [...gp, "min"]) : undefined;
    const max = this.offset(g.max, [...gp, "max"]);
    const def = g.default !== undefined ? this.offset(g.default, [...gp, "default"]) : undefined;
    if (min && surelyLater(min, max, workingHours))
      this.ctx.err("DUE_BOUNDS", `开启单位可指定的最早期限 ${showOffset(min)}晚于最晚期限 ${showOffset(max)}；请调整 min 或 max`, [...gp, "min"]);
    else if (def && ((min && surelyLater(min, def, workingHours)) || surelyLater(def, max, workingHours)))
      this.ctx.err("DUE_BOUNDS", `默认期限 ${showOffset(def)}不在可指定的范围（${min ? showOffset(min) : "开启时"}至 ${showOffset(max)}）内；请调整 default`, [...gp, "default"]);
    return { kind: "given", ...(min ? { min } : {}), max, ...(def ? { default: def } : {}) };
  }

  private showDue(d: DueRule): string {
    return d.kind === "offset" ? showOffset(d.offset) : `由开启单位指定（不晚于开启后 ${showOffset(d.max)}）`;
  }

  private followUp(k: KindInput, path: PathSegment[]): FollowUpRule | null {
    if (!k.followUp) return null;
    return { first: this.offset(k.followUp.first, [...path, "followUp", "first"]), everyWorkingDays: k.followUp.everyWorkingDays };
  }

  /**
   * With followUp (一事一报) the item falls due at the first report, and after each interim report N
   * working days later: there is no other deadline for a `due:` to set.
   */
  private kindDue(k: KindInput, path: PathSegment[], followUp: FollowUpRule | null, workingHours: boolean): DueRule | undefined {
    if (followUp && k.due !== undefined) {
      this.ctx.err("KIND_CONFLICT", `“${k.id}”写了 followUp（一事一报）：首报期限即 followUp.first，此后每 ${followUp.everyWorkingDays} 个工作日续报一次；请删去 due`, [...path, "due"], true);
      return undefined;
    }
    if (followUp) return { kind: "offset", offset: followUp.first };
    if (k.due === undefined) {
      this.ctx.err("SCHEMA_REQUIRED", `事项类别“${k.id}”缺少期限：请写 due（如 +5wd、+3d、+24h，或 given 由开启单位指定），一事一报的事项写 followUp`, path);
      return undefined;
    }
    return this.due(k.due, [...path, "due"], workingHours);
  }

  private policyOf(id: string | undefined, path: PathSegment[], what: string): string {
    if (id !== undefined) {
      if (!this.policies.has(id)) this.ctx.err("UNKNOWN_REF", `未知督办规则“${id}”${suggest(id, this.policies.keys())}`, path);
      return id;
    }
    const d = this.ctx.p.defaults?.policy;
    if (d === undefined) this.ctx.err("UNKNOWN_REF", `${what}未指定 policy，计划中也没有 defaults.policy；请填写其中之一`, path);
    return d ?? "";
  }

  private levels(k: KindInput, path: PathSegment[], followUp: FollowUpRule | null, workingHours: boolean): UrgencyLevel[] {
    if (!k.levels) return [{ id: DEFAULT_LEVEL, policy: this.policyOf(k.policy, k.policy !== undefined ? [...path, "policy"] : path, `事项类别“${k.id}”`) }];
    if (k.policy !== undefined) this.policyOf(k.policy, [...path, "policy"], "");
    const seen = new Map<string, number>();
    return k.levels.map((l, j) => {
      const lp = [...path, "levels", j];
      const prev = seen.get(l.id);
      if (prev !== undefined) this.ctx.err("DUPLICATE_ID", `紧急程度“${l.id}”已在第 ${prev + 1} 项列出；请换一个名称或删去重复项`, [...lp, "id"]);
      else seen.set(l.id, j);
      const policy = l.policy !== undefined ? this.policyOf(l.policy, [...lp, "policy"], "") : this.policyOf(k.policy, k.policy !== undefined ? [...path, "policy"] : lp, `紧急程度“${l.id}”`);
      if (l.due !== undefined && followUp) this.ctx.err("KIND_CONFLICT", `“${k.id}”写了 followUp（一事一报），期限由首报和续报决定；请删去紧急程度“${l.id}”的 due`, [...lp, "due"], true);
      const due = l.due !== undefined && !followUp ? this.due(l.due, [...lp, "due"], workingHours) : undefined;
      return { id: l.id, policy, ...(due ? { due } : {}) };
    });
  }

  private acknowledge(k: KindInput, path: PathSegment[]): AckRule | null {
    const a = k.acknowledge;
    if (!a) return null;
    const ap = [...path, "acknowledge"];
    for (const [j, who] of a.notify.entries()) {
      if (!(RecipientRole as readonly string[]).includes(who) && !this.refs.units.has(who))
        this.ctx.err("UNKNOWN_REF", `“${who}”既不是角色（${RecipientRole.join("、")}），也不是单位${suggest(who, [...RecipientRole, ...this.refs.units.keys()])}`, [...ap, "notify", j]);
    }
    return { within: this.offset(a.within, [...ap, "within"]), notify: a.notify, level: a.level ?? 1 };
  }

  private fields(list: NonNullable<KindInput["fields"]>, path: PathSegment[]): FieldSpec[] {
    const ids = new Map<string, number>();
    const titles = new Map<string, number>();
    return list.map((f, j) => {
      const fp = [...path, j];
      const line = (i: number, key: string) => this.ctx.source.position([...path, i, key]).line;
      if (ids.has(f.id)) this.ctx.err("DUPLICATE_ID", `字段 id“${f.id}”已被第 ${line(ids.get(f.id)!, "id")} 行的字段使用；请换一个 id`, [...fp, "id"]);
      else ids.set(f.id, j);
      // The title is the column header an import reads: two fields with one title could not be told apart.
      if (titles.has(f.title)) this.ctx.err("DUPLICATE_ID", `字段名称“${f.title}”已被第 ${line(titles.get(f.title)!, "title")} 行的字段使用；导入表格按名称认列，请换一个名称`, [...fp, "title"]);
      else titles.set(f.title, j);
      if (f.type === "choice" && !f.choices) this.ctx.err("BAD_FIELD", `字段“${f.title}”是选择项（choice），但没有列出可选值；请写 choices`, [...fp, "type"]);
      if (f.type !== "choice" && f.choices) this.ctx.err("BAD_FIELD", `字段“${f.title}”的类型是 ${f.type}，只有选择项（choice）可以列出 choices；请改 type 为 choice 或删去 choices`, [...fp, "choices"], true);
      const dup = f.choices?.findIndex((c, n) => f.choices!.indexOf(c) !== n) ?? -1;
      if (dup >= 0) this.ctx.err("BAD_FIELD", `字段“${f.title}”的可选值“${f.choices![dup]}”重复列出；请删去重复项`, [...fp, "choices", dup]);
      if (f.maxLength !== undefined && f.type !== "text" && f.type !== "longText")
        this.ctx.err("BAD_FIELD", `字段“${f.title}”的类型是 ${f.type}，只有文本（text、longText）可以限制长度；请删去 maxLength`, [...fp, "maxLength"], true);
      return { id: f.id, title: f.title, type: f.type, required: f.required ?? false, ...(f.choices ? { choices: f.choices } : {}), ...(f.maxLength !== undefined ? { maxLength: f.maxLength } : {}) };
    });
  }

  /** An import row is known again by its key: each key field must be there in every row, and comparable. */
  private checkKey(k: KindInput, fields: FieldSpec[], path: PathSegment[]): void {
    for (const [j, id] of (k.key ?? []).entries()) {
      const f = fields.find((x) => x.id === id);
      const at = [...path, "key", j];
      if (!f) this.ctx.err("UNKNOWN_REF", `key 中的“${id}”不是“${k.id}”的字段${suggest(id, fields.map((x) => x.id))}`, at);
      else if (f.type === "attachment") this.ctx.err("BAD_FIELD", `附件字段“${f.title}”不能用作 key：导入的行靠字段的值认出，附件没有可比较的值`, at);
      else if (!f.required) this.ctx.err("BAD_FIELD", `key 字段“${f.title}”不是必填项：没有填写的行无法认出是否已导入；请给该字段加上 required: true`, at);
    }
  }
}

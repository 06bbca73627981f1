import { addDays } from "../engine/calendar.ts";
import { suggest } from "./schema.ts";
import type { PathSegment } from "./source.ts";
import { RecipientRole, type Phase, type Policy, type Task, type TaskInput, type Unit, type UnitId } from "./types.ts";
import { parseOffset } from "./time-expr.ts";
import type { ResolveContext } from "./resolve-context.ts";

/** Built-in group: the lead unit of every task. */
export const TASK_LEADS_GROUP = "task-leads";

/** Words a kind's unit lists take besides unit ids and @groups (see kinds.ts); no unit may be named so. */
export const AUDIENCE_WORDS = ["office", "self", "any", "opener"] as const;

const KIND_ZH = { department: "部门", district: "区县", external: "外部单位", person: "人员" } as const;

/**
 * The plan's names and what they name: units, groups, the leading group, phases, policies and tasks.
 * Each is indexed once; every later reference is looked up here and, when unknown, reported at its
 * position with the nearest known name.
 */
export class References {
  readonly units = new Map<UnitId, Unit>();
  readonly groups = new Map<string, { name?: string; members: UnitId[] }>();
  readonly phases = new Map<string, Phase>();

  constructor(private readonly ctx: ResolveContext) {}

  indexUnits(): void {
    const reserved = new Set<string>([...RecipientRole, "engine"]);
    const firstAt = new Map<string, number>();
    for (const [i, u] of this.ctx.p.units.entries()) {
      if (reserved.has(u.id)) {
        this.ctx.err("RESERVED_ID", `“${u.id}”是角色名，不能用作单位 id；请换一个 id`, ["units", i, "id"]);
        continue;
      }
      if ((AUDIENCE_WORDS as readonly string[]).includes(u.id)) {
        this.ctx.err("RESERVED_ID", `“${u.id}”是事项类别（kinds）中表示开启单位、承办单位范围的写法，不能用作单位 id；请换一个 id`, ["units", i, "id"]);
        continue;
      }
      const prev = firstAt.get(u.id);
      if (prev !== undefined) {
        // With a directory, the two may be in different files: the other one is then named.
        const first = this.ctx.source.position(["units", prev, "id"]);
        const where = first.file === this.ctx.source.position(["units", i, "id"]).file ? `第 ${first.line} 行` : `${first.file} 第 ${first.line} 行`;
        this.ctx.err("DUPLICATE_ID", `单位 id“${u.id}”已被${where}的单位使用；请换一个 id`, ["units", i, "id"]);
        continue;
      }
      firstAt.set(u.id, i);
      this.units.set(u.id, {
        id: u.id,
        name: u.name,
        short: u.short,
        kind: u.kind,
        parent: u.parent,
        title: u.title,
        email: u.contacts?.email ?? [],
        webhooks: u.contacts?.webhooks ?? [],
        groups: [],
      });
    }
    for (const [i, u] of this.ctx.p.units.entries()) {
      if (u.parent !== undefined) this.unitRef(u.parent, ["units", i, "parent"]);
      if (u.kind === "person" && u.parent === undefined) this.ctx.warn("UNKNOWN_REF", `人员“${u.id}”没有填写 parent；请填写其所属单位的 id`, ["units", i]);
    }
  }

  /** Looks up one unit id; reports it with a suggestion when unknown. */
  unitRef(id: string, path: PathSegment[], kind?: "person" | "organisation"): Unit | undefined {
    const u = this.units.get(id);
    if (!u) {
      this.ctx.err("UNKNOWN_REF", `未知单位“${id}”${suggest(id, this.units.keys())}`, path);
      return undefined;
    }
    if (kind === "person" && u.kind !== "person") this.ctx.err("WRONG_KIND", `“${id}”是${KIND_ZH[u.kind]}（${u.kind}），此处需要填写人员（kind: person）`, path);
    if (kind === "organisation" && u.kind === "person") this.ctx.err("WRONG_KIND", `“${id}”是人员（person），此处需要填写单位`, path);
    return u;
  }

  indexGroups(): void {
    const raw = this.ctx.p.groups ?? {};
    if (Object.hasOwn(raw, TASK_LEADS_GROUP)) this.ctx.err("RESERVED_ID", `“${TASK_LEADS_GROUP}”是内置组（所有任务的牵头部门）；请换一个组名`, ["groups", TASK_LEADS_GROUP], true);
    const visiting = new Set<string>();
    const expand = (name: string): UnitId[] => {
      const done = this.groups.get(name);
      if (done) return done.members;
      const g = raw[name]!;
      if (visiting.has(name)) {
        this.ctx.err("CYCLE", `组“${name}”包含了自身（经由 ${[...visiting].join(" → ")}）；请去掉循环引用`, ["groups", name], true);
        return [];
      }
      visiting.add(name);
      const members: UnitId[] = [];
      for (const [i, m] of g.members.entries()) {
        if (m.startsWith("@")) {
          const ref = m.slice(1);
          if (!Object.hasOwn(raw, ref)) this.ctx.err("UNKNOWN_REF", `未知组“${m}”${suggest(ref, Object.keys(raw))}`, ["groups", name, "members", i]);
          else members.push(...expand(ref));
        } else if (this.unitRef(m, ["groups", name, "members", i])) members.push(m);
      }
      visiting.delete(name);
      const unique = [...new Set(members)];
      this.groups.set(name, { name: g.name, members: unique });
      return unique;
    };
    for (const name of Object.keys(raw)) if (name !== TASK_LEADS_GROUP) expand(name);
    for (const [name, g] of this.groups) for (const m of g.members) this.units.get(m)?.groups.push(name);
  }

  /** Expands a list of unit ids and @groups, reporting unknown ones; order kept, duplicates dropped. */
  expandRefs(refs: readonly string[], path: PathSegment[]): UnitId[] {
    const out: UnitId[] = [];
    for (const [i, ref] of refs.entries()) {
      if (ref === `@${TASK_LEADS_GROUP}`) out.push(...(this.ctx.p.tasks ?? []).map((t) => t.lead).filter((id) => this.units.has(id)));
      else if (ref.startsWith("@")) {
        const g = this.groups.get(ref.slice(1));
        if (g) out.push(...g.members);
        else if (!(this.ctx.p.groups && Object.hasOwn(this.ctx.p.groups, ref.slice(1))))
          this.ctx.err("UNKNOWN_REF", `未知组“${ref}”${suggest(ref.slice(1), [...Object.keys(this.ctx.p.groups ?? {}), TASK_LEADS_GROUP])}`, [...path, i]);
      } else if (this.unitRef(ref, [...path, i], "organisation")) out.push(ref);
    }
    return [...new Set(out)];
  }

  checkLeadingGroup(): void {
    const lg = this.ctx.p.leadingGroup;
    this.unitRef(lg.leader, ["leadingGroup", "leader"], "person");
    for (const [i, d] of (lg.deputies ?? []).entries()) this.unitRef(d, ["leadingGroup", "deputies", i], "person");
    for (const [i, m] of (lg.members ?? []).entries()) {
      this.unitRef(m.person, ["leadingGroup", "members", i, "person"], "person");
      this.unitRef(m.unit, ["leadingGroup", "members", i, "unit"], "organisation");
    }
    this.unitRef(lg.office.unit, ["leadingGroup", "office", "unit"], "organisation");
    if (lg.office.director !== undefined) this.unitRef(lg.office.director, ["leadingGroup", "office", "director"], "person");
  }

  /** Phases may overlap (边查边改: inspection and rectification side by side); each must end after it starts. */
  indexPhases(): void {
    for (const [i, ph] of this.ctx.p.phases.entries()) {
      if (this.phases.has(ph.id)) {
        this.ctx.err("DUPLICATE_ID", `阶段 id“${ph.id}”已被使用；请换一个 id`, ["phases", i, "id"]);
        continue;
      }
      const ok = this.ctx.checkDate(ph.start, ["phases", i, "start"]) && this.ctx.checkDate(ph.end, ["phases", i, "end"]);
      if (!ok) continue;
      this.ctx.insideCampaign(ph.start, ["phases", i, "start"], `阶段“${ph.name}”的开始日期`);
      this.ctx.insideCampaign(ph.end, ["phases", i, "end"], `阶段“${ph.name}”的结束日期`);
      if (ph.end < ph.start) this.ctx.err("PHASE_ORDER", `阶段“${ph.name}”的结束日期（${ph.end}）早于开始日期（${ph.start}）；请检查 start 和 end`, ["phases", i, "end"]);
      const phase: Phase = {
        id: ph.id,
        name: ph.name,
        start: ph.start,
        end: ph.end,
        startAt: this.ctx.calendar.at(ph.start, "00:00"),
        endAt: this.ctx.calendar.at(addDays(ph.end, 1), "00:00"),
      };
      this.phases.set(ph.id, phase);
    }
  }

  phaseRef(id: string, path: PathSegment[]): Phase | undefined {
    const ph = this.phases.get(id);
    if (!ph && !this.ctx.p.phases.some((x) => x.id === id)) this.ctx.err("UNKNOWN_REF", `未知阶段“${id}”${suggest(id, this.phases.keys())}`, path);
    return ph;
  }

  resolvePolicies(): Map<string, Policy> {
    const out = new Map<string, Policy>();
    for (const [id, pol] of Object.entries(this.ctx.p.policies ?? {})) {
      const steps = pol.steps.map((s, index) => {
        const { offset, unit } = parseOffset(s.at);
        for (const [j, who] of s.notify.entries()) {
          if (!(RecipientRole as readonly string[]).includes(who) && !this.units.has(who))
            this.ctx.err("UNKNOWN_REF", `“${who}”既不是角色（${RecipientRole.join("、")}），也不是单位${suggest(who, [...RecipientRole, ...this.units.keys()])}`, ["policies", id, "steps", index, "notify", j]);
        }
        return { index, offset, unit, notify: s.notify, level: s.level ?? 0, repeat: s.repeat ?? 0 };
      });
      out.set(id, { id, dueSoon: pol.dueSoon ?? 3, steps });
    }
    const d = this.ctx.p.defaults ?? {};
    if (d.policy !== undefined) this.policyRef(d.policy, out, ["defaults", "policy"]);
    if (d.taskPolicy !== undefined) this.policyRef(d.taskPolicy, out, ["defaults", "taskPolicy"]);
    return out;
  }

  policyRef(id: string | undefined, policies: Map<string, Policy>, path: PathSegment[]): string {
    if (id === undefined) return "";
    if (!policies.has(id)) this.ctx.err("UNKNOWN_REF", `未知督办规则“${id}”${suggest(id, policies.keys())}`, path);
    return id;
  }

  resolveTasks(policies: Map<string, Policy>): Task[] {
    const seen = new Set<string>();
    const out: Task[] = [];
    for (const [i, t] of (this.ctx.p.tasks ?? []).entries()) {
      if (seen.has(t.id)) this.ctx.err("DUPLICATE_ID", `任务 id“${t.id}”已被使用；请换一个 id`, ["tasks", i, "id"]);
      seen.add(t.id);
      this.unitRef(t.lead, ["tasks", i, "lead"], "organisation");
      const support = this.expandRefs(t.support ?? [], ["tasks", i, "support"]);
      if (support.includes(t.lead)) this.ctx.warn("TASK_LEAD", `牵头部门“${t.lead}”也列在 support 中，只按牵头部门计一次；可从 support 中删去`, ["tasks", i, "support"]);
      const partners = this.expandRefs(t.partners ?? [], ["tasks", i, "partners"]);
      const phases = t.phases ?? this.ctx.p.phases.map((p) => p.id);
      for (const [j, ph] of (t.phases ?? []).entries()) this.phaseRef(ph, ["tasks", i, "phases", j]);
      if (t.policy !== undefined) this.policyRef(t.policy, policies, ["tasks", i, "policy"]);
      out.push({ id: t.id, number: this.taskNumber(t, i), title: t.title, scope: t.scope, lead: t.lead, support: support.filter((u) => u !== t.lead), partners, phases });
    }
    return out;
  }

  /**
   * The task's number. The old key `no` still works for one version, with a warning: YAML 1.1 readers
   * (PyYAML, older editor plugins) read the key itself as the boolean false.
   */
  private taskNumber(t: TaskInput, i: number): number | undefined {
    if (t.no === undefined) return t.number;
    if (t.number !== undefined) {
      this.ctx.err("DUPLICATE_ID", `任务“${t.id}”同时写了 number 和旧键 no；请删去 no`, ["tasks", i, "no"], true);
      return t.number;
    }
    this.ctx.warn("DEPRECATED_KEY", `键“no”已改名为“number”（YAML 1.1 的读取程序会把 no 读成布尔值 false）；请改写为 number: ${t.no}，旧键只在本版本中继续有效`, ["tasks", i, "no"], true);
    return t.no;
  }}

import { Document, isCollection, isMap, isScalar, type Node, type Pair } from "yaml";
import { citeAll, cite, type Draft, type DraftDeliverable, type DraftPerson } from "./model.ts";
import { suggestId, UnitRegistry, type RegUnit } from "./units.ts";

/**
 * The draft as a plan file, through the yaml Document API so that every element's source can sit right above
 * it as a comment (phases, tasks, units have no `source:` key in the plan format; deliverables have one).
 */
export interface EmitOptions {
  /** Relative path from the output file to schemas/plan.schema.json, for the editor modeline. */
  schemaPath: string;
  registry: UnitRegistry;
  /** Whether the units came from a --units file (changes the comments, not the plan). */
  unitsFile?: string;
}

export interface Emitted {
  text: string;
  /** Ids given to the draft's elements (the check and the tests read them). */
  phaseIds: Map<string, string>;
  taskIds: Map<number, string>;
  todoCount: number;
  newUnits: RegUnit[];
}

const DEFAULT_POLICY = {
  dueSoon: 3,
  steps: [
    { at: "-3wd", notify: ["assignee"] },
    { at: "0wd", notify: ["assignee"] },
    { at: "+1wd", notify: ["assignee"], repeat: 1 },
    { at: "+1wd", notify: ["lead"], level: 1 },
    { at: "+3wd", notify: ["office"], level: 2 },
    { at: "+5wd", notify: ["leader"], level: 3 },
  ],
};

function uniqueIds() {
  const used = new Set<string>();
  return (base: string) => {
    let id = base;
    for (let n = 2; used.has(id); n++) id = `${base}-${n}`;
    used.add(id);
    return id;
  };
}

export function emitPlan(draft: Draft, opts: EmitOptions): Emitted {
  const reg = opts.registry;
  const comments = new Map<string, string>(); // path key → comment above that node
  const note = (path: (string | number)[], text: string) => comments.set(JSON.stringify(path), text);
  const todo: Record<string, unknown>[] = [];
  const structured = draft.phases.length + draft.tasks.length + draft.deliverables.length > 0 || draft.leadingGroup !== undefined;

  const campaign: Record<string, unknown> = {
    id: `${suggestId(draft.title.replace(/^\d{4}\s*年(度)?/, ""), "deliverable")}-${draft.year}`,
    title: draft.title,
    ...(draft.document ? { document: draft.document } : {}),
    issuer: draft.issuer ? (reg.find(draft.issuer)?.name ?? draft.issuer) : "（待填写）",
    timezone: "Asia/Shanghai",
    language: "zh-CN",
    ...(draft.start ? { start: draft.start } : {}),
    ...(draft.end ? { end: draft.end } : {}),
  };
  const plan: Record<string, unknown> = { duban: 1, campaign };
  if (draft.issuerSource) note(["campaign", "issuer"], `印发单位：${cite(draft.issuerSource)}`);
  if (draft.periodSource) note(["campaign", "start"], `起止：${cite(draft.periodSource)}${draft.yearSource ? `；年份取自文件中的“${draft.yearSource}”` : ""}`);
  if (!structured) {
    for (const t of draft.todos) todo.push({ what: t.what });
    plan.todo = todo;
    return finish(plan, comments, draft, opts, new Map(), new Map(), todo.length);
  }

  // A notice's deadlines read "X月X日前" (by that day): one on a rest day must move earlier, never past the
  // document's date, so the drafted rule is `previous` (see README, "A due date on a rest day").
  plan.calendar = { base: "cn", sendAt: "09:00", dueAt: "18:00", dueOnRestDay: "previous" };
  note(["calendar"], "文件未规定提醒时间：以下为 Duban 的默认值，请按本单位习惯调整；截止日期写作“X月X日前”，遇休息日提前至前一个工作日（previous）");

  // Ids: tasks' units first (the document's main list), then the leading group, then everyone else.
  const phaseId = new Map<string, string>();
  const nextPhase = uniqueIds();
  for (const p of draft.phases) phaseId.set(p.name, nextPhase(suggestId(p.name, "phase")));
  const taskId = new Map<number, string>();
  for (const t of draft.tasks) taskId.set(t.number, `task-${t.number}`);
  const refs = (names: string[]) => [...new Set(names.map((n) => reg.ref(n)))];
  const taskUnits = draft.tasks.map((t) => ({ lead: t.lead ? reg.ref(t.lead) : undefined, support: refs(t.support), partners: [...new Set(t.partners.map((n) => reg.ref(n, "external")))] }));
  for (const g of draft.groups) {
    const members = refs(g.members).filter((m) => !m.startsWith("@"));
    const group = reg.group(g.name, members, true);
    if (!group.members.length) group.members.push(...members);
  }
  const lg = draft.leadingGroup;
  const person = (p: DraftPerson) => {
    const id = reg.person(p.name, p.title, p.unit);
    return { id, unit: reg.units.find((u) => u.id === id)?.parent };
  };
  const leader = lg?.leader ? person(lg.leader) : undefined;
  const deputies = lg?.deputies.map(person) ?? [];
  const members = lg?.members.map(person) ?? [];
  const officeUnit = lg?.office?.unit ? reg.ref(lg.office.unit) : undefined;
  const director = lg?.office?.director ? reg.person(lg.office.director, undefined, lg.office.unit) : undefined;
  const deliverable = (d: DraftDeliverable, id: string) => {
    const out: Record<string, unknown> = { id, title: d.title };
    if (d.description) out.description = d.description;
    out.source = citeAll(d.sources);
    if (d.task !== undefined) out.task = taskId.get(d.task) ?? `task-${d.task}`;
    const ph = d.phase ?? (d.recurring ? undefined : undefined);
    if (ph && phaseId.has(ph)) out.phase = phaseId.get(ph);
    out.from = refs(d.from);
    if (d.to) out.to = reg.ref(d.to);
    if (d.due) out.due = d.due;
    if (d.recurring) {
      const anchor = (x: string) => x.replace(/^(start|end):(.+)$/, (_m, k: string, name: string) => `${k}:${phaseId.get(name) ?? name}`);
      out.recurring = { ...d.recurring, from: anchor(d.recurring.from), until: anchor(d.recurring.until) };
    }
    return out;
  };
  const nextDeliverable = uniqueIds();
  const deliverables = draft.deliverables.map((d) => deliverable(d, nextDeliverable(suggestId(d.title, "deliverable"))));
  for (const t of draft.todos) {
    const entry: Record<string, unknown> = { what: t.what };
    if (t.source) entry.source = cite(t.source);
    if (t.document) entry.document = t.document;
    if (t.draft) entry.draft = deliverable(t.draft.deliverable, nextDeliverable(suggestId(t.draft.deliverable.title, "deliverable")));
    todo.push(entry);
  }

  // Units: the office's file as it is, then what the document adds.
  const units = reg.units.map((u) => {
    const out: Record<string, unknown> = { id: u.id, name: u.name };
    if (u.short) out.short = u.short;
    else if (u.isNew) {
      const shorter = u.aliases.find((a) => a.length < u.name.length);
      if (shorter) out.short = shorter;
    }
    out.kind = u.kind;
    if (u.parent) out.parent = u.parent;
    if (u.title) out.title = u.title;
    if (u.contacts) out.contacts = u.contacts;
    return out;
  });
  plan.units = units;
  const newUnits = reg.newUnits();
  const firstNew = reg.units.findIndex((u) => u.isNew);
  if (firstNew > 0) note(["units", firstNew], "以下单位和人员在文件中出现、单位清单中没有：请核对名称和建议的 id，补充联系方式（contacts）");
  else if (firstNew === 0) note(["units", 0], "单位和人员按文件中的名称列出，id 为建议值（拼音）；请核对并补充联系方式（contacts）");
  if (newUnits.length)
    todo.push({
      what: `文件中有 ${newUnits.length} 个单位或人员不在单位清单中（${newUnits.map((u) => `${u.name}→${u.id}`).join("、")}）；请核对 id、上级单位和联系方式`,
    });

  const groups: Record<string, unknown> = {};
  for (const g of reg.groups) {
    groups[g.id] = { name: g.name, members: g.members };
    if (g.isNew && !g.members.length) todo.push({ what: `单位组“${g.name}”（@${g.id}）：文件没有列出包含哪些单位；请填写 members` });
  }
  if (reg.groups.length) plan.groups = groups;
  for (const g of draft.groups) {
    const id = reg.groups.find((x) => x.name === g.name)?.id;
    if (id) note(["groups", id], cite(g.source));
  }

  plan.leadingGroup = {
    ...(lg?.name ? { name: lg.name } : {}),
    leader: leader?.id ?? "",
    ...(deputies.length ? { deputies: deputies.map((d) => d.id) } : {}),
    ...(members.length ? { members: members.map((m) => ({ person: m.id, unit: m.unit ?? "" })) } : {}),
    office: { name: lg?.office?.name ?? "领导小组办公室", unit: officeUnit ?? "", ...(director ? { director } : {}) },
  };
  if (lg) note(["leadingGroup"], cite(lg.source));
  if (lg?.office) note(["leadingGroup", "office"], cite(lg.office.source));
  for (const [i, m] of members.entries()) if (!m.unit) todo.push({ what: `领导小组成员（${reg.units.find((u) => u.id === m.id)?.name}）的所在单位没有写明；请填写 leadingGroup.members[${i}].unit` });

  plan.phases = draft.phases.map((p) => ({ id: phaseId.get(p.name), name: p.name, start: p.start, end: p.end, ...(p.description ? { description: p.description } : {}) }));
  draft.phases.forEach((p, i) => note(["phases", i], cite(p.source)));
  if (draft.tasks.length)
    plan.tasks = draft.tasks.map((t, i) => ({
      id: taskId.get(t.number),
      number: t.number,
      title: t.title,
      ...(t.scope ? { scope: t.scope } : {}),
      lead: taskUnits[i]!.lead ?? "",
      ...(taskUnits[i]!.support.length ? { support: taskUnits[i]!.support.filter((s) => s !== taskUnits[i]!.lead) } : {}),
      ...(taskUnits[i]!.partners.length ? { partners: taskUnits[i]!.partners } : {}),
      ...(t.due ? { due: t.due } : {}),
    }));
  draft.tasks.forEach((t, i) => note(["tasks", i], cite(t.source)));
  if (deliverables.length) plan.deliverables = deliverables;
  plan.policies = { standard: DEFAULT_POLICY };
  note(["policies"], "文件未规定提醒和督办的步骤：以下为 Duban 的默认阶梯，请按本单位要求调整");
  plan.defaults = { policy: "standard", taskPolicy: "standard" };
  plan.todo = todo;
  return finish(plan, comments, draft, opts, phaseId, taskId, todo.length, newUnits);
}

function finish(plan: Record<string, unknown>, comments: Map<string, string>, draft: Draft, opts: EmitOptions, phaseIds: Map<string, string>, taskIds: Map<number, string>, todoCount: number, newUnits: RegUnit[] = []): Emitted {
  const doc = new Document(plan);
  doc.commentBefore = [
    ` yaml-language-server: $schema=${opts.schemaPath}`,
    "",
    ` 计划草稿：由 duban draft 从 ${draft.file.replace(/^.*\//, "")} 生成（${draft.encoding === "docx" ? "Word 文档" : `文本编码 ${draft.encoding}`}）。`,
    " 每个元素上方或 source 字段注明所依据的条款和原文；文件没有写明的内容不会被补上，而是列在末尾的 todo 中。",
    ` todo 共 ${todoCount} 条：duban validate 会把每一条报为错误（UNRESOLVED_TODO），逐条核实、补全计划并删除后，计划才能使用。`,
  ].join("\n");
  for (const [key, text] of comments) {
    const path = JSON.parse(key) as (string | number)[];
    const node = nodeAt(doc, path);
    if (node) node.commentBefore = ` ${text}`;
  }
  // Compact rows for lists of units, references and small maps, as in the shipped plans.
  const flow = (path: (string | number)[]) => {
    const n = doc.getIn(path, true);
    if (isCollection(n)) n.flow = true;
  };
  (plan.units as unknown[] | undefined)?.forEach((_u, i) => flow(["units", i]));
  for (const id of Object.keys((plan.groups as object | undefined) ?? {})) flow(["groups", id, "members"]);
  ((plan.leadingGroup as { members?: unknown[] } | undefined)?.members ?? []).forEach((_m, i) => flow(["leadingGroup", "members", i]));
  if (plan.leadingGroup) flow(["leadingGroup", "office"]);
  (plan.phases as unknown[] | undefined)?.forEach((_p, i) => {
    const n = doc.getIn(["phases", i], true);
    if (isMap(n) && !n.has("description")) n.flow = true;
  });
  (plan.tasks as { support?: unknown; partners?: unknown }[] | undefined)?.forEach((t, i) => {
    if (t.support) flow(["tasks", i, "support"]);
    if (t.partners) flow(["tasks", i, "partners"]);
  });
  (plan.deliverables as { recurring?: unknown }[] | undefined)?.forEach((d, i) => {
    flow(["deliverables", i, "from"]);
    if (d.recurring) flow(["deliverables", i, "recurring"]);
  });
  (plan.todo as { draft?: { recurring?: unknown } }[]).forEach((t, i) => {
    if (t.draft) flow(["todo", i, "draft", "from"]);
  });
  const steps = (plan.policies as { standard?: { steps: unknown[] } } | undefined)?.standard?.steps ?? [];
  steps.forEach((_s, i) => flow(["policies", "standard", "steps", i]));
  if (plan.calendar) flow(["calendar"]);
  return { text: doc.toString({ lineWidth: 0, flowCollectionPadding: true }), phaseIds, taskIds, todoCount, newUnits };
}

/** The node a comment belongs above: the item of a list, or the key of a map entry. */
function nodeAt(doc: Document, path: (string | number)[]): Node | undefined {
  const parentPath = path.slice(0, -1);
  const last = path[path.length - 1]!;
  const parent = parentPath.length ? doc.getIn(parentPath, true) : doc.contents;
  if (isMap(parent)) {
    const pair = parent.items.find((p: Pair) => isScalar(p.key) && p.key.value === last);
    return pair?.key as Node | undefined;
  }
  const n = doc.getIn(path, true);
  return n && typeof n === "object" ? (n as Node) : undefined;
}

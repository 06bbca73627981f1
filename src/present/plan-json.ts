import { formatInstant } from "../engine/calendar.ts";
import type { Assignment, ResolvedPlan } from "../plan/types.ts";
import type { Audience, DueRule, Offset } from "../model/kind.ts";

const offsetJson = (o: Offset) => `+${o.n}${o.unit}`;
/** A due rule as the plan writes it: "+5wd", or { given: { min, max, default } }. */
const dueJson = (d: DueRule) =>
  d.kind === "offset" ? offsetJson(d.offset) : { given: { ...(d.min ? { min: offsetJson(d.min) } : {}), max: offsetJson(d.max), ...(d.default ? { default: offsetJson(d.default) } : {}) } };

/** The resolved plan as JSON (the shape documented in the README under "duban plan --json"). */
export function planToJson(plan: ResolvedPlan) {
  const zone = plan.campaign.timezone;
  const iso = (ms: number) => formatInstant(ms, zone);
  const c = plan.campaign;
  return {
    planHash: plan.hash,
    campaign: { id: c.id, title: c.title, issuer: c.issuer, document: c.document, timezone: zone, language: c.language, start: c.start, end: c.end },
    calendar: plan.calendar,
    leadingGroup: plan.leadingGroup,
    units: [...plan.units.values()].map((u) => ({ id: u.id, name: u.name, short: u.short, kind: u.kind, parent: u.parent, title: u.title, groups: u.groups })),
    groups: Object.fromEntries([...plan.groups].map(([id, g]) => [id, { name: g.name, members: g.members }])),
    phases: plan.phases.map((p) => ({ id: p.id, name: p.name, start: p.start, end: p.end })),
    tasks: plan.tasks.map((t) => ({ id: t.id, number: t.number, title: t.title, lead: t.lead, support: t.support, partners: t.partners, phases: t.phases })),
    deliverables: plan.deliverables.map((d) => ({ id: d.id, title: d.title, source: d.source, task: d.task, phase: d.phase, to: d.to ?? plan.leadingGroup.office.unit, due: d.due, recurring: d.recurring, assumed: d.assumed })),
    policies: Object.fromEntries([...plan.policies].map(([id, p]) => [id, { dueSoon: p.dueSoon, steps: p.steps.map((s) => ({ at: `${s.offset >= 0 ? "+" : ""}${s.offset}${s.unit}`, notify: s.notify, level: s.level, repeat: s.repeat })) }])),
    assignments: plan.assignments.map((a) => assignmentJson(a, iso)),
    kinds: [...plan.kinds.values()].map((k) => ({
      id: k.id,
      title: k.title,
      source: k.source,
      description: k.description,
      openers: audienceJson(k.openers),
      to: audienceJson(k.recipients),
      joint: k.joint,
      reviewer: k.reviewer,
      due: dueJson(k.due),
      workingHours: k.workingHours,
      acknowledge: k.acknowledge ? { within: offsetJson(k.acknowledge.within), notify: k.acknowledge.notify, level: k.acknowledge.level } : null,
      levels: k.levels.map((l) => ({ id: l.id, policy: l.policy, due: l.due ? dueJson(l.due) : undefined })),
      fields: k.fields,
      followUp: k.followUp ? { first: offsetJson(k.followUp.first), everyWorkingDays: k.followUp.everyWorkingDays } : null,
      withdraw: audienceJson(k.withdraw),
      extend: audienceJson(k.extend),
      key: k.key,
      maxAttachmentBytes: k.maxAttachmentBytes,
      assumed: k.assumed,
    })),
  };
}

/** `due` is null for an item without a deadline; `dueAssumed` says why a due date is only assumed. */
export function assignmentJson(a: Assignment, iso: (ms: number) => string) {
  return {
    id: a.id,
    kind: a.kind,
    unit: a.unit,
    role: a.role,
    title: a.title,
    deliverable: a.deliverable,
    task: a.task,
    phase: a.phase,
    to: a.to,
    lead: a.lead,
    policy: a.policy,
    opens: iso(a.opensAt),
    due: a.dueAt === null ? null : iso(a.dueAt),
    dueShiftedFrom: a.dueShiftedFrom,
    dueAssumed: a.dueAssumed,
  };
}

/** A kind's audience as JSON: unit ids as a list (JSON has no sets). */
export function audienceJson(a: Audience) {
  return { office: a.office, taskLeads: a.taskLeads, self: a.self, any: a.any, units: [...a.units] };
}

import type { ResolvedPlan } from "../model/definition.ts";
import { checkFields, type UnitLookup } from "../model/fields.ts";
import type { Item } from "../model/item.ts";
import type { Audience, ItemKind, Offset } from "../model/kind.ts";
import { unitNamesOf } from "../model/unit-names.ts";
import type { EpochMs } from "../model/time.ts";
import { actingUnits, actsAsOffice } from "./authorize.ts";
import { formatInstant } from "./calendar.ts";
import { offsetFrom, type OffsetClock } from "./offsets.ts";
import type { Actor, OpenRequest, Refusal } from "./types.ts";

/** What deciding an opening needs to know of the running engine. */
export interface OpeningContext {
  plan: ResolvedPlan;
  clock: OffsetClock;
  /** How many items of each kind were opened so far (the next one gets the next number). */
  opened: (kind: string) => number;
  /** Whether an item of the kind already has this import key. */
  hasKey: (kind: string, key: string) => boolean;
  /** Whether the campaign has closed. */
  closed: boolean;
}

/** Whether a unit is in a kind's audience; `self` is the acting unit (openers) or the opener (recipients). */
export function inAudience(plan: ResolvedPlan, who: Audience, unit: string, self: ReadonlySet<string>): boolean {
  if (who.any && plan.units.has(unit)) return true;
  if (who.units.has(unit)) return true;
  if (who.self && self.has(unit)) return true;
  if (who.office && unit === plan.leadingGroup.office.unit) return true;
  if (who.taskLeads && plan.tasks.some((t) => t.lead === unit)) return true;
  return false;
}

/** The audience in words' place: its parts as ids, for a refusal to name (rendered at the edge). */
export function audienceParts(who: Audience): string[] {
  return [...(who.office ? ["@office"] : []), ...(who.taskLeads ? ["@taskLeads"] : []), ...(who.self ? ["@self"] : []), ...(who.any ? ["@any"] : []), ...who.units];
}

const lookups = new WeakMap<ResolvedPlan, UnitLookup>();

/** Finds a unit by id, full name, short name or (a district's bureau) its district's name. */
export function unitLookup(plan: ResolvedPlan): UnitLookup {
  let l = lookups.get(plan);
  if (!l) lookups.set(plan, (l = unitNamesOf(plan).find));
  return l;
}

function actorId(actor: Actor): string {
  return actor.kind === "unit" ? actor.unit : "engine";
}

/**
 * Decides an opening at `now`: checks it against its kind (who may open, to whom, the deadline, the
 * urgency, the fields) and returns the item to open, or the refusal as a value. Pure: `now` and the
 * counts come in, nothing is read.
 */
export function decideOpening(ctx: OpeningContext, req: OpenRequest, now: EpochMs): Item | Refusal {
  const { plan } = ctx;
  const kind = plan.kinds.get(req.kind);
  if (!kind) return { code: "UNKNOWN_KIND", params: { kind: req.kind, known: [...plan.kinds.keys()] } };
  const actor = req.actor;
  if (actor.kind !== "unit" || !plan.units.has(actor.unit)) return { code: "UNKNOWN_ACTOR", params: { actor: actorId(actor) } };
  if (ctx.closed || now >= plan.campaign.endAt) return { code: "CAMPAIGN_OVER", params: { end: plan.campaign.end } };
  const acting = actingUnits(plan, actor);
  const office = actsAsOffice(plan, actor);
  const openerOk = (kind.openers.office && office) || [...acting].some((u) => inAudience(plan, { ...kind.openers, office: false }, u, acting));
  if (!openerOk) return { code: "NOT_OPENER", params: { kind: kind.id, kindTitle: kind.title, actor: actor.unit, allowed: audienceParts(kind.openers) } };
  // A person opens for the unit they belong to.
  const opener = plan.units.get(actor.unit)?.kind === "person" ? (plan.units.get(actor.unit)!.parent ?? actor.unit) : actor.unit;
  // Owing units by id or by the names people write (a form, a sheet's 责任单位).
  const to = [...new Set(req.to.map((u) => unitLookup(plan)(u) ?? u))];
  if (to.length === 0) return { code: "BAD_RECIPIENT", params: { kind: kind.id, kindTitle: kind.title, units: [], allowed: audienceParts(kind.recipients), reason: "none" } };
  const outside = to.filter((u) => !plan.units.has(u) || !inAudience(plan, kind.recipients, u, new Set([opener])));
  if (outside.length) return { code: "BAD_RECIPIENT", params: { kind: kind.id, kindTitle: kind.title, units: outside, allowed: audienceParts(kind.recipients), reason: "outside" } };
  if (to.length > 1 && !kind.joint) return { code: "BAD_RECIPIENT", params: { kind: kind.id, kindTitle: kind.title, units: to, allowed: audienceParts(kind.recipients), reason: "notJoint" } };
  if (kind.joint && to.length > kind.joint.maxUnits) return { code: "BAD_RECIPIENT", params: { kind: kind.id, kindTitle: kind.title, units: to, max: kind.joint.maxUnits, allowed: audienceParts(kind.recipients), reason: "tooMany" } };
  const level = req.level === undefined ? kind.levels[0]! : kind.levels.find((l) => l.id === req.level);
  if (!level) return { code: "BAD_LEVEL", params: { kind: kind.id, level: req.level!, levels: kind.levels.map((l) => l.id) } };
  const dueAt = dueOf(ctx, kind, level.due ?? kind.due, req, now);
  if (typeof dueAt !== "number") return dueAt;
  const { values, problems } = checkFields(kind, req.fields ?? {}, unitLookup(plan));
  if (problems.length) return { code: "BAD_FIELDS", params: { kind: kind.id, count: problems.length }, problems };
  const key = req.key ?? (kind.key.length ? kind.key.map((k) => String(values[k] ?? "")).join("|") : undefined);
  if (key !== undefined && ctx.hasKey(kind.id, key)) return { code: "DUPLICATE_KEY", params: { kind: kind.id, key } };
  const number = ctx.opened(kind.id) + 1;
  const hours = (level.due ?? kind.due).kind === "offset" ? ((level.due ?? kind.due) as { offset: Offset }).offset.unit === "h" : false;
  const first = kind.followUp ? offsetFrom(ctx.clock, now, kind.followUp.first, kind.workingHours) : undefined;
  const item: Item = {
    id: `${kind.id}-${String(number).padStart(3, "0")}`,
    kind: "opened",
    unit: to[0]!,
    ...(to.length > 1 ? { members: to } : {}),
    role: "owner",
    title: req.title,
    to: kind.reviewer === "opener" ? opener : plan.leadingGroup.office.unit,
    lead: opener,
    policy: level.policy,
    opensAt: now,
    dueAt: first ?? dueAt,
    ...(hours || kind.followUp?.first.unit === "h" ? { exactHours: true } : {}),
    ...(kind.acknowledge ? { ackDueAt: offsetFrom(ctx.clock, now, kind.acknowledge.within, kind.workingHours) } : {}),
    // The kind's assumption is about the deadline its rule sets; a date the opener wrote is the opener's own.
    ...(kind.assumed && req.due === undefined ? { dueAssumed: kind.assumed } : {}),
    opened: {
      kind: kind.id,
      number,
      openedBy: opener,
      level: level.id,
      fields: values,
      submit: kind.joint?.submit ?? "any",
      ...(kind.followUp ? { followUpEveryWorkingDays: kind.followUp.everyWorkingDays } : {}),
      ...(key !== undefined ? { key } : {}),
      ...(req.note ? { note: req.note } : {}),
    },
  };
  return item;
}

/** The deadline of an opening by its kind's rule; a given date must fall within the kind's bound and the campaign. */
function dueOf(ctx: OpeningContext, kind: ItemKind, rule: ItemKind["due"], req: OpenRequest, now: EpochMs): EpochMs | Refusal {
  const { plan } = ctx;
  const zone = plan.campaign.timezone;
  let due: EpochMs;
  if (rule.kind === "offset") due = offsetFrom(ctx.clock, now, rule.offset, kind.workingHours);
  else {
    const given = req.due ?? (rule.default ? offsetFrom(ctx.clock, now, rule.default, kind.workingHours) : undefined);
    if (given === undefined) return { code: "BAD_DUE", params: { kind: kind.id, reason: "missing", max: formatInstant(offsetFrom(ctx.clock, now, rule.max, kind.workingHours), zone) } };
    const min = rule.min ? offsetFrom(ctx.clock, now, rule.min, kind.workingHours) : now;
    const max = offsetFrom(ctx.clock, now, rule.max, kind.workingHours);
    if (given <= now) return { code: "BAD_DUE", params: { kind: kind.id, reason: "past", due: formatInstant(given, zone), now: formatInstant(now, zone) } };
    if (given < min) return { code: "BAD_DUE", params: { kind: kind.id, reason: "tooSoon", due: formatInstant(given, zone), min: formatInstant(min, zone) } };
    if (given > max) return { code: "BAD_DUE", params: { kind: kind.id, reason: "tooLate", due: formatInstant(given, zone), max: formatInstant(max, zone) } };
    due = given;
  }
  if (due >= plan.campaign.endAt) return { code: "BAD_DUE", params: { kind: kind.id, reason: "afterCampaign", due: formatInstant(due, zone), end: plan.campaign.end } };
  return due;
}

import type { Audience, ItemKind } from "../../src/model/kind.ts";
import { loadPlanText } from "../../src/plan/load.ts";
import type { ResolvedPlan } from "../../src/plan/types.ts";
import { planText } from "../plan/minimal-plan.ts";

/**
 * The minimal plan with kinds of items that may be opened at run time, built by hand (the engine's
 * tests do not depend on how the plan file spells them). Policies: `standard` (on the day), `urgent`
 * (2 h before and at the deadline, then level 1 two hours after).
 */
export const aud = (parts: Partial<Omit<Audience, "units">> & { units?: string[] } = {}): Audience => ({
  office: parts.office ?? false,
  taskLeads: parts.taskLeads ?? false,
  self: parts.self ?? false,
  any: parts.any ?? false,
  units: new Set(parts.units ?? []),
});

const base = (k: Partial<ItemKind> & Pick<ItemKind, "id" | "title">): ItemKind => ({
  openers: aud({ office: true }),
  recipients: aud({ units: ["north", "south"] }),
  joint: null,
  reviewer: "office",
  due: { kind: "offset", offset: { n: 5, unit: "wd" } },
  workingHours: false,
  acknowledge: null,
  levels: [{ id: "一般", policy: "standard" }],
  fields: [],
  followUp: null,
  withdraw: aud({ self: true }),
  extend: aud({ self: true }),
  key: [],
  maxAttachmentBytes: 20 * 1048576,
  ...k,
});

export const KINDS: ItemKind[] = [
  base({
    id: "dubandan",
    title: "督办单",
    acknowledge: { within: { n: 1, unit: "wd" }, notify: ["office"], level: 1 },
    levels: [
      { id: "一般", policy: "standard" },
      { id: "特急", policy: "urgent", due: { kind: "offset", offset: { n: 24, unit: "h" } } },
    ],
    fields: [
      { id: "basis", title: "交办依据", type: "longText", required: true },
      { id: "category", title: "问题类别", type: "choice", required: false, choices: ["欠薪", "中介违规"] },
      { id: "count", title: "涉及人数", type: "number", required: false },
    ],
  }),
  base({
    id: "report",
    title: "新情况新问题报告",
    openers: aud({ units: ["north", "south"] }),
    recipients: aud({ self: true }),
    due: { kind: "offset", offset: { n: 24, unit: "h" } },
    levels: [{ id: "一般", policy: "urgent" }],
    followUp: { first: { n: 24, unit: "h" }, everyWorkingDays: 5 },
    fields: [{ id: "what", title: "情况", type: "text", required: true }],
  }),
  base({
    id: "rectify",
    title: "整改事项",
    openers: aud({ office: true, taskLeads: true }),
    recipients: aud({ units: ["north", "south"] }),
    joint: { maxUnits: 2, submit: "lead" },
    reviewer: "opener",
    due: { kind: "given", min: { n: 1, unit: "wd" }, max: { n: 30, unit: "wd" } },
    fields: [
      { id: "agency", title: "机构名称", type: "text", required: true },
      { id: "deadline", title: "整改时限", type: "date", required: false },
    ],
    key: ["agency"],
  }),
];

export function planWithKinds(kinds: ItemKind[] = KINDS): ResolvedPlan {
  const text = planText({ 29: ["      - { at: 0wd, notify: [assignee] }", "  urgent:", "    steps:", "      - { at: -2h, notify: [assignee] }", "      - { at: +2h, notify: [assignee, office], level: 1 }"] });
  const r = loadPlanText("plan.yaml", text);
  if (!r.plan) throw new Error(r.diagnostics.map((d) => `${d.line}:${d.col} ${d.message}`).join("\n"));
  return { ...r.plan, kinds: new Map(kinds.map((k) => [k.id, k])) };
}

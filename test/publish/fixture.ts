import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, onTestFinished } from "vitest";
import { Campaign } from "../../src/campaign/campaign.ts";
import type { Actor, EngineInput } from "../../src/engine/types.ts";
import { openStore } from "../../src/store/open.ts";
import { cst } from "../helpers.ts";
import { planText } from "../plan/minimal-plan.ts";

/**
 * A small plan for the published views: three districts owe a report in the first phase (due Tue
 * 2021-06-15, after the Dragon Boat holiday of 06-12..14) and a summary in the second (due Thu 07-15).
 * No tasks, so every count below is the deliverables' alone. The ladder reminds 2 working days before,
 * on the day, and escalates to the office 1 working day after.
 */
export const PUBLISH_PLAN = planText({
  12: ["  - { id: south, name: 南区, kind: district, contacts: { email: [south@example.gov.cn] } }", "  - { id: east, name: 东区, kind: district, contacts: { email: [east@example.gov.cn] } }"],
  15: "    members: [north, south, east]",
  22: [],
  23: [],
  25: [
    '  - { id: report, title: 半年报告, phase: first, from: ["@districts"], due: 2021-06-15 }',
    '  - { id: summary, title: 阶段小结, phase: second, from: ["@districts"], due: 2021-07-15 }',
  ],
  29: ["      - { at: -2wd, notify: [assignee] }", "      - { at: 0wd, notify: [assignee] }", "      - { at: +1wd, notify: [office], level: 1 }"],
});

/** The story's plan with 考评 rules: the example, a deduction capped at 3 points an item, a unit floor of -4, and 3 points for the summary on time. */
export const SCORED_PLAN =
  PUBLISH_PLAN +
  [
    "scoring:",
    "  onTime: 2",
    "  perLateDay: -0.5",
    "  perReturn: -1",
    "  waived: 0",
    "  item: { min: -3 }",
    "  unit: { min: -4 }",
    "  deliverables:",
    "    summary: { onTime: 3 }",
  ].join("\n") +
  "\n";

export const unit = (u: string): Actor => ({ kind: "unit", unit: u });

export function planFile(text = PUBLISH_PLAN): string {
  const file = join(mkdtempSync(join(tmpdir(), "duban-publish-")), "plan.yaml");
  writeFileSync(file, text);
  return file;
}

export function dbPath(): string {
  return join(mkdtempSync(join(tmpdir(), "duban-publish-db-")), "c.db");
}

/** A fresh SQLite store with the plan initialised on 2021-04-28 10:00. */
export async function initCampaign(db = dbPath(), text = PUBLISH_PLAN): Promise<{ c: Campaign; db: string; close: () => Promise<void> }> {
  const store = await openStore(db);
  const c = await Campaign.init(store, planFile(text), cst("2021-04-28T10:00"));
  return { c, db, close: () => store.close() };
}

export async function act(c: Campaign, input: EngineInput, at: string): Promise<void> {
  const r = await c.step(input, cst(at), { clock: "set" });
  expect(r.refused).toBeUndefined();
}

/**
 * The known story, in time order (see test/publish/stats.test.ts for what it adds up to):
 * north hands the report in early and it is accepted; east's report is extended to 06-25 and never
 * handed in; south hands it in 2 working days late, is sent back, and hands it in again 4 working days
 * late. The summary: north's is waived, south's is on time, east's is never handed in.
 */
export const STORY: { at: string; input: EngineInput }[] = [
  { at: "2021-06-10T10:00", input: { type: "submit", assignment: "report/north", actor: unit("north") } },
  { at: "2021-06-11T09:30", input: { type: "accept", assignment: "report/north", actor: unit("hq") } },
  { at: "2021-06-11T10:00", input: { type: "extend", assignment: "report/east", actor: unit("hq"), until: cst("2021-06-25T18:00"), note: "汛期" } },
  { at: "2021-06-16T12:00", input: { type: "tick" } },
  { at: "2021-06-17T10:00", input: { type: "submit", assignment: "report/south", actor: unit("south") } },
  { at: "2021-06-18T10:00", input: { type: "return", assignment: "report/south", actor: unit("hq"), note: "数据不全" } },
  { at: "2021-06-21T10:00", input: { type: "submit", assignment: "report/south", actor: unit("south") } },
  { at: "2021-06-28T12:00", input: { type: "tick" } },
  { at: "2021-07-01T10:00", input: { type: "waive", assignment: "summary/north", actor: unit("hq"), note: "并入年报" } },
  { at: "2021-07-14T10:00", input: { type: "submit", assignment: "summary/south", actor: unit("south") } },
  { at: "2021-07-20T12:00", input: { type: "tick" } },
];

/** Plays the story up to and including `until` (all of it by default). */
export async function playStory(c: Campaign, until = "9999"): Promise<void> {
  for (const s of STORY) if (s.at <= until) await act(c, s.input, s.at);
}

/** A campaign of `text` played up to `until` (the whole story by default), closed when the test ends. */
export async function played(text = SCORED_PLAN, until?: string) {
  const r = await initCampaign(undefined, text);
  onTestFinished(() => r.close());
  await playStory(r.c, until);
  return r;
}

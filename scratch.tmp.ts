import { loadPlanText } from "./src/plan/load.ts";
import { BASE, planText } from "./test/plan/minimal-plan.ts";
for (const rec of [
  'monthDays: [31], from: "start:second", until: "end:second"',
  'monthDays: [last], from: "start:second", until: "end:second"',
  'monthDays: [last], months: [3, 6, 9, 12], from: "campaign:start", until: "campaign:end"',
  'everyWorkingDays: 10, from: "start:second", until: "end:second"',
  'everyWorkingDays: 10, weekdays: [1], from: "start:second", until: "end:second"',
  'months: [7], from: "start:second", until: "end:second"',
  'monthDays: [lst], from: "start:second", until: "end:second"',
  'monthDays: [0], from: "start:second", until: "end:second"',
  'monthDays: [true], from: "start:second", until: "end:second"',
]) {
  const r = loadPlanText("plan.yaml", planText({ 25: [BASE[24]!, `  - { id: s, title: 周期, from: [north], recurring: { ${rec} } }`] }));
  console.log(rec);
  for (const d of r.diagnostics) console.log("  ", d.line, d.col, d.severity, d.code, d.message);
  console.log("  ", r.plan?.assignments.filter((a) => a.deliverable === "s").map((a) => a.id.slice(2, 12)).join(" "));
}

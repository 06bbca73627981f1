import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import YAML from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { chongqingInlined } from "../helpers.ts";
import { compileSchema, DIRECTORY_SCHEMA_PATH, loadPrecompiled, PLAN_SCHEMA_PATH, standaloneValidator } from "../../src/plan/schema.ts";

// Inside the package, as dist/ is: the compiled code requires ajv's runtime from node_modules.
mkdirSync("node_modules/.cache", { recursive: true });
const dir = mkdtempSync(join("node_modules/.cache", "duban-validator-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const schemaText = readFileSync(PLAN_SCHEMA_PATH, "utf8");
const file = resolve(dir, "plan-schema-validator.cjs");
writeFileSync(file, standaloneValidator(schemaText));

const plan = () => YAML.parse(chongqingInlined()) as Record<string, any>;
/** Broken plans of several kinds: every keyword checkSchema turns into a Chinese message. */
const broken: [string, (p: Record<string, any>) => void][] = [
  ["missing key", (p) => delete p.campaign.id],
  ["unknown key", (p) => (p.campaign.titel = "x")],
  ["wrong type", (p) => (p.tasks[0].lead = ["flow", "legal"])],
  ["bad pattern", (p) => (p.units[0].id = "流动处")],
  ["bad email", (p) => (p.units[0].contacts = { email: ["not-an-email"] })],
  ["bad enum", (p) => (p.calendar.dueOnRestDay = "later")],
];

describe("the plan schema's validator compiled ahead of time (dist/plan-schema-validator.cjs)", () => {
  it("is used only for exactly the schema it was compiled from", () => {
    expect(loadPrecompiled(file, schemaText)).toBeTypeOf("function");
    expect(loadPrecompiled(file, schemaText.replace('"title"', '"title" '))).toBeUndefined();
    expect(loadPrecompiled(join(dir, "absent.cjs"), schemaText)).toBeUndefined();
  });

  it("reports exactly what the validator compiled at run time reports", () => {
    const ahead = loadPrecompiled(file, schemaText)!;
    const now = compileSchema(schemaText);
    const errors = (v: typeof now) => (v.errors ?? []).map((e) => ({ ...e, schema: JSON.stringify(e.schema), parentSchema: JSON.stringify(e.parentSchema) }));
    expect(ahead(plan())).toBe(true);
    for (const [what, breakIt] of broken) {
      const p = plan();
      breakIt(p);
      expect(ahead(p), what).toBe(false);
      expect(now(p), what).toBe(false);
      expect(errors(ahead), what).toEqual(errors(now));
      expect(errors(ahead).length, what).toBeGreaterThan(0);
    }
  });
});

describe("the directory schema's validator compiled ahead of time (dist/directory-schema-validator.cjs)", () => {
  const dirText = readFileSync(DIRECTORY_SCHEMA_PATH, "utf8");
  const dirFile = resolve(dir, "directory-schema-validator.cjs");
  writeFileSync(dirFile, standaloneValidator(dirText, [schemaText]));

  it("is used only with exactly the directory and plan schemas it was compiled from", () => {
    expect(loadPrecompiled(dirFile, dirText, [schemaText])).toBeTypeOf("function");
    expect(loadPrecompiled(dirFile, dirText, [schemaText.replace('"title"', '"title" ')])).toBeUndefined();
    expect(loadPrecompiled(dirFile, dirText)).toBeUndefined();
  });

  it("reports exactly what the validator compiled at run time reports", () => {
    const ahead = loadPrecompiled(dirFile, dirText, [schemaText])!;
    const now = compileSchema(dirText, [schemaText]);
    const errors = (v: typeof now) => (v.errors ?? []).map((e) => ({ ...e, schema: JSON.stringify(e.schema), parentSchema: JSON.stringify(e.parentSchema) }));
    const directory = () => YAML.parse(readFileSync("plans/org/chongqing-hrss.yaml", "utf8")) as Record<string, any>;
    expect(ahead(directory())).toBe(true);
    const broken = directory();
    broken.units[0].id = "流动处";
    delete broken.directory.name;
    expect(ahead(broken)).toBe(false);
    expect(now(broken)).toBe(false);
    expect(errors(ahead)).toEqual(errors(now));
    expect(errors(ahead).length).toBeGreaterThan(1);
  });
});

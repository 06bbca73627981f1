// Part of `npm run build`, after tsc: compiles the plan schema's validator and the directory schema's ahead
// of time into dist/plan-schema-validator.cjs and dist/directory-schema-validator.cjs, so that commands which
// read a plan do not compile a schema at every start (see src/plan/schema.ts). Plain JavaScript: it runs
// from the fresh build, without tsx.
import { readFileSync, writeFileSync } from "node:fs";
import { DIRECTORY_SCHEMA_PATH, PLAN_SCHEMA_PATH, PRECOMPILED_DIRECTORY_VALIDATOR_PATH, PRECOMPILED_VALIDATOR_PATH, standaloneValidator } from "../dist/src/plan/schema.js";

const plan = readFileSync(PLAN_SCHEMA_PATH, "utf8");
writeFileSync(PRECOMPILED_VALIDATOR_PATH, standaloneValidator(plan));
// The directory schema takes its units and groups from the plan schema's definitions.
writeFileSync(PRECOMPILED_DIRECTORY_VALIDATOR_PATH, standaloneValidator(readFileSync(DIRECTORY_SCHEMA_PATH, "utf8"), [plan]));

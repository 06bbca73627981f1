// Part of `npm run build`, after tsc: compiles the plan schema's validator ahead of time into
// dist/plan-schema-validator.cjs, so that commands which read a plan do not compile the schema at every
// start (see src/plan/schema.ts). Plain JavaScript: it runs from the fresh build, without tsx.
import { readFileSync, writeFileSync } from "node:fs";
import { PLAN_SCHEMA_PATH, PRECOMPILED_VALIDATOR_PATH, standaloneValidator } from "../dist/src/plan/schema.js";

writeFileSync(PRECOMPILED_VALIDATOR_PATH, standaloneValidator(readFileSync(PLAN_SCHEMA_PATH, "utf8")));

import { pgSchema, pgSpec, pgUnavailable } from "../pg.ts";
import { describeSubPlansSuite } from "./subplans-suite.ts";

describeSubPlansSuite("sub-plans beside their parent in one PostgreSQL store", () => pgSpec(pgSchema()), { skip: Boolean(pgUnavailable) });

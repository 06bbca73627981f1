import { pgSchema, pgSpec, pgUnavailable } from "../pg.ts";
import { describeAsOfSuite } from "./as-of-suite.ts";

describeAsOfSuite("replay --as-of on PostgreSQL", () => pgSpec(pgSchema()), { skip: Boolean(pgUnavailable) });

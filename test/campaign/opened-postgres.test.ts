import { pgSchema, pgSpec, pgUnavailable } from "../pg.ts";
import { describeOpenedSuite } from "./opened-suite.ts";

describeOpenedSuite("Opened items on PostgreSQL", () => pgSpec(pgSchema()), { skip: Boolean(pgUnavailable) });

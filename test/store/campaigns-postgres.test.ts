import { pgSchema, pgSpec, pgUnavailable } from "../pg.ts";
import { describeRegistrySuite } from "./campaigns-suite.ts";

describeRegistrySuite("campaign registry on PostgreSQL", () => pgSpec(pgSchema()), { skip: Boolean(pgUnavailable) });

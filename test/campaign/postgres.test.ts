import { pgSchema, pgSpec, pgUnavailable } from "../pg.ts";
import { describeCampaignSuite } from "./campaign-suite.ts";

describeCampaignSuite("Campaign on PostgreSQL", () => pgSpec(pgSchema()), { skip: Boolean(pgUnavailable) });

import { pgAdmin, pgSchema, pgSpec, pgUnavailable } from "../pg.ts";
import { describeCampaignsSuite } from "./campaigns-suite.ts";

describeCampaignsSuite(
  "several campaigns in one PostgreSQL store",
  () => pgSpec(pgSchema()),
  async (spec) => {
    const schema = new URL(spec).searchParams.get("schema")!;
    await pgAdmin((c) => c.query(`DROP TABLE "${schema}".campaigns`));
  },
  { skip: Boolean(pgUnavailable) },
);

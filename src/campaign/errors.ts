/** A mistake with the campaign's store or plan that the user can fix; the CLI prints it without a stack. */
export class CampaignError extends Error {
  constructor(
    readonly code: "NOT_INITIALISED" | "ALREADY_INITIALISED" | "PLAN_INVALID" | "PLAN_MISSING" | "CONFLICT" | "CAMPAIGN_ENDED" | "CLOCK_BEHIND" | "BEFORE_FIRST_EVENT" | "CAMPAIGN_EXISTS" | "CAMPAIGN_UNKNOWN" | "CAMPAIGN_REQUIRED" | "NOT_A_MEMBER" | "UNITS_IN_USE" | "PARENT_INVALID",
    message: string,
  ) {
    super(message);
  }
}

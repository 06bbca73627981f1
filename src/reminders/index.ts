export { composeReminder, type ComposeOptions, type ReminderItemView, type ReminderView } from "./compose.ts";
export { composeDailySummary, type DailySummaryInput, type DailySummaryRow, type SummaryView } from "./summary.ts";
export { DEFAULT_TEMPLATE_DIR, loadTemplates, TEMPLATE_NAMES, type TemplateName, type TemplateSet } from "./templates.ts";

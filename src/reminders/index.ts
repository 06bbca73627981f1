export { composeReminder, reminderSection, type ComposeOptions, type ReminderItemView, type ReminderSection, type ReminderView } from "./compose.ts";
export { composeSections } from "./digest.ts";
export { composeDailySummary, type DailySummaryInput, type DailySummaryRow, type SummaryView } from "./summary.ts";
export { DEFAULT_TEMPLATE_DIR, loadTemplates, TEMPLATE_NAMES, type TemplateName, type TemplateSet } from "./templates.ts";

import { dirname, join } from "node:path";
import type { Campaign } from "../campaign/campaign.ts";
import { formatInstant, formatLocal, type EpochMs } from "../engine/calendar.ts";
import { documentDocx } from "./bulletin-docx.ts";
import { documentData } from "./bulletin-view.ts";
import { checkDocumentTemplate, documentTemplate, renderDocument, type DocumentKind } from "./doc-template.ts";
import type { PublishedState } from "./items.ts";
import { PublishError } from "./source.ts";
import { DOCUMENT_KIND_ZH } from "../text/labels.ts";

/** A campaign's own templates live in `templates/` beside its plan file (as written at init or plan apply). */
export function campaignTemplateDir(planFile: string): string {
  return join(dirname(planFile), "templates");
}

/** The template folder of the plan version in force at the state's instant, from the file it was recorded from. */
export async function templateDirOf(c: Campaign, state: PublishedState): Promise<string | undefined> {
  const file = (await c.store.getPlanMeta(state.plan.hash))?.file;
  return typeof file === "string" ? campaignTemplateDir(file) : undefined;
}

/**
 * A 通报 (or the office's report) for the period from `from` to the state's instant, as .docx bytes and
 * the file name the office would give it. A campaign template with an unknown placeholder is refused
 * with its position, as `validate` reports it.
 */
export async function publishDocument(state: PublishedState, opts: { from?: EpochMs; kind?: DocumentKind; templateDir?: string }): Promise<{ bytes: Buffer; name: string }> {
  const kind = opts.kind ?? "bulletin";
  const zone = state.plan.campaign.timezone;
  const from = opts.from ?? state.plan.campaign.startAt;
  if (from > state.asOf) throw new PublishError("BAD_DATE", `--from ${formatLocal(from, zone)} 晚于截止时刻 ${formatLocal(state.asOf, zone)}；请选择此前的时刻`);
  const t = documentTemplate(kind, opts.templateDir);
  const problem = checkDocumentTemplate(t.file, t.text)[0];
  if (problem) throw new PublishError("TEMPLATE", `${problem.file}:${problem.line}:${problem.col}: ${problem.message}`);
  const data = documentData(state, from);
  const bytes = await documentDocx(renderDocument(t.text, data.view), data);
  const day = formatInstant(state.asOf, zone).slice(0, 10);
  return { bytes, name: `${state.plan.campaign.id}-${DOCUMENT_KIND_ZH[kind]}-${day}.docx` };
}
